/**
 * `attentionCore`: softmax(scale·QKᵀ + bias)·V over heads, one native kernel forward and one backward on
 * `native` (see `attention_kernels.ts`), the same composite tfjs math on every other backend.
 *
 * @module
 */
import { tf } from "../tf.ts";
import type { Tensor, Tensor2D } from "../tf.ts";
import { ATTENTION, ATTENTION_GRAD, onNative } from "./names.ts";

/** Sizes of one attention call. */
export interface AttentionCoreDims {
  /** B: sequences in the batch. */
  batchSize: number;
  /** H: heads; the width C must divide by it. */
  numHeads: number;
}

// A bias the kernel can read: (1 or B, 1, 1 or Tq, Tk), float32 (no per-head bias).
function kernelBias(bias: Tensor | null, b: number, tq: number, tk: number): boolean {
  if (bias === null) return true;
  const s = bias.shape;
  return bias.dtype === "float32" && s.length === 4 && (s[0] === 1 || s[0] === b) && s[1] === 1 &&
    (s[2] === 1 || s[2] === tq) && s[3] === tk;
}

function composite(
  q: Tensor2D,
  k: Tensor2D,
  v: Tensor2D,
  bias: Tensor | null,
  mask: Tensor | null,
  { batchSize: b, numHeads: h }: AttentionCoreDims,
  scale: number,
): Tensor2D {
  const c = q.shape[1], tq = q.shape[0] / b, tk = k.shape[0] / b;
  const split = (x: Tensor2D, t: number) => tf.transpose(tf.reshape(x, [b, t, h, c / h]), [0, 2, 1, 3]);
  let scores = tf.matMul(split(tf.mul(q, scale), tq), split(k, tk), false, true); // (B, H, Tq, Tk)
  if (bias !== null) scores = tf.add(scores, bias);
  let probs = tf.softmax(scores);
  if (mask !== null) probs = tf.mul(probs, mask);
  const context = tf.transpose(tf.matMul(probs, split(v, tk)), [0, 2, 1, 3]); // (B, Tq, H, D)
  return tf.reshape(context, [b * tq, c]);
}

/**
 * Multi-head attention of the rows of `q` (B·Tq, C) over `k` and `v` (B·Tk, C), each already projected:
 * head h uses columns [h·D, (h+1)·D), D = C/H. Computes softmax(QₕKₕᵀ/√D + bias)·Vₕ per sequence and head
 * and returns the heads side by side (B·Tq, C). `bias` broadcasts to (B, H, Tq, Tk) (e.g. a padding or
 * causal mask); `mask` (B, H, Tq, Tk) multiplies the probabilities (an inverted-dropout keep mask) or is
 * null. Gradients flow to `q`, `k` and `v`; `bias` and `mask` are constants.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { tf } from "../tf.ts";
 * import { attentionCore } from "./attention_op.ts";
 * // One sequence, one head, keys equal: uniform attention, so each output row is the mean of V's rows.
 * const q = tf.tensor2d([[1, 0], [0, 1]]), k = tf.tensor2d([[1, 1], [1, 1]]);
 * const v = tf.tensor2d([[1, 2], [3, 4]]);
 * const y = attentionCore(q, k, v, null, null, { batchSize: 1, numHeads: 1 });
 * assert((await y.data()).join() === "2,3,2,3");
 * ```
 */
export function attentionCore(
  q: Tensor2D,
  k: Tensor2D,
  v: Tensor2D,
  bias: Tensor | null,
  mask: Tensor | null,
  dims: AttentionCoreDims,
): Tensor2D {
  const { batchSize: b, numHeads: h } = dims;
  const c = q.shape[1], tq = q.shape[0] / b, tk = k.shape[0] / b;
  const scale = 1 / Math.sqrt(c / h);
  const native = onNative() &&
    [q, k, v].every((t) => t.dtype === "float32") && kernelBias(bias, b, tq, tk) &&
    (mask === null || (mask.dtype === "float32" && mask.size === b * h * tq * tk));
  if (!native) return tf.tidy(() => composite(q, k, v, bias, mask, dims, scale));
  return onKernels({ q, k, v }, bias, mask, { batchSize: b, numHeads: h, scale });
}

