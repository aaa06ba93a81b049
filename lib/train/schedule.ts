/**
 * Learning-rate schedules: linear warmup, then linear, inverse-square-root, cosine or constant decay, over
 * steps or over seconds of training time.
 *
 * A seconds-based schedule makes warmup and decay fractions of the wall-clock budget, as the academic-budget
 * BERT recipe (Izsak et al. 2021) found necessary: a step-based decay tuned for one model size ends too
 * early or too late for another under the same time budget.
 *
 * @module
 */

import { checkChoice, checkKeys, checkNumber } from "../util/options.ts";
/** Shape of the decay after warmup. */
export type DecayKind = "linear" | "inverse_sqrt" | "cosine" | "constant";

/** A schedule; `warmup` and `total` are in `unit`s (steps, or seconds of training time). */
export interface Schedule {
  /** Learning rate at the end of warmup. */
  peakLr: number;
  /** What the position is measured in. */
  unit: "steps" | "seconds";
  /** Length of the linear warmup from 0 to `peakLr`. */
  warmup: number;
  /** End of the decay (linear and cosine reach `finalLr` there and stay). Ignored by inverse_sqrt/constant. */
  total: number;
  /** Decay after warmup. */
  decay: DecayKind;
  /** Learning rate at `total` for linear and cosine decay. */
  finalLr: number;
}

/** Where training is: the 1-based index of the update being taken, and training seconds so far. */
export interface SchedulePosition {
  /** 1-based index of the update being taken. */
  step: number;
  /** Training seconds so far. */
  seconds: number;
}

/**
 * Validates and completes a schedule (defaults: linear decay to 0).
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { schedule } from "./schedule.ts";
 * const s = schedule({ peakLr: 1e-3, unit: "steps", warmup: 10, total: 100 });
 * assert(s.decay === "linear" && s.finalLr === 0);
 * ```
 */
export function schedule(
  s: Pick<Schedule, "peakLr" | "unit" | "warmup" | "total"> & Partial<Schedule>,
): Schedule {
  const w = "schedule";
  checkKeys(w, s, ["peakLr", "unit", "warmup", "total", "decay", "finalLr"]);
  const out: Schedule = { decay: "linear", finalLr: 0, ...s };
  checkNumber(w, "peakLr", out.peakLr, { above: 0 });
  checkChoice(w, "unit", out.unit, ["steps", "seconds"]);
  checkNumber(w, "warmup", out.warmup, { min: 0 });
  checkChoice(w, "decay", out.decay, ["linear", "inverse_sqrt", "cosine", "constant"]);
  if (out.decay === "linear" || out.decay === "cosine") checkNumber(w, "total", out.total, { above: 0 });
  else checkNumber(w, "total", out.total, { min: 0, infinite: true });
  checkNumber(w, "finalLr", out.finalLr, { min: 0, max: out.peakLr });
  return out;
}

/**
 * A seconds-based schedule whose warmup is `warmupFraction` of the budget and whose decay ends with it.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { budgetSchedule } from "./schedule.ts";
 * const s = budgetSchedule(180, { peakLr: 5e-4, warmupFraction: 0.1 });
 * assert(s.unit === "seconds" && s.warmup === 18 && s.total === 180);
 * ```
 */
export function budgetSchedule(
  seconds: number,
  options: { peakLr: number; warmupFraction?: number; decay?: DecayKind; finalLr?: number },
): Schedule {
  checkKeys("budgetSchedule", options, ["peakLr", "warmupFraction", "decay", "finalLr"]);
  checkNumber("budgetSchedule", "seconds", seconds, { above: 0 });
  const f = options.warmupFraction ?? 0.06; // RoBERTa warms up for 6% of training
  checkNumber("budgetSchedule", "warmupFraction", f, { min: 0, below: 1 });
  return schedule({
    peakLr: options.peakLr,
    unit: "seconds",
    warmup: f * seconds,
    total: seconds,
    decay: options.decay ?? "linear",
    finalLr: options.finalLr ?? 0,
  });
}

/**
 * The learning rate at `position`.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { learningRate, schedule } from "./schedule.ts";
 * const s = schedule({ peakLr: 1, unit: "steps", warmup: 10, total: 110 });
 * assert(learningRate(s, { step: 5, seconds: 0 }) === 0.5);
 * assert(learningRate(s, { step: 60, seconds: 0 }) === 0.5);
 * ```
 */
export function learningRate(s: Schedule, position: SchedulePosition): number {
  const x = s.unit === "steps" ? position.step : position.seconds;
  if (x < s.warmup) return s.peakLr * x / s.warmup;
  switch (s.decay) {
    case "constant":
      return s.peakLr;
    case "inverse_sqrt":
      return s.warmup > 0
        ? s.peakLr * Math.sqrt(s.warmup / Math.max(x, s.warmup))
        : s.peakLr / Math.sqrt(Math.max(x, 1));
    case "linear":
    case "cosine": {
      const span = s.total - s.warmup;
      const progress = span > 0 ? Math.min(1, Math.max(0, (x - s.warmup) / span)) : 1;
      const shape = s.decay === "linear" ? 1 - progress : 0.5 * (1 + Math.cos(Math.PI * progress));
      return s.finalLr + (s.peakLr - s.finalLr) * shape;
    }
  }
}
