/**
 * The native backend's own GEMM (`gemm_wat.ts`) as a `Blas`: what `native` multiplies with when no system
 * BLAS loads, or when `TRAINLARGE_BLAS=none`. WebAssembly SIMD on the arena, relaxed-SIMD FMA where the
 * runtime validates it (Deno 2 does) and plain SIMD otherwise, split over a `ThreadPool`.
 *
 * Operands that live in the arena are used in place; any other array is copied into an arena block for the
 * call, and C copied back (`arena_operands.ts`). Large products are split into as many row (or column) ranges of C as there are
 * ready threads; products under `SPLIT_MIN_FLOPS` per thread run on the calling thread alone.
 *
 * @module
 */
import { decodeBase64 } from "@std/encoding/base64";
import type { Arena } from "./arena.ts";
import { GEMM_RELAXED_BASE64 } from "./gemm_bytes.ts";
import { gemmModule } from "./modules.ts";
import { GEMM_SCRATCH_BYTES, gemmBlocks } from "./gemm_wat.ts";
import { type PoolTask, ThreadPool } from "./thread_pool.ts";
import { inArena } from "./arena_operands.ts";
import { type Blas, checkGemmOperands, type OffsetSgemm } from "../blas.ts";

/** Below this many floating-point operations per thread a product is not split (a dispatch costs ~10 µs). */
export const SPLIT_MIN_FLOPS = 2 ** 21;

/** Whether this runtime validates relaxed SIMD (then the fused multiply-add build is used). */
export function hasRelaxedSimd(): boolean {
  return WebAssembly.validate(decodeBase64(GEMM_RELAXED_BASE64));
}

/** Options of `wasmBlas`. */
export interface WasmBlasOptions {
  /** Threads, the calling one included (default: `navigator.hardwareConcurrency`). */
  threads?: number;
  /** Use the relaxed-SIMD build (default: where the runtime has it); false forces plain SIMD. */
  relaxed?: boolean;
  /** Split a product only when each thread gets at least this many flops (default `SPLIT_MIN_FLOPS`). */
  splitMinFlops?: number;
  /** The pool to split over (default: a pool of its own with `threads`); it must share `arena`'s memory. */
  pool?: ThreadPool;
}

/** How the built-in GEMM's `vendor` (and so `useBackend`'s `versions.blas`) begins, to tell it from a system BLAS. */
export const BUILTIN_GEMM_VENDOR = "trainlarge WebAssembly";

/** A `Blas` on the WebAssembly GEMM, plus its thread pool's `close`. */
export interface WasmBlas extends Blas {
  /** Whether the relaxed-SIMD (FMA) build runs. */
  readonly relaxed: boolean;
  /** Threads that can take a part of the next product now (starts the workers on first use). */
  readyThreads(): number;
  /** Ends the worker threads (they start again on the next large product). */
  close(): void;
  /** The GEMM on byte offsets on the calling thread alone (its last argument: a `scratch` block). */
  readonly sgemmHere: OffsetSgemm;
  /** Thread t's packing block (byte offset), for `sgemmHere` here (t = 0) and the pool's workers' GEMM. */
  scratch(t: number): number;
}

/**
 * The WebAssembly GEMM on `arena`'s memory as a `Blas`, or `undefined` where the runtime lacks SIMD.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { Arena } from "./arena.ts";
 * import { wasmBlas } from "./gemm.ts";
 * const blas = wasmBlas(new Arena(), { threads: 1 })!;
 * const c = new Float32Array(1);
 * blas.sgemm(false, false, 1, 1, 2, 1, new Float32Array([1, 2]), new Float32Array([3, 4]), 0, c);
 * assert(c[0] === 11);
 * ```
 */
