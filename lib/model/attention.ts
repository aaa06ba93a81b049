/**
 * Multi-head scaled dot-product attention, and the additive masks it takes.
 *
 * Shapes: B = batch, Tq = query length, Tk = key length, C = width, H = heads, hs = C / H. Inputs and output
 * are 2-D (B·T, C); internally (B, H, T, hs). Masks are additive biases: 0 where attending is allowed and a
 * large negative number where not, added to the scores before the softmax.
 *
 * @module
 */
import { tf } from "../backend/tf.ts";
import type { Tensor, Tensor2D, Tensor4D } from "../backend/tf.ts";
import { type Dropout, linear } from "./layers.ts";
import type { Params } from "./params.ts";
import { attentionCore } from "../backend/native/mod.ts";

/** Score added at masked positions: exp() of it underflows to exactly 0 in float32. */
export const MASKED_SCORE: number = -1e9;

/** Parameter-name prefixes of the four projections (each has `.weight` and `.bias`). */
export interface AttentionNames {
  /** Query projection, e.g. `….attention.self.query`. */
  query: string;
  /** Key projection. */
  key: string;
  /** Value projection. */
  value: string;
  /** Output projection back to the model width. */
  output: string;
}

/** Sizes of one attention call. */
export interface AttentionDims {
  /** B. */
  batchSize: number;
  /** Tq. */
  queryLen: number;
  /** Tk. */
  keyLen: number;
  /** H. */
  numHeads: number;
}

/**
 * Attention of `query` rows over `keyValue` rows: softmax(QKᵀ/√hs + bias)·V, then the output projection.
 * Self-attention passes the same tensor twice. `bias` broadcasts to (B, H, Tq, Tk) or is null.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { tf } from "../backend/tf.ts";
 * import { createRng } from "../util/random.ts";
 * import { multiHeadAttention } from "./attention.ts";
 * import { makeDropout } from "./layers.ts";
 * import { disposeParams, ParamBuilder } from "./params.ts";
 * const b = new ParamBuilder(createRng(0), 0.02);
 * for (const n of ["q", "k", "v", "o"]) b.linear(n, 8, 8);
 * const names = { query: "q", key: "k", value: "v", output: "o" };
 * const y = tf.tidy(() => {
 *   const x = tf.randomNormal([2 * 3, 8]) as tf.Tensor2D;
 *   const dims = { batchSize: 2, queryLen: 3, keyLen: 3, numHeads: 2 };
 *   return multiHeadAttention(b.params, names, x, x, dims, null, makeDropout({ training: false }), 0);
 * });
 * assert(y.shape.join() === "6,8");
 * y.dispose();
 * disposeParams(b.params);
 * ```
 */
export function multiHeadAttention(
  params: Params,
  names: AttentionNames,
  query: Tensor2D,
  keyValue: Tensor2D,
  dims: AttentionDims,
  bias: Tensor | null,
  dropout: Dropout,
  dropoutRate: number,
): Tensor2D {
  const { batchSize: b, queryLen: tq, keyLen: tk, numHeads: h } = dims;
  const q = linear(params, names.query, query); // (B·Tq, C)
  const k = linear(params, names.key, keyValue); // (B·Tk, C)
  const v = linear(params, names.value, keyValue); // (B·Tk, C)
  // Dropout on the probabilities as a keep mask: the same draws as dropout(probs) would make.
  const mask = dropout.active && dropoutRate > 0 ? dropout(tf.ones([b, h, tq, tk]), dropoutRate) : null;
  const context = attentionCore(q, k, v, bias, mask, { batchSize: b, numHeads: h }); // (B·Tq, C)
  return linear(params, names.output, context);
}

/**
 * Key-padding bias (B, 1, 1, T) from a (B, T) 0/1 mask: 0 for real tokens, `MASKED_SCORE` for padding.
 * The caller disposes the result (or creates it inside a tidy).
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { paddingBias } from "./attention.ts";
 * const bias = paddingBias(new Uint8Array([1, 0]), 1, 2);
 * assert(bias.shape.join() === "1,1,1,2" && (await bias.data())[1] === -1e9);
 * bias.dispose();
 * ```
 */
export function paddingBias(mask: Uint8Array, batchSize: number, seqLen: number): Tensor4D {
  if (mask.length !== batchSize * seqLen) {
    throw new Error(`paddingBias: mask has ${mask.length} entries, expected B·T = ${batchSize}·${seqLen}`);
  }
  const values = new Float32Array(mask.length);
  for (let i = 0; i < mask.length; i++) values[i] = mask[i] ? 0 : MASKED_SCORE;
  return tf.tensor4d(values, [batchSize, 1, 1, seqLen]);
}

/**
 * Causal bias (1, 1, T, T): position t may attend to positions ≤ t only.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { causalBias } from "./attention.ts";
 * const bias = causalBias(2);
 * assert((await bias.data()).join() === [0, -1e9, 0, 0].join());
 * bias.dispose();
 * ```
 */
export function causalBias(seqLen: number): Tensor4D {
  const values = new Float32Array(seqLen * seqLen);
  for (let i = 0; i < seqLen; i++) for (let j = i + 1; j < seqLen; j++) values[i * seqLen + j] = MASKED_SCORE;
  return tf.tensor4d(values, [1, 1, seqLen, seqLen]);
}
