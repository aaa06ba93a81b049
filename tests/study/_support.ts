/**
 * Run kinds for the study tests: linear regression wrapped to count runs, to fail on request, and to
 * diverge. All use the real training loop and checkpoints.
 *
 * @module
 */
import { type LinregConfig, linregKind } from "../../lib/experiments/linreg_kind.ts";
import type { RunKind } from "../../lib/experiments/run_kind.ts";

/** How many times each wrapped kind's `run` was entered, by config hash-free label. */
export const started: string[] = [];

/** linreg, counting runs; `noise: 13` makes `run` throw (a failing run). */
export const countingKind: RunKind<LinregConfig> = {
  ...linregKind,
  name: "linreg-counting",
  async *run(c, ctx) {
    started.push(`${c.batchSize}/${c.lr}/${c.seed}`);
    if (c.noise === 13) throw new Error("unlucky noise level 13");
    return yield* linregKind.run(c, ctx);
  },
};

/** Fields that measure time and so differ between two runs of the same config. */
export const TIMING = ["seconds", "wallSeconds", "tokensPerSecond", "evalSeconds"];

/** A record without its timing fields. */
export function untimed(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).filter(([k]) => !TIMING.includes(k)));
}
