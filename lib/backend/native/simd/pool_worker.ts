/**
 * A thread-pool worker (see `thread_pool.ts`): instantiates the SIMD kernels and the GEMM (the modules the
 * pool compiled, see `modules.ts`) on the arena's shared memory, then runs the parts it is handed until the
 * pool stops it.
 *
 * @module
 */
import { workerData } from "node:worker_threads";
import { ERROR, ERROR_CHARS, GEN, PENDING, POOL_FUNCTIONS, READY, SLOT, STOP, TASK } from "./thread_pool.ts";
import { pairFunctions, type PairKernels } from "./attention_pairs.ts";
import { layerNormChunkFunctions, type LayerNormGradKernel } from "./layer_norm_chunks.ts";
import { type OffsetSgemm, offsetSgemm } from "../blas.ts";

const {
  memory,
  kernels: kernelsModule,
  gemm,
  blas,
  ctl: ctlBuffer,
  args: argsBuffer,
  error: errorBuffer,
  index,
  spin,
} = workerData as {
  memory: WebAssembly.Memory;
  kernels: WebAssembly.Module;
  gemm: WebAssembly.Module;
  blas?: string;
  ctl: SharedArrayBuffer;
  args: SharedArrayBuffer;
  error: SharedArrayBuffer;
  index: number;
  spin: number;
};
const ctl = new Int32Array(ctlBuffer), args = new Float64Array(argsBuffer);
const imports = { env: { memory } };
const exportsOf = (module: WebAssembly.Module) => new WebAssembly.Instance(module, imports).exports;
const kernels = { ...exportsOf(kernelsModule), ...exportsOf(gemm) };
// Attention's pair loops multiply with the system BLAS where the backend uses one (opened on first use).
let systemSgemm: OffsetSgemm | undefined;
const pairSgemm: OffsetSgemm = blas === undefined
  ? kernels.sgemm as OffsetSgemm
  : (...a) => (systemSgemm ??= offsetSgemm(blas, memory))(...a);
const pairs = pairFunctions({ ...kernels, sgemm: pairSgemm } as unknown as PairKernels);
const all: Record<string, unknown> = {
  ...kernels,
  ...pairs,
  ...layerNormChunkFunctions(kernels as unknown as LayerNormGradKernel),
};
const functions = POOL_FUNCTIONS.map((name) => all[name] as (...a: number[]) => unknown);

let seen = Atomics.load(ctl, GEN);
Atomics.store(ctl, READY + index, 1);
for (;;) {
  for (let i = 0; Atomics.load(ctl, GEN) === seen; i++) {
    if (i > spin) Atomics.wait(ctl, GEN, seen);
  }
  seen = Atomics.load(ctl, GEN);
  if (Atomics.load(ctl, STOP) === 1) break;
  if (Atomics.exchange(ctl, TASK + index, 0) !== 1) continue;
  const base = index * SLOT, count = args[base + 1];
  try {
    functions[args[base]](...args.subarray(base + 2, base + 2 + count));
  } catch (e) {
    // The message goes back through shared memory: the main thread is blocked until the part is done.
    const text = new Uint16Array(errorBuffer), message = String(e).slice(0, ERROR_CHARS - 1);
    for (let i = 0; i < message.length; i++) text[i] = message.charCodeAt(i);
    text[message.length] = 0;
    Atomics.store(ctl, ERROR, 1);
  }
  if (Atomics.sub(ctl, PENDING, 1) === 1) Atomics.notify(ctl, PENDING);
}
