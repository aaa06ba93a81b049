/**
 * Training: AdamW, the train step, schedules, the wall-clock training loop (single-process or data-parallel
 * over MPI) and checkpoints.
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
export { applyGradients, stepGradients, trainStep } from "./train_step.ts";
export type { StepGradients, StepResult, TrainStepOptions } from "./train_step.ts";
export { runCommunicator, startDataParallel } from "./data_parallel.ts";
export type { DataParallel, Distributed } from "./data_parallel.ts";
export { budgetSchedule, learningRate, schedule } from "./schedule.ts";
export type { DecayKind, Schedule, SchedulePosition } from "./schedule.ts";
export { arraySource } from "./source.ts";
export { classificationTask, mlmTask, seq2seqTask } from "./task.ts";
export type { Task } from "./task.ts";
export { evaluate } from "./evaluate.ts";
export { train, trainRecords } from "./loop.ts";
export type {
  EvalContext,
  EvalHook,
  RunStatus,
  TrainCheckpointOptions,
  TrainerState,
  TrainOptions,
  TrainRecord,
  TrainResult,
} from "./loop.ts";
export { loadCheckpoint, loadParams, NonFiniteError, saveCheckpoint, saveParams } from "./checkpoint.ts";
export type {
  CheckpointContents,
  LoadCheckpointOptions,
  ParamsFileOptions,
  SaveCheckpointOptions,
} from "./checkpoint.ts";
export { CheckpointError, latestCheckpoint } from "./checkpoint_store.ts";
export { decodeSafetensors, encodeSafetensors } from "./safetensors.ts";
export type { Dtype, SafeTensor } from "./safetensors.ts";