/**
 * Self-attention from one packed projection `qkv` (B·T, 3C) = [Q | K | V] (the three projections as one
 * GEMM, e.g. `affine` with the weights stacked): the same as `attentionCore` of its three column blocks, and
 * the gradient is one (B·T, 3C) tensor. On `native` the kernels read the blocks in place; elsewhere they are
 * split off first.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { tf } from "../tf.ts";
 * import { selfAttentionCore } from "./attention_op.ts";
 * // One sequence of two rows, one head of width 1, equal keys: each output is the mean of V.
 * const qkv = tf.tensor2d([[1, 1, 2], [2, 1, 4]]);
 * const y = selfAttentionCore(qkv, null, null, { batchSize: 1, numHeads: 1 });
 * assert((await y.data()).join() === "3,3");
 * ```
 */
export function selfAttentionCore(
  qkv: Tensor2D,
  bias: Tensor | null,
  mask: Tensor | null,
  dims: AttentionCoreDims,
): Tensor2D {
  const { batchSize: b, numHeads: h } = dims;
  const c = qkv.shape[1] / 3, t = qkv.shape[0] / b;
  if (!Number.isInteger(c)) throw new Error(`selfAttentionCore: qkv has ${qkv.shape[1]} columns, not 3·C`);
  const native = onNative() && qkv.dtype === "float32" && kernelBias(bias, b, t, t) &&
    (mask === null || (mask.dtype === "float32" && mask.size === b * h * t * t));
  if (!native) {
    return tf.tidy(() => {
      const [q, k, v] = tf.split(qkv, 3, 1) as Tensor2D[];
      return composite(q, k, v, bias, mask, dims, 1 / Math.sqrt(c / h));
    });
  }
  return onKernels({ qkv }, bias, mask, { batchSize: b, numHeads: h, scale: 1 / Math.sqrt(c / h) });
}

// The native kernels with a custom gradient: `inputs` are q, k, v or qkv (their gradients come back in
// that order); `bias` and `mask` are constants.
function onKernels(
  inputs: Record<string, Tensor>,
  bias: Tensor | null,
  mask: Tensor | null,
  attrs: { batchSize: number; numHeads: number; scale: number },
): Tensor2D {
  const names = Object.keys(inputs);
  const extra: Record<string, Tensor> = {};
  if (bias !== null) extra.bias = bias;
  if (mask !== null) extra.mask = mask;
  const run = tf.customGrad(
    ((...args: (Tensor | tf.GradSaveFunc)[]) => {
      const xs = args.slice(0, names.length) as Tensor[], save = args[names.length] as tf.GradSaveFunc;
      const named = Object.fromEntries(names.map((n, i) => [n, xs[i]]));
      const [ctx, probs] = tf.engine().runKernel(ATTENTION, { ...named, ...extra }, attrs) as Tensor[];
      save(mask === null ? [...xs, probs] : [...xs, probs, mask]);
      probs.dispose(); // the saved copy lives until the backward pass
      return {
        value: ctx,
        gradFunc: (dy: Tensor, saved: Tensor[]) => {
          const grads: Record<string, Tensor> = { dy, probs: saved[names.length] };
          names.forEach((n, i) => (grads[n] = saved[i]));
          if (saved[names.length + 1] !== undefined) grads.mask = saved[names.length + 1];
          return tf.engine().runKernel(ATTENTION_GRAD, grads, attrs) as Tensor[];
        },
      };
    }) as unknown as Parameters<typeof tf.customGrad>[0],
  );
  return run(...Object.values(inputs)) as Tensor2D;
}
