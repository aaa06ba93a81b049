/**
 * Token-level cross-entropy with optional label smoothing and per-row weights.
 *
 * Shapes: N = rows (predicted positions), V = classes.
 *
 * @module
 */
import { tf } from "../backend/tf.ts";
import type { Scalar, Tensor1D, Tensor2D } from "../backend/tf.ts";
import { logSoftmax } from "../backend/native/mod.ts";
import { gatherRows } from "./layers.ts";

/** Options of `crossEntropy`. */
export interface CrossEntropyOptions {
  /** ε: the target is (1-ε)·onehot + ε/V, as PyTorch's `label_smoothing`. Default 0. */
  labelSmoothing?: number;
  /** (N) row weights (e.g. 0 for padding); the result is Σ wᵢ·lossᵢ / Σ wᵢ. Default: all 1. */
  weights?: Float32Array | Uint8Array;
}

/**
 * Mean cross-entropy of `logits` (N, V) against integer `labels` (N), as a scalar the caller disposes
 * (or creates inside a tidy). Matches `torch.nn.functional.cross_entropy(..., label_smoothing=ε)`.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { tf } from "../backend/tf.ts";
 * import { crossEntropy } from "./loss.ts";
 * // Uniform logits over 4 classes: loss = ln 4 whatever the label.
 * const loss = tf.tidy(() => crossEntropy(tf.zeros([2, 4]) as tf.Tensor2D, new Int32Array([0, 3])));
 * assert(Math.abs((await loss.data())[0] - Math.log(4)) < 1e-6);
 * loss.dispose();
 * ```
 */
export function crossEntropy(
  logits: Tensor2D,
  labels: Int32Array,
  options: CrossEntropyOptions = {},
): Scalar {
  const [n, v] = logits.shape;
  if (labels.length !== n) throw new Error(`crossEntropy: ${labels.length} labels for ${n} rows of logits`);
  for (let i = 0; i < n; i++) {
    if (!(labels[i] >= 0 && labels[i] < v)) {
      throw new Error(`crossEntropy: label ${labels[i]} at row ${i} is outside [0, ${v})`);
    }
  }
  const eps = options.labelSmoothing ?? 0;
  const logp = logSoftmax(logits); // (N, V)
  // log p at each row's label, picked as rows of the flattened (N·V, 1) matrix: no (N, V) one-hot.
  const index = Int32Array.from(labels, (label, i) => i * v + label);
  const picked = tf.reshape(gatherRows(tf.reshape(logp, [n * v, 1]), index), [n]) as Tensor1D;
  let rowLoss: Tensor1D = tf.neg(picked);
  if (eps > 0) rowLoss = tf.add(tf.mul(rowLoss, 1 - eps), tf.mul(tf.neg(tf.mean(logp, 1)), eps));
  if (options.weights === undefined) return tf.mean(rowLoss);
  if (options.weights.length !== n) {
    throw new Error(`crossEntropy: ${options.weights.length} weights for ${n} rows of logits`);
  }
  let total = 0;
  for (let i = 0; i < n; i++) total += options.weights[i];
  if (total <= 0) throw new Error("crossEntropy: all weights are zero; there is nothing to predict");
  const w = tf.tensor1d(Float32Array.from(options.weights));
  return tf.div(tf.sum(tf.mul(rowLoss, w)), total);
}