export function wasmBlas(arena: Arena, options: WasmBlasOptions = {}): WasmBlas | undefined {
  const relaxed = options.relaxed ?? hasRelaxedSimd();
  let sgemm: OffsetSgemm;
  try {
    const instance = new WebAssembly.Instance(gemmModule(relaxed), { env: { memory: arena.memory } });
    sgemm = instance.exports.sgemm as OffsetSgemm;
  } catch {
    return undefined;
  }
  const { MR, NR } = gemmBlocks(relaxed);
  const scratch: number[] = []; // one block per thread, taken once and kept
  const scratchFor = (t: number) => {
    while (scratch.length <= t) {
      const block = arena.take(GEMM_SCRATCH_BYTES / 4);
      if (!block) throw new Error("native backend: the arena has no room for the GEMM's packing buffers");
      scratch.push(block.byteOffset);
    }
    return scratch[t];
  };
  const pool = options.pool ??
    new ThreadPool({ memory: arena.memory, relaxed }, options.threads ?? navigator.hardwareConcurrency ?? 1);
  pool.provide({ sgemm: sgemm as (...a: number[]) => unknown });
  const splitMin = options.splitMinFlops ?? SPLIT_MIN_FLOPS;
  const vendor = `${BUILTIN_GEMM_VENDOR} ${relaxed ? "relaxed-SIMD (FMA)" : "SIMD"} GEMM`;

  return {
    path: "builtin:wasm-simd-gemm",
    vendor,
    relaxed,
    sgemm(transA, transB, m, n, k, alpha, a, b, beta, c, lda, ldb, ldc) {
      [lda, ldb, ldc] = checkGemmOperands(transA, transB, m, n, k, a, b, c, lda, ldb, ldc);
      if (m === 0 || n === 0) return;
      if (k === 0 || alpha === 0) {
        scaleRows(c, m, n, ldc, beta);
        return;
      }
      inArena(arena, (at) => {
        const pa = at.read(a.subarray(0, extent(transA ? k : m, transA ? m : k, lda)));
        const pb = at.read(b.subarray(0, extent(transB ? n : k, transB ? k : n, ldb)));
        // Read too where beta is 0: a copy must keep the elements between C's rows (ldc > n).
        const pc = at.update(c.subarray(0, (m - 1) * ldc + n));
        const flops = 2 * m * n * k;
        const parts = Math.min(Math.max(1, Math.floor(flops / Math.max(1, splitMin))), pool.ready);
        const tasks: PoolTask[] = [];
        const byRows = m >= n;
        const unit = byRows ? MR : NR, total = byRows ? m : n;
        const per = Math.ceil(total / parts / unit) * unit;
        for (let start = 0, t = 0; start < total; start += per, t++) {
          const count = Math.min(per, total - start);
          const mm = byRows ? count : m, nn = byRows ? n : count;
          const aa = byRows ? pa + start * (transA ? 4 : lda * 4) : pa;
          const bb = byRows ? pb : pb + start * (transB ? ldb * 4 : 4);
          const cc = pc + start * (byRows ? ldc * 4 : 4);
          tasks.push({
            fn: "sgemm",
            args: [+transA, +transB, mm, nn, k, alpha, aa, lda, bb, ldb, beta, cc, ldc, scratchFor(t)],
          });
        }
        pool.run(tasks);
      });
    },
    setThreads(n) {
      pool.threads = n;
      return pool.threads;
    },
    threads() {
      return pool.threads;
    },
    readyThreads() {
      return pool.ready;
    },
    close() {
      pool.close();
    },
    sgemmHere: sgemm,
    scratch: scratchFor,
  };
}

// Floats from the first element of a stored (rows, cols) matrix with row stride ld to its last.
function extent(rows: number, cols: number, ld: number): number {
  return rows === 0 || cols === 0 ? 0 : (rows - 1) * ld + cols;
}

// C = beta·C over an (m, n) block with row stride ldc (beta 0 writes zeros, as BLAS does).
function scaleRows(c: Float32Array, m: number, n: number, ldc: number, beta: number): void {
  for (let i = 0; i < m; i++) {
    const row = c.subarray(i * ldc, i * ldc + n);
    if (beta === 0) row.fill(0);
    else if (beta !== 1) { for (let j = 0; j < n; j++) row[j] *= beta; }
  }
}
