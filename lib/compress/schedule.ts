/**
 * Zhu & Gupta (2017, "To prune, or not to prune") gradual pruning schedule:
 * `s_t = s_f + (s_i − s_f)(1 − (t − t0)/(nΔt))^3` at the pruning steps `t = t0, t0 + Δt, …, t0 + nΔt`.
 *
 * @module
 */
import { checkKeys } from "../util/options.ts";

/** The schedule's parameters (names follow the paper). */
export interface CubicSchedule {
  /** s_i: sparsity applied at the first pruning step. Default 0. */
  initialSparsity?: number;
  /** s_f: final sparsity, reached at step t0 + nΔt. */
  finalSparsity: number;
  /** t0: first pruning step. Default 0. */
  startStep?: number;
  /** n: number of pruning intervals. */
  pruneSteps: number;
  /** Δt: steps between pruning events. Default 1. */
  frequency?: number;
}

function resolved(s: CubicSchedule) {
  checkKeys("cubic schedule", s, [
    "finalSparsity",
    "initialSparsity",
    "startStep",
    "pruneSteps",
    "frequency",
  ]);
  const o = { initialSparsity: 0, startStep: 0, frequency: 1, ...s };
  for (const [k, v] of Object.entries(o)) {
    if (!Number.isFinite(v)) throw new Error(`cubic schedule: ${k} must be a finite number, got ${v}`);
  }
  if (!(o.pruneSteps >= 1) || !Number.isInteger(o.pruneSteps)) {
    throw new Error(`cubic schedule: pruneSteps must be an integer ≥ 1, got ${o.pruneSteps}`);
  }
  if (!(o.frequency >= 1) || !Number.isInteger(o.frequency)) {
    throw new Error(`cubic schedule: frequency must be an integer ≥ 1, got ${o.frequency}`);
  }
  for (const k of ["initialSparsity", "finalSparsity"] as const) {
    if (!(o[k] >= 0 && o[k] <= 1)) throw new Error(`cubic schedule: ${k} must be in [0, 1], got ${o[k]}`);
  }
  return o;
}

/**
 * Whether `step` is a pruning step (t0 + kΔt for k = 0..n).
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { isPruneStep } from "./schedule.ts";
 * const s = { finalSparsity: 0.9, startStep: 10, pruneSteps: 2, frequency: 5 };
 * assert([10, 15, 20].every((t) => isPruneStep(t, s)) && !isPruneStep(25, s) && !isPruneStep(12, s));
 * ```
 */
export function isPruneStep(step: number, schedule: CubicSchedule): boolean {
  const o = resolved(schedule);
  const k = (step - o.startStep) / o.frequency;
  return Number.isInteger(k) && k >= 0 && k <= o.pruneSteps;
}

/**
 * Target sparsity in force at `step`: 0 before t0, the formula at the latest pruning step ≤ `step`, and s_f
 * after t0 + nΔt.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { cubicSparsity } from "./schedule.ts";
 * const s = { finalSparsity: 0.8, pruneSteps: 4, frequency: 10 };
 * assert(cubicSparsity(0, s) === 0 && cubicSparsity(40, s) === 0.8);
 * assert(Math.abs(cubicSparsity(25, s) - 0.8 * (1 - 0.125)) < 1e-15); // latest prune step 20: 1 − (1/2)^3
 * ```
 */
export function cubicSparsity(step: number, schedule: CubicSchedule): number {
  const o = resolved(schedule);
  if (step < o.startStep) return 0;
  const k = Math.min(Math.floor((step - o.startStep) / o.frequency), o.pruneSteps);
  const progress = k / o.pruneSteps; // (t − t0)/(nΔt) at the latest pruning step
  return o.finalSparsity + (o.initialSparsity - o.finalSparsity) * (1 - progress) ** 3;
}
