/**
 * Confidence intervals for proportions (accuracy over n examples), so studies can show whether two
 * accuracies differ by more than the evaluation noise.
 *
 * @module
 */

/**
 * Wilson score interval for `correct` successes out of `n` (default 95%, z = 1.96): better behaved than
 * the normal approximation near 0 and 1 and for small n (Wilson 1927; Brown, Cai & DasGupta 2001).
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { wilsonInterval } from "./interval.ts";
 * // 50 of 100: 0.5 ± 0.0961 (centre (50 + 1.92) / 103.84 = 0.5).
 * const [lo, hi] = wilsonInterval(50, 100);
 * assert(Math.abs(lo - 0.40383) < 1e-5 && Math.abs(hi - 0.59617) < 1e-5);
 * ```
 */
export function wilsonInterval(correct: number, n: number, z = 1.96): [number, number] {
  if (!Number.isInteger(n) || n <= 0) {
    throw new Error(`wilsonInterval: n must be a positive integer, got ${n}`);
  }
  if (!(correct >= 0 && correct <= n)) {
    throw new Error(`wilsonInterval: correct must be in [0, n], got ${correct}`);
  }
  const p = correct / n, z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt(p * (1 - p) / n + z2 / (4 * n * n));
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}
