/**
 * When a run first reached a target validation loss, in steps, seconds or any other monotone counter,
 * interpolated between evaluation points. Pure functions on numbers (study cells apply them per run).
 *
 * Method: take the evaluation points in order; at the first point whose loss is at or below the target,
 * interpolate linearly between it and the point before: x* = x₀ + (L₀ − target)/(L₀ − L₁)·(x₁ − x₀). The
 * loss between evaluations is not observed, so this assumes it falls linearly there; with evaluations every
 * few percent of a run the error is a fraction of one evaluation interval. When the very first evaluation is
 * already at the target there is no earlier point: its own position is returned (an upper bound), flagged.
 *
 * @module
 */

/** One evaluation point: a position (steps, seconds, …) per counter and the validation loss there. */
export interface LossPoint {
  /** Validation loss at this point. */
  loss: number;
  /** Positions of this point, e.g. `{ step: 120, seconds: 14.2 }`. */
  at: Record<string, number>;
}

/** Where a run reached its target. */
export interface TargetCrossing {
  /** Whether any evaluation reached the target. */
  reached: boolean;
  /** "interpolated" between two evaluations, "first" (the first evaluation already reached it: an upper
   * bound), or "never". */
  how: "interpolated" | "first" | "never";
  /** Interpolated position per counter; null when never reached. */
  at: Record<string, number | null>;
}

/**
 * The first crossing of `target` by `points` (in evaluation order), interpolated linearly per counter.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { targetCrossing } from "./time_to_target.ts";
 * const points = [
 *   { loss: 7, at: { step: 100, seconds: 10 } },
 *   { loss: 6, at: { step: 200, seconds: 30 } },
 *   { loss: 5, at: { step: 300, seconds: 50 } },
 * ];
 * const c = targetCrossing(points, 5.5);
 * assert(c.how === "interpolated" && c.at.step === 250 && c.at.seconds === 40);
 * assert(targetCrossing(points, 4).how === "never");
 * ```
 */
export function targetCrossing(points: readonly LossPoint[], target: number): TargetCrossing {
  const counters = Object.keys(points[0]?.at ?? {});
  const i = points.findIndex((p) => p.loss <= target);
  if (i < 0) return { reached: false, how: "never", at: Object.fromEntries(counters.map((k) => [k, null])) };
  if (i === 0) return { reached: true, how: "first", at: { ...points[0].at } };
  const [a, b] = [points[i - 1], points[i]];
  const f = (a.loss - target) / (a.loss - b.loss); // in (0, 1]: a.loss > target ≥ b.loss
  const at: Record<string, number> = {};
  for (const k of counters) at[k] = a.at[k] + f * (b.at[k] - a.at[k]);
  return { reached: true, how: "interpolated", at };
}
