/**
 * The batch-size study's public pieces, re-exported for `mod.ts` in one line: the cell, its presets and
 * settings, its analysis, the time-to-target interpolation and the data-parallel cost model.
 *
 * @module
 */
export {
  BATCH_SIZE_PRESETS,
  batchSizeRun,
  batchSizeSettings,
  batchSizeStudy,
  scaledLr,
} from "./batch_size.ts";
export type { BatchSizeSettings, BatchSizeStudyOptions, BatchSizeStudyResult } from "./batch_size.ts";
export { analyzeBatchSizeStudy } from "./batch_size_analysis.ts";
export type {
  AnalysisSettings,
  BatchSizeAnalysis,
  NoiseScaleSummary,
  TargetRow,
} from "./batch_size_analysis.ts";
export {
  batchSizeFigures,
  dataParallelFigure,
  secondsToTargetFigure,
  stepsToTargetFigure,
} from "./batch_size_figures.ts";
export { targetCrossing } from "./time_to_target.ts";
export type { LossPoint, TargetCrossing } from "./time_to_target.ts";
export {
  computeSecondsAt,
  dataParallelTimes,
  ETHERNET_10G,
  fitComputeSeconds,
  ringAllReduceSeconds,
} from "./data_parallel.ts";
export type { ComputeModel, DataParallelRow, Network } from "./data_parallel.ts";
// Types the signatures above mention, from lower layers (the same declarations as there).
export type { StepsFit } from "../metrics/batch_scaling.ts";
export type { StudyTables } from "../study/definition.ts";
