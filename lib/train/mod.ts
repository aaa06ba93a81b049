/**
 * Training: AdamW, the train step, schedules, the wall-clock training loop (single-process or data-parallel
 * over MPI) and checkpoints.
 *
 * @module
 */
export { ADAMW_DEFAULTS, adamwUpdate, createAdamW, decayAllButBiasAndNorm, disposeAdamW } from "./adamw.ts";
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

// Types from lower layers that the signatures above mention (public here too, so the docs are whole).
export type { Scalar, Tensor, Variable } from "../backend/tf.ts";
export type { BatchPosition, BatchStream } from "../data/batch_stream.ts";
export type { ClassificationBatch, EncoderInput, MlmBatch, Seq2SeqBatch } from "../data/types.ts";
export type { CollectiveBuffer, Communicator, ReduceOp } from "../distributed/communicator.ts";
export type { EncoderConfig, LayerNormPosition } from "../model/config.ts";
export type { ForwardOptions } from "../model/layers.ts";
export type { Params } from "../model/params.ts";
export type { Seq2SeqConfig } from "../model/seq2seq_config.ts";
export type { RngState } from "../util/random.ts";
