/**
 * Experiments: one pretraining call (`pretrainMlm`), and the run kinds the studies are made of — `mlm`,
 * `seq2seq`, `classify`, `prune`, `quantize` (and `linreg`, a run with a known answer) — each a `RunKind`
 * with frozen commented defaults, going through the wall-clock training loop and resuming from its run
 * directory. `RUN_KINDS` maps their names to them.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { RUN_KINDS } from "./mod.ts";
 * assert(["mlm", "seq2seq", "classify", "prune", "quantize"].every((k) => k in RUN_KINDS));
 * ```
 * @module
 */
export { DEMO_VOCAB_SIZE, PRETRAIN_DEFAULTS, pretrainMlm } from "./pretrain.ts";
export type { PretrainOptions } from "./pretrain.ts";
export { LINREG_DEFAULTS, linregKind } from "./linreg_kind.ts";
export type { LinregConfig } from "./linreg_kind.ts";
export type { Json, ParentRef, RunContext, RunKind, RunSummary } from "./run_kind.ts";
export { RUN_KINDS } from "./kinds.ts";
export type { AnyRunKind, KindConfig } from "./kinds.ts";
export type { ModelSize, TrainingLength } from "./kind_config.ts";
export { MLM_RUN_DEFAULTS, mlmRun } from "./mlm_run.ts";
export type { MlmData, MlmRunConfig } from "./mlm_run.ts";
export { SEQ2SEQ_RUN_DEFAULTS, seq2seqRun } from "./seq2seq_run.ts";
export type { Seq2SeqData, Seq2SeqDecode, Seq2SeqRunConfig, Seq2SeqSize } from "./seq2seq_run.ts";
export { CLASSIFY_RUN_DEFAULTS, classifyRun } from "./classify_run.ts";
export type { ClassifyRunConfig, ParentField } from "./classify_run.ts";
export type { ClassifyData, EvalSplit } from "./classification_data.ts";
export { PRUNE_RUN_DEFAULTS, pruneRun, pruneSchedule } from "./prune_run.ts";
export type { PruneRunConfig } from "./prune_run.ts";
export { QUANTIZE_RUN_DEFAULTS, quantizeRun } from "./quantize_run.ts";
export type { QuantizeRunConfig } from "./quantize_run.ts";
