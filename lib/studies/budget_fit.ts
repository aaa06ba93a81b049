/**
 * The fits behind `planBudget`, pure functions with their forms stated:
 *
 * - **Loss against training time, per model size**: L(t) = L∞ + A · t^(−α), the saturating power law of
 *   Kaplan et al. (2020, "Scaling Laws for Neural Language Models", eq. 1.x) written in time instead of
 *   compute. Fitted by least squares: for each α on a grid (0.02 … 3, log-spaced, then refined), L∞ and A
 *   are the linear least-squares solution in x = t^(−α); the α with the smallest squared error wins. A ≥ 0 and
 *   L∞ ≥ 0 are enforced (a negative fit is clamped and refitted with that parameter fixed at 0).
 * - **Accuracy against model size in bits, per model size**: the upper envelope of the measured points,
 *   interpolated linearly in log₂(bits) and constant beyond the largest measured size; nothing is
 *   extrapolated below the smallest measured size (such a model is not available).
 *
 * @module
 */

/** A fitted L(t) = lInf + a · t^(−alpha), and how well it fits. */
export interface PowerLawFit {
  /** The loss it tends to with unlimited time. */
  lInf: number;
  /** Scale of the reducible part. */
  a: number;
  /** Exponent. */
  alpha: number;
  /** Coefficient of determination on the fitted points. */
  r2: number;
  /** Root-mean-square error on the fitted points. */
  rmse: number;
  /** Points fitted. */
  n: number;
  /** Largest t fitted: predictions beyond it are extrapolations. */
  tMax: number;
}

function solve(xs: number[], ys: number[]): { lInf: number; a: number } {
  const n = xs.length;
  const mx = xs.reduce((s, x) => s + x, 0) / n, my = ys.reduce((s, y) => s + y, 0) / n;
  let sxx = 0, sxy = 0;
  for (let i = 0; i < n; i++) (sxx += (xs[i] - mx) ** 2), (sxy += (xs[i] - mx) * (ys[i] - my));
  let a = sxx > 0 ? sxy / sxx : 0;
  let lInf = my - a * mx;
  if (a < 0) [a, lInf] = [0, my];
  if (lInf < 0) {
    // refit through the origin: y = a x
    const sxx0 = xs.reduce((s, x) => s + x * x, 0), sxy0 = xs.reduce((s, x, i) => s + x * ys[i], 0);
    [lInf, a] = [0, sxx0 > 0 ? Math.max(0, sxy0 / sxx0) : 0];
  }
  return { lInf, a };
}

function sse(ts: number[], ys: number[], f: { lInf: number; a: number; alpha: number }): number {
  return ts.reduce((s, t, i) => s + (f.lInf + f.a * t ** -f.alpha - ys[i]) ** 2, 0);
}

/**
 * Fits L(t) = L∞ + A · t^(−α) to `(t, loss)` points (t > 0).
 *
 * @example
 * ```ts
 * import { assertAlmostEquals } from "@std/assert";
 * import { fitPowerLaw } from "./budget_fit.ts";
 * const ts = [1, 2, 4, 8, 16, 32, 64];
 * const fit = fitPowerLaw(ts.map((t) => ({ t, loss: 2 + 3 * t ** -0.5 })));
 * assertAlmostEquals(fit.lInf, 2, 1e-3);
 * assertAlmostEquals(fit.alpha, 0.5, 1e-3);
 * ```
 */
export function fitPowerLaw(points: readonly { t: number; loss: number }[]): PowerLawFit {
  const pts = points.filter((p) => p.t > 0 && Number.isFinite(p.loss));
  if (pts.length < 3) {
    throw new Error(`fitPowerLaw: need at least 3 points with t > 0 and a finite loss, got ${pts.length}`);
  }
  const ts = pts.map((p) => p.t), ys = pts.map((p) => p.loss);
  const fitAt = (alpha: number) => ({ ...solve(ts.map((t) => t ** -alpha), ys), alpha });
  let best = fitAt(0.02), bestErr = sse(ts, ys, best);
  for (let i = 1; i <= 80; i++) {
    const f = fitAt(0.02 * (150 ** (i / 80)));
    const e = sse(ts, ys, f);
    if (e < bestErr) [best, bestErr] = [f, e];
  }
  // golden-section refinement around the best grid point
  let lo = best.alpha / 1.07, hi = best.alpha * 1.07;
  for (let k = 0; k < 60; k++) {
    const m1 = lo + (hi - lo) * 0.382, m2 = lo + (hi - lo) * 0.618;
    if (sse(ts, ys, fitAt(m1)) < sse(ts, ys, fitAt(m2))) hi = m2;
    else lo = m1;
  }
  const refined = fitAt((lo + hi) / 2);
  if (sse(ts, ys, refined) < bestErr) [best, bestErr] = [refined, sse(ts, ys, refined)];
  const mean = ys.reduce((s, y) => s + y, 0) / ys.length;
  const sst = ys.reduce((s, y) => s + (y - mean) ** 2, 0);
  return {
    ...best,
    r2: sst > 0 ? 1 - bestErr / sst : 1,
    rmse: Math.sqrt(bestErr / ys.length),
    n: ys.length,
    tMax: Math.max(...ts),
  };
}

/** The fitted loss at time `t`. */
export function predictLoss(fit: PowerLawFit, t: number): number {
  return fit.lInf + fit.a * t ** -fit.alpha;
}

/**
 * Accuracy at a size budget of `bits` from measured `(sizeBits, accuracy)` points of one model: the best
 * accuracy among points no larger than the budget, interpolated in log₂(bits) along the upper envelope;
 * null when no point fits the budget.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { accuracyAtBits } from "./budget_fit.ts";
 * const pts = [{ sizeBits: 1024, accuracy: 0.4 }, { sizeBits: 4096, accuracy: 0.6 }];
 * assert(accuracyAtBits(pts, 2048) === 0.5 && accuracyAtBits(pts, 512) === null && accuracyAtBits(pts, 1e9) === 0.6);
 * ```
 */
export function accuracyAtBits(
  points: readonly { sizeBits: number; accuracy: number }[],
  bits: number,
): number | null {
  const env: { sizeBits: number; accuracy: number }[] = [];
  for (const p of [...points].sort((a, b) => a.sizeBits - b.sizeBits)) {
    if (env.length === 0 || p.accuracy > env.at(-1)!.accuracy) env.push(p);
  }
  if (env.length === 0 || bits < env[0].sizeBits) return null;
  for (let i = 1; i < env.length; i++) {
    if (bits < env[i].sizeBits) {
      const a = env[i - 1], b = env[i];
      const f = (Math.log2(bits) - Math.log2(a.sizeBits)) / (Math.log2(b.sizeBits) - Math.log2(a.sizeBits));
      return a.accuracy + f * (b.accuracy - a.accuracy);
    }
  }
  return env.at(-1)!.accuracy;
}
