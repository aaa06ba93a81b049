/**
 * Perplexity and accuracy from already-reduced numbers: the evaluation loop sums token losses and counts
 * on its own (so it can read one scalar per batch), and these turn the totals into reported metrics.
 *
 * @module
 */
import { checkKeys } from "../util/options.ts";

/**
 * Perplexity `exp(summedLoss / tokenCount)` from a sum of per-token natural-log cross-entropies.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { perplexity } from "./perplexity.ts";
 * // A uniform guess over 4 symbols has loss ln 4 per token: perplexity 4.
 * assert(Math.abs(perplexity(10 * Math.log(4), 10) - 4) < 1e-12);
 * ```
 */
export function perplexity(summedLoss: number, tokenCount: number): number {
  if (!Number.isFinite(summedLoss)) {
    throw new Error(`perplexity: summedLoss must be finite, got ${summedLoss}`);
  }
  if (!(tokenCount > 0)) {
    throw new Error(`perplexity: tokenCount must be > 0, got ${tokenCount} (no tokens were scored)`);
  }
  return Math.exp(summedLoss / tokenCount);
}

/** Options of `accuracy`. */
export interface AccuracyOptions {
  /** Label value to skip (e.g. -100 for unmasked MLM positions, HF convention). Default: none. */
  ignoreIndex?: number;
}

/**
 * Fraction of positions where `predictions[i] === labels[i]`, skipping `ignoreIndex` labels.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { accuracy } from "./perplexity.ts";
 * assert(accuracy([1, 2, 3, 4], [1, 2, 0, -100], { ignoreIndex: -100 }) === 2 / 3);
 * ```
 */
export function accuracy(
  predictions: ArrayLike<number>,
  labels: ArrayLike<number>,
  options: AccuracyOptions = {},
): number {
  checkKeys("accuracy", options, ["ignoreIndex"]);
  if (predictions.length !== labels.length) {
    throw new Error(`accuracy: ${predictions.length} predictions but ${labels.length} labels`);
  }
  let correct = 0, counted = 0;
  for (let i = 0; i < labels.length; i++) {
    if (options.ignoreIndex !== undefined && labels[i] === options.ignoreIndex) continue;
    counted++;
    if (predictions[i] === labels[i]) correct++;
  }
  if (counted === 0) throw new Error("accuracy: every label is ignoreIndex, nothing to score");
  return correct / counted;
}
