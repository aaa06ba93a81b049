/**
 * The paper's studies as one-call notebook cells. Each takes `scale: "smoke" | "demo" | "full"` (plus
 * `store`, `seeds`, `executor` and overrides of any run field), is cached and resumable through the study
 * store, and resolves to a `StudyResult` `{ name, dir, records, runs, figures }`.
 *
 * @example
 * ```ts ignore
 * import { pretrainSweep, show } from "trainlarge";
 * const study = await pretrainSweep({ scale: "demo" });
 * await show(study.runs);
 * ```
 * @module
 */
export { CELL_OPTION_KEYS, resolveScale, SCALES } from "./cell.ts";
export type { CellOptions, Scale } from "./cell.ts";
export { PRETRAIN_SWEEP_PRESETS, pretrainSweep } from "./pretrain_sweep.ts";
export type { PretrainPreset, PretrainSweepOptions, SweepSize } from "./pretrain_sweep.ts";
export { TRANSLATION_SWEEP_PRESETS, translationSweep } from "./translation_sweep.ts";
export type { TranslationPreset, TranslationSize, TranslationSweepOptions } from "./translation_sweep.ts";
export { BLEU, finalPoints, finalVsParams, metricCurves, PERPLEXITY, sizeLabel } from "./size_figures.ts";
export type { Row, SizeMetric } from "./size_figures.ts";
export { COMPRESSION_PRESETS, compressionStudy } from "./compression.ts";
export type {
  CompressionPreset,
  CompressionSize,
  CompressionStudyOptions,
  CompressionStudyResult,
} from "./compression.ts";
export {
  frontierFigure,
  paretoFrontier,
  pruningFigure,
  quantizationFigure,
  winnersTable,
} from "./compression_figures.ts";
export type { CompressionPoint } from "./compression_figures.ts";
export * from "./batch_size_public.ts";
export { fitSizes, planBudget } from "./plan_budget.ts";
export type { BudgetPlan, PlanBudgetOptions } from "./plan_budget.ts";
export { accuracyAtBits, fitPowerLaw, predictLoss } from "./budget_fit.ts";
export type { PowerLawFit } from "./budget_fit.ts";

// Types from lower layers that the signatures above mention (public here too, so the docs are whole).
export type { DataFrame } from "../display/data_frame.ts";
export type { Figure, Trace } from "../display/figure.ts";
export type { ProgressMode } from "../display/progress.ts";
export type { ClassifyData, EvalSplit } from "../experiments/classification_data.ts";
export type { ClassifyRunConfig } from "../experiments/classify_run.ts";
export type { ModelSize, TrainingLength } from "../experiments/kind_config.ts";
export type { MlmData, MlmRunConfig } from "../experiments/mlm_run.ts";
export type { PruneRunConfig } from "../experiments/prune_run.ts";
export type { Json, ParentRef } from "../experiments/run_kind.ts";
export type {
  Seq2SeqData,
  Seq2SeqDecode,
  Seq2SeqRunConfig,
  Seq2SeqSize,
} from "../experiments/seq2seq_run.ts";
export type {
  ExecutorSpec,
  InlineExecutor,
  LocalExecutorSpec,
  ProcessesExecutor,
} from "../study/executors.ts";
export type { StudyResult } from "../study/runner.ts";
export type { SlurmExecutor } from "../study/slurm/options.ts";
