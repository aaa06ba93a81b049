/**
 * Matmul throughput: `tf.matMul` on the current backend against raw `cblas_sgemm` through FFI on the same
 * arrays, in GFLOP/s (2·M·N·K per product).
 *
 * @module
 */
import { tf } from "../lib/backend/tf.ts";
import { type Blas, loadBlas } from "../lib/backend/native/blas.ts";
import { Arena } from "../lib/backend/native/simd/arena.ts";
import { type WasmBlas, wasmBlas } from "../lib/backend/native/simd/gemm.ts";

/** One measured product shape. */
export interface MatmulRow {
  shape: string;
  gflops: number;
}

function timeIt(f: () => void, ms: number): number {
  f();
  let n = 0;
  const t0 = performance.now();
  while (n === 0 || performance.now() - t0 < ms) {
    f();
    n++;
  }
  return (performance.now() - t0) / n / 1000;
}

/** GFLOP/s of raw BLAS sgemm for (m, k) × (k, n) (default: the system BLAS, through FFI). */
export function rawBlasGflops(m: number, n: number, k: number, ms = 400, blas: Blas = loadBlas()): number {
  const a = new Float32Array(m * k).fill(0.5), b = new Float32Array(k * n).fill(0.25);
  const c = new Float32Array(m * n);
  return (2 * m * n * k) / timeIt(() => blas.sgemm(false, false, m, n, k, 1, a, b, 0, c), ms) / 1e9;
}

let builtin: { arena: Arena; blas: WasmBlas } | undefined;

/**
 * GFLOP/s of the built-in WebAssembly GEMM (the no-BLAS path) for (m, k) × (k, n), on arena arrays, with
 * `navigator.hardwareConcurrency` threads (its workers start on the first call and are given a moment).
 */
export async function builtinGemmGflops(m: number, n: number, k: number, ms = 400): Promise<number> {
  if (!builtin) {
    const arena = new Arena();
    builtin = { arena, blas: wasmBlas(arena)! };
    for (let i = 0; i < 200 && builtin.blas.readyThreads() < builtin.blas.threads(); i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
  }
  const { arena, blas } = builtin;
  const a = arena.take(m * k)!.fill(0.5), b = arena.take(k * n)!.fill(0.25), c = arena.take(m * n)!;
  const gflops = (2 * m * n * k) / timeIt(() => blas.sgemm(false, false, m, n, k, 1, a, b, 0, c), ms) / 1e9;
  for (const x of [a, b, c]) arena.free(x);
  return gflops;
}

/**
 * GFLOP/s of `tf.matMul` on the current backend. One element of each result is read back (which waits for
 * asynchronous backends), not the whole product: a training step reads back its loss, not its matmuls.
 */
export async function tfMatmulGflops(m: number, n: number, k: number, ms = 400): Promise<number> {
  const a = tf.fill([m, k], 0.5), b = tf.fill([k, n], 0.25);
  const run = async () => {
    const c = tf.matMul(a, b);
    const first = tf.slice(tf.reshape(c, [-1]), 0, 1);
    await first.data();
    tf.dispose([c, first]);
  };
  await run();
  let count = 0;
  const t0 = performance.now();
  while (count === 0 || performance.now() - t0 < ms) {
    await run();
    count++;
  }
  tf.dispose([a, b]);
  return (2 * m * n * k) / ((performance.now() - t0) / count / 1000) / 1e9;
}
