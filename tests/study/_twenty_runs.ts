/**
 * A 20-run smoke study (5 batch sizes × 4 learning rates of linear regression, 20 steps each).
 *
 * @module
 */
import { linregKind } from "../../lib/experiments/linreg_kind.ts";

/** The study's definition. */
export const TWENTY_RUNS = {
  name: "twenty",
  kind: linregKind,
  base: { maxSteps: 20, evaluations: 4, dim: 8 },
  grid: { batchSize: [2, 4, 8, 16, 32], lr: [0.01, 0.02, 0.05, 0.1] },
};
