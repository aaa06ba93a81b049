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
import type { Tensor, Tensor1D, Tensor2D, Tensor4D } from "../backend/tf.ts";
import { type Dropout, linear, param } from "./layers.ts";
import type { Params } from "./params.ts";
import { affine, attentionCore, selfAttentionCore } from "../backend/native/mod.ts";

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
 * Keys and values (B·T, C) that decoding keeps between steps for one attention sublayer. Self-attention's
 * (`"append"`) rows are grouped by position (row t·B + b), so that a step appends B rows at the end;
 * cross-attention's (`"reuse"`) rows are grouped by sequence (row b·S + s), as the memory's. `null` until the
 * first step fills them.
 */
export interface KeyValues {
  /** Keys. */
  k: Tensor2D | null;
  /** Values. */
  v: Tensor2D | null;
}

/**
 * How an attention call uses a `KeyValues` cache: `"append"` (self-attention while decoding: the keys and
 * values of `keyValue`, the new positions, are appended to the cached ones) or `"reuse"` (cross-attention:
 * the memory's keys and values are computed on the first call and reused after). The cache's new tensors are
 * `tf.keep`-ed; whoever owns the cache disposes the ones it replaces.
 */
export interface AttentionCache {
  /** The cached keys and values, updated in place. */
  kv: KeyValues;
  /** Append the new positions, or reuse what is there. */
  mode: "append" | "reuse";
}

// (B·T, C) rows grouped by sequence <-> grouped by position: a transpose of (B, T, C) to (T, B, C).
function regroup(x: Tensor2D, outer: number): Tensor2D {
  if (outer === 1 || x.shape[0] === outer) return x;
  const c = x.shape[1];
  return tf.reshape(tf.transpose(tf.reshape(x, [outer, -1, c]), [1, 0, 2]), [-1, c]) as Tensor2D;
}

function keysAndValues(
  params: Params,
  names: AttentionNames,
  keyValue: Tensor2D,
  b: number,
  cache: AttentionCache | undefined,
): [Tensor2D, Tensor2D] {
  if (cache?.mode === "reuse" && cache.kv.k && cache.kv.v) return [cache.kv.k, cache.kv.v];
  let k = linear(params, names.key, keyValue), v = linear(params, names.value, keyValue);
  if (cache) {
    cache.kv.k = tf.keep(cache.mode === "append" ? appendPositions(cache.kv.k, k, b) : k);
    cache.kv.v = tf.keep(cache.mode === "append" ? appendPositions(cache.kv.v, v, b) : v);
    if (cache.mode === "append") [k, v] = [cache.kv.k, cache.kv.v];
  }
  return [k, v];
}

// The cached (T·B, C), grouped by position, with the new (B·T', C), grouped by sequence, appended: one
// contiguous copy, no interleaving (a decoding step's T' = 1 rows are already in position order).
function appendPositions(past: Tensor2D | null, next: Tensor2D, b: number): Tensor2D {
  const rows = regroup(next, b);
  return past ? tf.concat([past, rows], 0) as Tensor2D : rows;
}

/** What `multiHeadAttention` attends with (everything but the parameter record). */
export interface AttentionOptions {
  /** Parameter names of the four projections. */
  names: AttentionNames;
  /** (B·Tq, C) query rows. */
  query: Tensor2D;
  /** (B·Tk, C) key/value rows; self-attention passes `query` again. */
  keyValue: Tensor2D;
  /** Batch size, lengths and heads. */
  dims: AttentionDims;
  /** Additive bias broadcasting to (B, H, Tq, Tk), or null (default). */
  bias?: Tensor | null;
  /** The step's dropout (`makeDropout`). */
  dropout: Dropout;
  /** Dropout rate on attention probabilities. Default 0. */
  dropoutRate?: number;
  /** Decoding cache of keys and values (then `dims.keyLen` is ignored). */
  cache?: AttentionCache;
}

/**
 * Attention of `query` rows over `keyValue` rows: softmax(QKᵀ/√hs + bias)·V, then the output projection.
 * Self-attention passes the same tensor twice. `bias` broadcasts to (B, H, Tq, Tk) or is null. With a
 * `cache` (decoding), the keys and values come from it and `dims.keyLen` is ignored.
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
 *   return multiHeadAttention(b.params, { names, query: x, keyValue: x, dims, dropout: makeDropout({ training: false }) });
 * });
 * assert(y.shape.join() === "6,8");
 * y.dispose();
 * disposeParams(b.params);
 * ```
 */
