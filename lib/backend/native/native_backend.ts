/**
 * The `native` tfjs backend class: tfjs-backend-cpu's storage with the loaded BLAS and the SIMD kernels
 * attached.
 *
 * Tensor data lives in typed arrays as on `cpu`, so every cpu kernel works unchanged on it; float32 arrays
 * are views into one shared WebAssembly memory (the arena, see `buffer_pool.ts`), which BLAS (through FFI)
 * and the WebAssembly SIMD kernels both read and write in place, without copies.
 *
 * @module
 */
import { tf } from "../tf.ts";
import { MathBackendCPU } from "@tensorflow/tfjs-backend-cpu";
import type { Blas } from "./blas.ts";
import { BufferPool } from "./buffer_pool.ts";
import { type SimdKernels, simdKernels } from "./simd/simd.ts";
import type { Arena } from "./simd/arena.ts";
import { type ArenaOperands, inArena } from "./simd/arena_operands.ts";
import { hasRelaxedSimd, wasmBlas } from "./simd/gemm.ts";
import { ThreadPool } from "./simd/thread_pool.ts";
import { parallelKernels } from "./simd/parallel.ts";
import { layerNormChunkFunctions } from "./simd/layer_norm_chunks.ts";

/** The GEMM `native` multiplies with: a loaded system BLAS, or `"wasm"` for its own WebAssembly GEMM. */
export type BlasChoice = Blas | "wasm";

import { NATIVE } from "./names.ts";
export { NATIVE };

type DataId = object;
type Values = tf.backend_util.BackendValues;

/** MathBackendCPU plus the loaded BLAS, the SIMD kernels and a pool that recycles kernel output arrays. */
export class NativeBackend extends MathBackendCPU {
  /** The BLAS that the matmul kernels call (a system BLAS, or the WebAssembly GEMM on the arena). */
  readonly blas: Blas;
  /** Output arrays for native kernels (`pool.take(n)`), recycled when their tensor is freed. */
  readonly pool: BufferPool = new BufferPool();
  /** The shared WebAssembly memory that tensor data, the SIMD kernels and the built-in GEMM work in. */
  readonly arena: Arena;
  /**
   * The WebAssembly SIMD kernels on the arena: the one native implementation of each fused op (there is no
   * JavaScript twin; without SIMD the backend does not start).
   */
  readonly simd: SimdKernels;
  /** The same SIMD kernels unsplit, for code that runs on one thread of the pool (a part of a split call). */
  readonly simdHere: SimdKernels;
  /**
   * Worker threads on the arena's memory (started on first use): the built-in GEMM splits its products
   * over them, and the SIMD kernels their larger calls.
   */
  readonly threads: ThreadPool;
  /** Throws where the runtime lacks WebAssembly SIMD (the provider checks `simdUnavailable()` first). */
  constructor(blas: BlasChoice) {
    super();
    this.arena = this.pool.arena!; // a default BufferPool always has one
    const simd = simdKernels(this.arena);
    // Workers open a system BLAS themselves for attention's pair loops where it takes concurrent calls.
    const shared = blas !== "wasm" && blas.concurrentCalls ? blas.path : undefined;
    this.threads = new ThreadPool(
      { memory: this.arena.memory, relaxed: hasRelaxedSimd(), blas: shared },
      defaultThreads(),
    );
    this.simdHere = simd;
    this.simd = parallelKernels(simd, this.threads);
    this.threads.provide(layerNormChunkFunctions(simd));
    if (blas === "wasm") {
      const own = wasmBlas(this.arena, { pool: this.threads });
      if (!own) throw new Error("native backend: this runtime has no WebAssembly SIMD for the built-in GEMM");
      this.blas = own;
    } else this.blas = blas;
  }

  /**
   * Runs `call` with a kernel's arrays placed in the arena (`at.read(a)`, `at.write(a)`, `at.update(a)` give
   * byte offsets; arrays outside it are copied in, and back when written). Returns what `call` returns.
   */
  inArena<R>(call: (at: ArenaOperands) => R): R {
    return inArena(this.arena, call);
  }

