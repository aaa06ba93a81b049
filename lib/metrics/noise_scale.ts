/**
 * The gradient noise scale B_simple = tr(Σ) / |G|² (McCandlish et al. 2018, "An Empirical Model of
 * Large-Batch Training", App. A), estimated online from squared gradient norms measured at two batch sizes
 * in the same step: a micro-batch (B_small) and the accumulated batch (B_big). Pure functions on numbers.
 *
 * With E|G_B|² = |G|² + tr(Σ)/B for a batch of B examples, two batch sizes give unbiased estimates of
 *   |G|²   ≈ (B_big·|G_big|² − B_small·|G_small|²) / (B_big − B_small)
 *   tr(Σ)  ≈ (|G_small|² − |G_big|²) / (1/B_small − 1/B_big).
 * Each sample's ratio is very noisy (its denominator can be negative), so numerator and denominator are
 * averaged separately (an exponential moving average, as the paper does) and divided once.
 *
 * Vocabulary: a sample is one measurement of (|G_small|², |G_big|²), e.g. one step, or the mean over the
 * steps of one logging window (what the training loop records).
 *
 * @module
 */

/** One measurement: the mean squared norm of the micro-batch gradients and that of their average. */
export interface NoiseScaleSample {
  /** |G_small|²: mean over the micro-batches of their gradient's squared L2 norm. */
  gradSqSmall: number;
  /** |G_big|²: squared L2 norm of the accumulated (averaged) gradient. */
  gradSqBig: number;
}

/** The two batch sizes of a sample, in examples. */
export interface NoiseScaleBatches {
  /** Examples per micro-batch. */
  bSmall: number;
  /** Examples per accumulated batch (> bSmall). */
  bBig: number;
}

/** Options of {@linkcode noiseScaleEstimate}. */
export interface NoiseScaleOptions extends NoiseScaleBatches {
  /**
   * EMA decay per sample in [0, 1]: weight β^age, normalised (bias-corrected, so early samples are not
   * pulled toward 0). 1 weighs all samples equally (the ratio of the means). Default 0.9 (about the last 19
   * samples count), for a noise scale that drifts as training goes on.
   */
  decay?: number;
}

/** An estimate of B_simple with its standard error. */
export interface NoiseScaleEstimate {
  /** tr(Σ) / |G|² in examples; null when the smoothed |G|² is not positive (the signal is not resolved). */
  bSimple: number | null;
  /** Standard error of `bSimple` (see `noiseScaleEstimate`); null with it or with fewer than 2 samples. */
  stdErr: number | null;
  /** The smoothed tr(Σ) (per-example gradient variance, summed over parameters). */
  trSigma: number;
  /** The smoothed |G|² (squared norm of the true gradient). */
  gradSq: number;
  /** Effective number of samples behind the average, 1 / Σ wᵢ². */
  effectiveSamples: number;
}

function checkBatches(where: string, b: NoiseScaleBatches): void {
  if (!(b.bSmall > 0 && b.bBig > b.bSmall && Number.isFinite(b.bBig))) {
    throw new Error(
      `${where}: needs 0 < bSmall < bBig (finite), got bSmall ${b.bSmall}, bBig ${b.bBig}; ` +
        "accumulate at least two micro-batches per step",
    );
  }
}

/**
 * The unbiased estimates of |G|² and tr(Σ) from one sample.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { noiseScaleParts } from "./noise_scale.ts";
 * // |G|² = 1 and tr(Σ) = 8: E|G_B|² = 1 + 8/B, so |G_2|² = 5 and |G_8|² = 2.
 * const p = noiseScaleParts({ gradSqSmall: 5, gradSqBig: 2 }, { bSmall: 2, bBig: 8 });
 * assert(Math.abs(p.gradSq - 1) < 1e-12 && Math.abs(p.trSigma - 8) < 1e-12);
 * ```
 */
export function noiseScaleParts(
  sample: NoiseScaleSample,
  batches: NoiseScaleBatches,
): { gradSq: number; trSigma: number } {
  checkBatches("noiseScaleParts", batches);
  const { bSmall, bBig } = batches;
  return {
    gradSq: (bBig * sample.gradSqBig - bSmall * sample.gradSqSmall) / (bBig - bSmall),
    trSigma: (sample.gradSqSmall - sample.gradSqBig) / (1 / bSmall - 1 / bBig),
  };
}

/**
 * B_simple from a sequence of samples (oldest first): the EMA-weighted means of tr(Σ) and |G|² divided.
 *
 * Standard error: the ratio estimator's delta-method variance with the same weights,
 * Var ≈ Σ wᵢ² (Nᵢ − B·Dᵢ)² / D̄² · n/(n − 1) (n = effective samples, Nᵢ and Dᵢ the samples' tr(Σ) and
 * |G|²). It treats samples as independent; when each sample is the mean over a window of steps (as the
 * loop records them) this is the batch-means standard error, which also covers correlation between
 * nearby steps. It does not include the drift of the true B_simple across the averaged span.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { noiseScaleEstimate } from "./noise_scale.ts";
 * const samples = [{ gradSqSmall: 5.2, gradSqBig: 1.9 }, { gradSqSmall: 4.8, gradSqBig: 2.1 }];
 * const e = noiseScaleEstimate(samples, { bSmall: 2, bBig: 8, decay: 1 });
 * assert(Math.abs(e.bSimple! - 8) < 1e-9 && e.stdErr! > 0 && e.effectiveSamples === 2);
 * ```
 */
export function noiseScaleEstimate(
  samples: readonly NoiseScaleSample[],
  options: NoiseScaleOptions,
): NoiseScaleEstimate {
  checkBatches("noiseScaleEstimate", options);
  const decay = options.decay ?? 0.9;
  if (!(decay >= 0 && decay <= 1)) {
    throw new Error(`noiseScaleEstimate: decay must be in [0, 1], got ${decay}`);
  }
  const parts = samples.map((s, i) => {
    if (!Number.isFinite(s.gradSqSmall) || !Number.isFinite(s.gradSqBig)) {
      throw new Error(
        `noiseScaleEstimate: sample ${i} is not finite (gradSqSmall ${s.gradSqSmall}, gradSqBig ${s.gradSqBig})`,
      );
    }
    return noiseScaleParts(s, options);
  });
  const n = parts.length;
  if (n === 0) return { bSimple: null, stdErr: null, trSigma: NaN, gradSq: NaN, effectiveSamples: 0 };
  const raw = parts.map((_, i) => decay ** (n - 1 - i));
  const total = raw.reduce((a, b) => a + b, 0);
  const w = raw.map((x) => x / total);
  let trSigma = 0, gradSq = 0, w2 = 0;
  parts.forEach((p, i) => {
    trSigma += w[i] * p.trSigma;
    gradSq += w[i] * p.gradSq;
    w2 += w[i] * w[i];
  });
  const effectiveSamples = 1 / w2;
  if (!(gradSq > 0)) return { bSimple: null, stdErr: null, trSigma, gradSq, effectiveSamples };
  const bSimple = trSigma / gradSq;
  let v = 0;
  parts.forEach((p, i) => (v += (w[i] * (p.trSigma - bSimple * p.gradSq)) ** 2));
  const stdErr = effectiveSamples > 1.000001
    ? Math.sqrt(v * effectiveSamples / (effectiveSamples - 1)) / gradSq
    : null;
  return { bSimple, stdErr, trSigma, gradSq, effectiveSamples };
}
