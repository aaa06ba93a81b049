/**
 * Multi-head attention's per-(sequence, head) loops on arena byte offsets, so that any thread can run a
 * range of the pairs: the native attention kernels (`../attention_kernels.ts`) split the B·H pairs over the
 * thread pool (`thread_pool.ts`), whose workers run `attentionPairs` and `attentionGradPairs` with their own
 * GEMM and SIMD instances, and the calling thread runs its range with its own.
 *
 * Each pair's products (e.g. 128 × 128 × 64) are too small to split well one by one: OpenBLAS gains 1.3× from
 * its second thread there, and the built-in GEMM does not split them at all. So the pairs are what is split:
 * every thread multiplies its own pairs on one thread, with the system BLAS
 * (each worker opens the library itself) or the built-in GEMM. A pair's arithmetic is the same on every
 * thread, so the result does not depend on how the pairs were split.
 *
 * Layout (as in the kernels): Q (B·Tq, C), K and V (B·Tk, C) with head h of sequence b in columns
 * [h·D, (h+1)·D) of rows [b·T, (b+1)·T); probabilities (B, H, Tq, Tk). Q, K and V (and their gradients)
 * have rows `ld` floats apart: C for three separate tensors, 3C for the column blocks of one packed
 * (B·T, 3C) projection [Q | K | V]; the context and its gradient have rows C apart.
 *
 * @module
 */
import type { OffsetSgemm } from "../blas.ts";
import type { SimdKernels } from "./simd.ts";

/** What a thread needs to run pairs: a one-thread GEMM and (unsplit) SIMD kernels on the arena. */
export type PairKernels = Pick<SimdKernels, "softmax_rows" | "mul" | "softmax_grad_rows"> & {
  /** C = α·op(A)·op(B) + β·C on byte offsets, on the calling thread alone. */
  sgemm: OffsetSgemm;
};

/**
 * Forward over pairs [from, to) (pair i is sequence ⌊i/H⌋, head i mod H): probs = softmax(scale·QKᵀ + bias),
 * ctx = (probs ⊙ mask)·V. `bias` is 0 (none) or the bias of sequence 0, `biasSeq` the bytes to the next
 * sequence's (0: shared) and `biasRow` to the next query row's (0: one row for all); `mask` 0 or (B, H, Tq,
 * Tk); `work` a scratch block of Tq·Tk floats (used where there is a mask); `gemmScratch` the built-in GEMM's
 * packing block of this thread (ignored by a system BLAS).
 *
 * Arguments are all numbers (byte offsets, sizes, the scale), so that a pool worker can be handed them.
 */
export function attentionPairs(
  k: PairKernels,
  q: number,
  key: number,
  v: number,
  ctx: number,
  probs: number,
  bias: number,
  biasSeq: number,
  biasRow: number,
  mask: number,
  work: number,
  gemmScratch: number,
  h: number,
  tq: number,
  tk: number,
  d: number,
  c: number,
  ld: number,
  scale: number,
  from: number,
  to: number,
): void {
  const block = tq * tk * 4;
  for (let i = from; i < to; i++) {
    const bi = Math.floor(i / h), hi = i % h;
    const p = probs + i * block, qOff = q + (bi * tq * ld + hi * d) * 4, kOff = (bi * tk * ld + hi * d) * 4;
    k.sgemm(0, 1, tq, tk, d, scale, qOff, ld, key + kOff, ld, 0, p, tk, gemmScratch);
    k.softmax_rows(p, bias === 0 ? 0 : bias + bi * biasSeq, biasRow, tq, tk);
    let weights = p;
    if (mask !== 0) {
      k.mul(p, mask + i * block, work, tq * tk);
      weights = work;
    }
    const out = ctx + (bi * tq * c + hi * d) * 4;
    k.sgemm(0, 0, tq, d, tk, 1, weights, tk, v + kOff, ld, 0, out, c, gemmScratch);
  }
}

