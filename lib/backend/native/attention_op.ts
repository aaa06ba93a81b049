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
  const attrs = { batchSize: b, numHeads: h, scale };
  const extra: Record<string, Tensor> = {};
  if (bias !== null) extra.bias = bias;
  if (mask !== null) extra.mask = mask;
  const run = tf.customGrad(
    ((qi: Tensor, ki: Tensor, vi: Tensor, save: tf.GradSaveFunc) => {
      const [ctx, probs] = tf.engine().runKernel(
        ATTENTION,
        { q: qi, k: ki, v: vi, ...extra },
        attrs,
      ) as Tensor[];
      save(mask === null ? [qi, ki, vi, probs] : [qi, ki, vi, probs, mask]);
      probs.dispose(); // the saved copy lives until the backward pass
      return {
        value: ctx,
        gradFunc: (dy: Tensor, saved: Tensor[]) => {
          const [sq, sk, sv, sp, sm] = saved;
          const inputs: Record<string, Tensor> = { dy, q: sq, k: sk, v: sv, probs: sp };
          if (sm !== undefined) inputs.mask = sm;
          return tf.engine().runKernel(ATTENTION_GRAD, inputs, attrs) as Tensor[];
        },
      };
    }) as unknown as Parameters<typeof tf.customGrad>[0],
  );
  return run(q, k, v) as Tensor2D;
}
