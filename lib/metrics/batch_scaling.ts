/**
 * The steps–batch-size trade-off of McCandlish et al. (2018, eq. 2.11): the optimizer steps S needed to
 * reach a target loss at batch size B follow S = S_min (1 + B_noise / B), and the examples E = S·B follow
 * E = E_min (1 + B / B_noise), with the critical batch B_crit = E_min / S_min = B_noise. This file fits
 * (S_min, B_noise) to measured (B, steps) pairs and names the critical range. Pure functions on numbers.
 *
 * Fit method (hand-written: a 2-parameter weighted least squares needs no library): S = a + c·(1/B) is
 * linear in 1/B, so a = S_min and c = S_min·B_noise come from least squares on relative residuals
 * ((S − a − c/B) / S, weights 1/S²: steps-to-target noise grows with S, and every batch size should count
 * alike). B_noise = c / a. Standard errors from the weighted residual variance (σ² (XᵀWX)⁻¹), then the
 * delta method for the ratio. When the fit has c ≤ 0 (bigger batches never saved steps) or a ≤ 0 (steps
 * fell as fast as 1/B everywhere: no saturation measured), B_noise is not identified and is null.
 *
 * @module
 */

/** One measurement: a batch size and the steps it took to reach the target. */
export interface StepsPoint {
  /** Examples per step. */
  batchSize: number;
  /** Optimizer steps to the target (may be fractional: interpolated). */
  steps: number;
}

/** The fitted S(B) = S_min (1 + B_noise / B). */
export interface StepsFit {
  /** "fit": both parameters identified; "no-saturation": steps fell like 1/B across the range (B_noise
   * above it); "no-benefit": larger batches did not reduce steps (B_noise below it). */
  regime: "fit" | "no-saturation" | "no-benefit";
  /** Minimum steps (infinite batch); null when not identified. */
  sMin: number | null;
  /** B_noise ≈ B_crit in examples; null when not identified. */
  bNoise: number | null;
  /** Standard error of sMin (null when not identified or with fewer than 3 points). */
  sMinStdErr: number | null;
  /** Standard error of bNoise (delta method; null as above). */
  bNoiseStdErr: number | null;
  /** Root mean square relative residual of the fit. */
  relRmse: number;
  /** Points fitted. */
  points: number;
}

/**
 * S(B) of a fit.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { stepsAt } from "./batch_scaling.ts";
 * assert(stepsAt({ sMin: 100, bNoise: 64 }, 64) === 200);
 * ```
 */
export function stepsAt(fit: { sMin: number; bNoise: number }, batchSize: number): number {
  return fit.sMin * (1 + fit.bNoise / batchSize);
}

/**
 * The critical range, [B_noise / 2, 2·B_noise]: at its lower end doubling B cuts steps by a third, at its
 * upper end by a sixth (perfect scaling would halve them; far above it doubling buys nothing).
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { criticalRange, stepsAt } from "./batch_scaling.ts";
 * const [lo, hi] = criticalRange(64);
 * assert(lo === 32 && hi === 128);
 * const f = { sMin: 1, bNoise: 64 };
 * assert(Math.abs(stepsAt(f, 2 * lo) / stepsAt(f, lo) - 2 / 3) < 1e-12);
 * ```
 */
export function criticalRange(bNoise: number): [number, number] {
  return [bNoise / 2, 2 * bNoise];
}

/**
 * Fits S = S_min (1 + B_noise / B) to measured points (see the module doc for the method). Needs at least
 * two distinct batch sizes; repeats (seeds) of one batch size are separate points.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { fitStepsToTarget } from "./batch_scaling.ts";
 * const points = [8, 32, 128, 512].map((b) => ({ batchSize: b, steps: 100 * (1 + 64 / b) }));
 * const fit = fitStepsToTarget(points);
 * assert(fit.regime === "fit" && Math.abs(fit.bNoise! - 64) < 1e-6 && Math.abs(fit.sMin! - 100) < 1e-6);
 * ```
 */
export function fitStepsToTarget(points: readonly StepsPoint[]): StepsFit {
  points.forEach((p, i) => {
    if (!(p.batchSize > 0 && p.steps > 0 && Number.isFinite(p.batchSize) && Number.isFinite(p.steps))) {
      throw new Error(
        `fitStepsToTarget: point ${i} needs batchSize > 0 and steps > 0, got ${JSON.stringify(p)}`,
      );
    }
  });
  if (new Set(points.map((p) => p.batchSize)).size < 2) {
    throw new Error(
      `fitStepsToTarget: needs at least two distinct batch sizes, got ${points.length} points; ` +
        "measure more batch sizes (or lower the target so more runs reach it)",
    );
  }
  const n = points.length;
  // Weighted least squares of S on [1, u], u = 1/B, weights 1/S².
  let sw = 0, su = 0, suu = 0, sy = 0, suy = 0;
  for (const p of points) {
    const w = 1 / (p.steps * p.steps), u = 1 / p.batchSize;
    sw += w, su += w * u, suu += w * u * u, sy += w * p.steps, suy += w * u * p.steps;
  }
  const det = sw * suu - su * su;
  const a = (suu * sy - su * suy) / det;
  const c = (sw * suy - su * sy) / det;
  const rms = (f: (b: number) => number) =>
    Math.sqrt(points.reduce((acc, p) => acc + ((p.steps - f(p.batchSize)) / p.steps) ** 2, 0) / n);
  if (c <= 0) {
    const mean = sy / sw; // the constant fit
    return { ...NONE, regime: "no-benefit", relRmse: rms(() => mean), points: n };
  }
  if (a <= 0) {
    const k = suy / suu; // S = k / B
    return { ...NONE, regime: "no-saturation", relRmse: rms((b) => k / b), points: n };
  }
  const relRmse = rms((b) => a + c / b);
  let sMinStdErr: number | null = null, bNoiseStdErr: number | null = null;
  if (n > 2) {
    const s2 = points.reduce((acc, p) => acc + (p.steps - a - c / p.batchSize) ** 2 / p.steps ** 2, 0) /
      (n - 2);
    const [vaa, vcc, vac] = [s2 * suu / det, s2 * sw / det, -s2 * su / det];
    sMinStdErr = Math.sqrt(vaa);
    // B = c/a: ∂B/∂c = 1/a, ∂B/∂a = −c/a².
    bNoiseStdErr = Math.sqrt(Math.max(0, vcc / (a * a) + (c * c * vaa) / a ** 4 - (2 * c * vac) / a ** 3));
  }
  return { regime: "fit", sMin: a, bNoise: c / a, sMinStdErr, bNoiseStdErr, relRmse, points: n };
}

const NONE = { sMin: null, bNoise: null, sMinStdErr: null, bNoiseStdErr: null };
