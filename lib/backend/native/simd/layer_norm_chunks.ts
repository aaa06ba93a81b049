/**
 * LayerNorm's backward pass in chunks of rows, so that any thread can run a range of chunks: each chunk's
 * dγ and dβ are summed in float32 into a slot of their own (`layer_norm_grad` of `wat.ts`), and the caller
 * adds the slots in chunk order in float64. The chunks are the same however many threads run them, so the
 * result does not depend on the thread count. Every thread of the pool runs it as the pool function
 * `layer_norm_grad_chunks` (`layerNormChunkFunctions`, see `thread_pool.ts`).
 *
 * @module
 */

import type { SimdKernels } from "./simd.ts";

/** Rows per chunk: dγ and dβ are summed in float32 over this many rows, then in float64 across chunks. */
export const LN_CHUNK = 32;

/** What the loop needs: the (unsplit) SIMD kernel on the arena. */
export type LayerNormGradKernel = Pick<SimdKernels, "layer_norm_grad">;

/**
 * Chunks [from, to) of a LayerNorm backward over `rows` rows of c (byte offsets `dy`, `x`, `dx`; gain `g`):
 * dx of their rows, and chunk i's dγ and dβ added into `partials` + 2·c·i floats (dγ, then dβ; zeroed by
 * the caller).
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { Arena } from "./arena.ts";
 * import { simdKernels } from "./simd.ts";
 * import { layerNormGradChunks } from "./layer_norm_chunks.ts";
 * const arena = new Arena(), k = simdKernels(arena);
 * const [dy, x, g, dx, partials] = [[1, 1], [0, 2], [1, 1], [9, 9], [0, 0, 0, 0]].map((v) => {
 *   const a = arena.take(v.length)!;
 *   a.set(v);
 *   return a;
 * });
 * layerNormGradChunks(k, dy.byteOffset, x.byteOffset, g.byteOffset, dx.byteOffset, partials.byteOffset, 1, 2, 0, 0, 1);
 * // A constant upstream gradient has no component through the normalisation: dx = 0; dβ = dy.
 * assert(dx.every((v) => Math.abs(v) < 1e-6) && partials[2] === 1 && partials[3] === 1);
 * ```
 */
export function layerNormGradChunks(
  k: LayerNormGradKernel,
  dy: number,
  x: number,
  g: number,
  dx: number,
  partials: number,
  rows: number,
  c: number,
  eps: number,
  from: number,
  to: number,
): void {
  for (let chunk = from; chunk < to; chunk++) {
    const r0 = chunk * LN_CHUNK, off = r0 * c * 4, dg = partials + chunk * 2 * c * 4;
    k.layer_norm_grad(dy + off, x + off, g, dx + off, dg, dg + c * 4, Math.min(LN_CHUNK, rows - r0), c, eps);
  }
}

/**
 * The pool function of this file, by the name a `PoolTask` gives, for a thread whose kernels are `k`.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { Arena } from "./arena.ts";
 * import { simdKernels } from "./simd.ts";
 * import { layerNormChunkFunctions } from "./layer_norm_chunks.ts";
 * assert(typeof layerNormChunkFunctions(simdKernels(new Arena())).layer_norm_grad_chunks === "function");
 * ```
 */
export function layerNormChunkFunctions(
  k: LayerNormGradKernel,
): Record<"layer_norm_grad_chunks", (...a: number[]) => void> {
  return {
    layer_norm_grad_chunks: (...a: number[]) =>
      (layerNormGradChunks as (k: LayerNormGradKernel, ...a: number[]) => void)(k, ...a),
  };
}
