/**
 * Training: AdamW, the train step, schedules, the wall-clock training loop and checkpoints.
 *
 * @module
 */
export {
  adamwUpdate,
  createAdamW,
  decayAllButBiasAndNorm,
  DEFAULT_ADAMW_CONFIG,
  disposeAdamW,
} from "./adamw.ts";
export type { AdamW, AdamWConfig } from "./adamw.ts";
export { trainStep } from "./train_step.ts";
export type { StepResult, TrainStepOptions } from "./train_step.ts";
