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
  const out: Schedule = { decay: "linear", finalLr: 0, ...s };
  if (!(out.peakLr > 0 && Number.isFinite(out.peakLr))) {
    throw new Error(`schedule: peakLr must be a positive number, got ${out.peakLr}`);
  }
  if (out.unit !== "steps" && out.unit !== "seconds") {
    throw new Error(`schedule: unit must be "steps" or "seconds", got ${JSON.stringify(out.unit)}`);
  }
  if (!(out.warmup >= 0)) throw new Error(`schedule: warmup must be ≥ 0, got ${out.warmup}`);
  if (!(out.total > 0) && (out.decay === "linear" || out.decay === "cosine")) {
    throw new Error(`schedule: total must be > 0 for ${out.decay} decay, got ${out.total}`);
  }
  if (!["linear", "inverse_sqrt", "cosine", "constant"].includes(out.decay)) {
    throw new Error(`schedule: decay must be linear, inverse_sqrt, cosine or constant, got ${out.decay}`);
  }
  if (!(out.finalLr >= 0 && out.finalLr <= out.peakLr)) {
    throw new Error(`schedule: finalLr must be in [0, peakLr], got ${out.finalLr}`);
  }
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
  budgetSeconds: number,
  options: { peakLr: number; warmupFraction?: number; decay?: DecayKind; finalLr?: number },
): Schedule {
  const f = options.warmupFraction ?? 0.06; // RoBERTa warms up for 6% of training
  if (!(f >= 0 && f < 1)) throw new Error(`budgetSchedule: warmupFraction must be in [0, 1), got ${f}`);
  return schedule({
    peakLr: options.peakLr,
    unit: "seconds",
    warmup: f * budgetSeconds,
    total: budgetSeconds,
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