/**
 * Backward over pairs [from, to): from dY (B·Tq, C) and the forward's probabilities, dQ, dK and dV (every
 * element of each pair's column block written; rows `ld` apart like Q, K and V). `work` holds 2·Tq·Tk
 * floats (dP, and P ⊙ mask).
 */
export function attentionGradPairs(
  k: PairKernels,
  dy: number,
  q: number,
  key: number,
  v: number,
  probs: number,
  mask: number,
  dq: number,
  dk: number,
  dv: number,
  work: number,
  gemmScratch: number,
  h: number,
  tq: number,
  tk: number,
  d: number,
  c: number,
  ld: number,
  scale: number,
  from: number,
  to: number,
): void {
  const block = tq * tk * 4, dp = work, dropped = work + block;
  for (let i = from; i < to; i++) {
    const bi = Math.floor(i / h), hi = i % h;
    const p = probs + i * block, yOff = (bi * tq * c + hi * d) * 4;
    const qOff = (bi * tq * ld + hi * d) * 4, kOff = (bi * tk * ld + hi * d) * 4;
    let weights = p;
    if (mask !== 0) {
      k.mul(p, mask + i * block, dropped, tq * tk);
      weights = dropped;
    }
    // dV = P̃ᵀ·dY and dP̃ = dY·Vᵀ, with P̃ the probabilities after dropout.
    k.sgemm(1, 0, tk, d, tq, 1, weights, tk, dy + yOff, c, 0, dv + kOff, ld, gemmScratch);
    k.sgemm(0, 1, tq, tk, d, 1, dy + yOff, c, v + kOff, ld, 0, dp, tk, gemmScratch);
    // Softmax gradient, in place: dS = P ⊙ (dP − Σⱼ dP·P) with dP = dP̃ ⊙ mask.
    if (mask !== 0) k.mul(dp, mask + i * block, dp, tq * tk);
    k.softmax_grad_rows(dp, p, tq, tk);
    // S = scale·QKᵀ, so dQ = scale·dS·K and dK = scale·dSᵀ·Q.
    k.sgemm(0, 0, tq, d, tk, scale, dp, tk, key + kOff, ld, 0, dq + qOff, ld, gemmScratch);
    k.sgemm(1, 0, tk, d, tq, scale, dp, tk, q + qOff, ld, 0, dk + kOff, ld, gemmScratch);
  }
}

/**
 * The pool functions of this file, by the name a `PoolTask` gives, for a thread whose kernels are `k`.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { Arena } from "./arena.ts";
 * import { simdKernels } from "./simd.ts";
 * import { wasmBlas } from "./gemm.ts";
 * import { pairFunctions } from "./attention_pairs.ts";
 * const arena = new Arena(), blas = wasmBlas(arena, { threads: 1 })!;
 * const f = pairFunctions({ ...simdKernels(arena), sgemm: blas.sgemmHere });
 * // One sequence, one head of width 1, two equal keys: each output is the mean of V.
 * const [q, k, v, ctx, p] = [[1, 2], [1, 1], [2, 4], [0, 0], [0, 0, 0, 0]].map((x) => {
 *   const a = arena.take(x.length)!;
 *   a.set(x);
 *   return a;
 * });
 * f.attention_pairs(q.byteOffset, k.byteOffset, v.byteOffset, ctx.byteOffset, p.byteOffset, 0, 0, 0, 0, 0,
 *   blas.scratch(0), 1, 2, 2, 1, 1, 1, 1, 0, 1);
 * assert(ctx.join() === "3,3");
 * ```
 */
export function pairFunctions(
  k: PairKernels,
): Record<"attention_pairs" | "attention_grad_pairs", (...a: number[]) => void> {
  return {
    attention_pairs: (...a: number[]) =>
      (attentionPairs as (k: PairKernels, ...a: number[]) => void)(k, ...a),
    attention_grad_pairs: (...a: number[]) =>
      (attentionGradPairs as (k: PairKernels, ...a: number[]) => void)(k, ...a),
  };
}