export function multiHeadAttention(params: Params, options: AttentionOptions): Tensor2D {
  const { names, query, keyValue, dims, bias = null, cache } = options;
  const { batchSize: b, queryLen: tq, numHeads: h } = dims;
  if (query === keyValue && cache === undefined) return selfAttention(params, options);
  const q = linear(params, names.query, query); // (B·Tq, C)
  const [k, v] = keysAndValues(params, names, keyValue, b, cache); // (B·Tk, C) each
  if (cache?.mode === "append") {
    const tk = k.shape[0] / b, c = q.shape[1];
    if (tq === 1 && bias === null && !dropsProbs(options)) {
      // One new position per sequence against keys grouped by position: the B sequences' heads are the
      // B·H heads of one sequence of width B·C, whose Tk rows are the cache as it is (no regrouping).
      const wide = (x: Tensor2D, rows: number) => tf.reshape(x, [rows, b * c]) as Tensor2D;
      const context = attentionCore(wide(q, 1), wide(k, tk), wide(v, tk), null, null, {
        batchSize: 1,
        numHeads: b * h,
      });
      return linear(params, names.output, tf.reshape(context, [b, c]) as Tensor2D);
    }
    return attend(params, options, q, regroup(k, tk), regroup(v, tk), tk);
  }
  return attend(params, options, q, k, v, cache ? k.shape[0] / b : dims.keyLen);
}

// Whether this call drops attention probabilities.
function dropsProbs({ dropout, dropoutRate = 0 }: AttentionOptions): boolean {
  return dropout.active && dropoutRate > 0;
}

// Dropout on the probabilities (B, H, Tq, Tk) as a keep mask, the same draws as dropout(probs) would make;
// null where nothing is dropped.
function probsKeepMask(options: AttentionOptions, tk: number): Tensor | null {
  const { dims: { batchSize: b, numHeads: h, queryLen: tq }, dropout, dropoutRate = 0 } = options;
  return dropsProbs(options) ? dropout(tf.ones([b, h, tq, tk]), dropoutRate) : null;
}

// Self-attention without a cache: the three projections as one GEMM with the weights stacked, (B·T, 3C)
// = [Q | K | V], attended in place (and its gradient one GEMM back to the input, not three and two adds).
function selfAttention(params: Params, options: AttentionOptions): Tensor2D {
  const { names, query, dims, bias = null } = options;
  const { batchSize: b, queryLen: t, numHeads: h } = dims;
  const stack = (part: string) =>
    tf.concat([names.query, names.key, names.value].map((n) => param(params, `${n}.${part}`)), 0);
  const qkv = affine(query, stack("weight") as Tensor2D, stack("bias") as Tensor1D);
  const mask = probsKeepMask(options, t);
  const context = selfAttentionCore(qkv, bias, mask, { batchSize: b, numHeads: h }); // (B·T, C)
  return linear(params, names.output, context);
}

// Attention over keys and values (B·Tk, C) grouped by sequence, then the output projection.
function attend(
  params: Params,
  options: AttentionOptions,
  q: Tensor2D,
  k: Tensor2D,
  v: Tensor2D,
  tk: number,
): Tensor2D {
  const { names, dims, bias = null } = options;
  const { batchSize: b, numHeads: h } = dims;
  const mask = probsKeepMask(options, tk);
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
 * Causal bias (1, 1, T, past + T): position t (counted after `past` earlier positions, which decoding keeps
 * in a cache) may attend to positions ≤ past + t only.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { tf } from "../backend/tf.ts";
 * import { causalBias } from "./attention.ts";
 * const bias = causalBias(2), next = causalBias(1, 2);
 * assert((await bias.data()).join() === [0, -1e9, 0, 0].join());
 * assert((await next.data()).join() === [0, 0, 0].join()); // the newest position sees all three
 * tf.dispose([bias, next]);
 * ```
 */
export function causalBias(seqLen: number, past = 0): Tensor4D {
  const tk = past + seqLen, values = new Float32Array(seqLen * tk);
  for (let i = 0; i < seqLen; i++) for (let j = past + i + 1; j < tk; j++) values[i * tk + j] = MASKED_SCORE;
  return tf.tensor4d(values, [1, 1, seqLen, tk]);
}
