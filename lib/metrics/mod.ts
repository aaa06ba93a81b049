/**
 * Metrics: sacreBLEU-exact BLEU and chrF, perplexity and accuracy.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { bleu, sentenceBleu } from "./mod.ts";
 * const corpus = bleu(["the cat sat"], [["the cat sat"]], { effectiveOrder: true });
 * assert(Math.abs(corpus.score - 100) < 1e-9);
 * assert(sentenceBleu("a b", ["c d"]).score === 0);
 * ```
 * @module
 */
export {
  bleu,
  BLEU_DEFAULTS,
  BLEU_MAX_ORDER,
  computeBleu,
  SENTENCE_BLEU_DEFAULTS,
  sentenceBleu,
} from "./bleu.ts";
export type { BleuOptions, BleuScore, BleuSmooth, BleuStatistics, BleuTokenizerName } from "./bleu.ts";
export { bleuTokenize } from "./bleu_tokenize.ts";
export { chrf, CHRF_DEFAULTS, sentenceChrf } from "./chrf.ts";
export type { ChrfOptions } from "./chrf.ts";
export { accuracy, perplexity } from "./perplexity.ts";
export type { AccuracyOptions } from "./perplexity.ts";
export { wilsonInterval } from "./interval.ts";
export { noiseScaleEstimate, noiseScaleParts } from "./noise_scale.ts";
export type {
  NoiseScaleBatches,
  NoiseScaleEstimate,
  NoiseScaleOptions,
  NoiseScaleSample,
} from "./noise_scale.ts";
export { criticalRange, fitStepsToTarget, stepsAt } from "./batch_scaling.ts";
export type { StepsFit, StepsPoint } from "./batch_scaling.ts";