  override write(values: Values, shape: number[], dtype: tf.DataType): DataId {
    return super.write(this.pool.storable(values), shape, dtype);
  }

  override move(dataId: DataId, values: Values, shape: number[], dtype: tf.DataType, refCount: number): void {
    super.move(dataId, this.pool.storable(values), shape, dtype, refCount);
  }

  override readSync(dataId: DataId): Values {
    // Kernels (cpu ones read their inputs through bufferSync) get the array itself: they only read it
    // while they run, and anything they store from it is copied by `write`. Everyone else gets a copy.
    const values = super.readSync(dataId);
    return kernelDepth > 0 ? values : this.pool.exposed(values);
  }

  override disposeData(dataId: DataId, force = false): boolean {
    const values = this.data.get(dataId)?.values;
    const freed = super.disposeData(dataId, force);
    if (freed && values !== undefined && !this.data.has(dataId)) this.pool.released(values);
    return freed;
  }
}

function defaultThreads(): number {
  return navigator.hardwareConcurrency ?? 1;
}

// Kernels running now on this thread (module state: tfjs runs kernels synchronously, one stack at a time).
let kernelDepth = 0;

/**
 * Wraps a kernel function of `native` so that `readSync` knows a kernel is running (kernels then read arena
 * arrays in place; anyone else gets a copy). `registerNative` wraps every kernel with it.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { asNativeKernel } from "./native_backend.ts";
 * const double = asNativeKernel((x: number) => 2 * x);
 * assert(double(21) === 42);
 * ```
 */
export function asNativeKernel<F extends (...args: never[]) => unknown>(f: F): F {
  return ((...args: Parameters<F>) => {
    kernelDepth++;
    try {
      return f(...args);
    } finally {
      kernelDepth--;
    }
  }) as F;
}

/** The float32 array behind a tensor (no copy); other dtypes are an error naming `kernel`. */
export function float32Values(backend: NativeBackend, t: tf.TensorInfo, kernel: string): Float32Array {
  if (t.dtype !== "float32") throw new Error(`native ${kernel}: expected float32, got ${t.dtype}`);
  return valuesOf(backend, t) as Float32Array;
}

/** The typed array behind a tensor on the native backend (no copy). */
export function valuesOf(backend: NativeBackend, t: tf.TensorInfo): tf.backend_util.BackendValues {
  return backend.data.get(t.dataId).values as tf.backend_util.BackendValues;
}

/** What a native kernel receives (inputs present by name, attrs as tfjs passes them). */
export interface NativeArgs {
  inputs: Record<string, tf.TensorInfo>;
  backend: NativeBackend;
  attrs: Record<string, unknown>;
}

/** A kernel config for `native` from a typed kernel function. */
export function nativeKernel(
  kernelName: string,
  f: (args: NativeArgs) => tf.TensorInfo | tf.TensorInfo[],
): tf.KernelConfig {
  return {
    kernelName,
    backendName: NATIVE,
    kernelFunc:
      ((args: { inputs: unknown; backend: unknown; attrs?: unknown }) =>
        f({ ...args, attrs: args.attrs ?? {} } as NativeArgs)) as unknown as tf.KernelFunc,
  };
}

/** Runs the kernel registered as `name` on `native` (or, with `on = "cpu"`, the cpu one) directly. */
export function runKernel(
  name: string,
  backend: NativeBackend,
  inputs: Record<string, tf.TensorInfo>,
  attrs: Record<string, unknown> = {},
  on = NATIVE,
): tf.TensorInfo {
  const k = tf.getKernel(name, on);
  if (!k) throw new Error(`native backend: no ${name} kernel registered on "${on}"`);
  return k.kernelFunc({ inputs, backend, attrs } as never) as tf.TensorInfo;
}
