/**
 * Experiments: whole runs made of the lower layers — `pretrainMlm` (one wall-clock MLM pretraining run on
 * the bundled corpus), the `RunKind` contract every kind of run implements for the study layer, and the
 * run kinds themselves (MLM pretraining, translation, classification finetuning, gradual pruning,
 * quantization, and a linear regression with a known answer).
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { PRETRAIN_DEFAULTS } from "trainlarge/experiments";
 * assert(PRETRAIN_DEFAULTS.seconds > 0);
 * ```
 * @module
 */
export { DEMO_VOCAB_SIZE, PRETRAIN_DEFAULTS, pretrainMlm } from "./pretrain.ts";
export type { PretrainOptions } from "./pretrain.ts";
export type { Json, ParentRef, RunContext, RunKind, RunSummary } from "./run_kind.ts";

// Run kinds (one line each): what a study's runs are, by object or by name (`RUN_KINDS`).
export { RUN_KINDS } from "./kinds.ts";
export type { KindConfig } from "./kinds.ts";
export { LINREG_DEFAULTS, linregKind } from "./linreg_kind.ts";
export { MLM_RUN_DEFAULTS, mlmRun } from "./mlm_run.ts";
export { SEQ2SEQ_RUN_DEFAULTS, seq2seqRun } from "./seq2seq_run.ts";
export { CLASSIFY_RUN_DEFAULTS, classifyRun } from "./classify_run.ts";
export { PRUNE_RUN_DEFAULTS, pruneRun, pruneSchedule } from "./prune_run.ts";
export { QUANTIZE_RUN_DEFAULTS, quantizeRun } from "./quantize_run.ts";
export type { LinregConfig } from "./linreg_kind.ts";
export type { MlmRunConfig } from "./mlm_run.ts";
export type { Seq2SeqRunConfig } from "./seq2seq_run.ts";
export type { ClassifyRunConfig } from "./classify_run.ts";
export type { PruneRunConfig } from "./prune_run.ts";
export type { QuantizeRunConfig } from "./quantize_run.ts";
export type { ClassifyData, EvalSplit } from "./classification_data.ts";
export type { ModelSize, TrainingLength } from "./kind_config.ts";
export type { AnyRunKind } from "./kinds.ts";
export type { MlmData } from "./mlm_run.ts";
export type { Seq2SeqData, Seq2SeqDecode, Seq2SeqSize } from "./seq2seq_run.ts";

// Types from lower layers that the signatures above mention (public here too, so the docs are whole).
export type { BpeSpec, BpeTokenizer } from "../data/bpe_tokenizer.ts";
export type { TokenizedDocs } from "../data/token_cache.ts";
export type { SpecialIds, Tokenizer } from "../data/types.ts";
export type { WordNetTokenized } from "../data/wordnet_tokenized.ts";
export type { EncoderConfig, LayerNormPosition } from "../model/config.ts";
export type { RunStatus, TrainerState, TrainRecord, TrainResult } from "../train/loop.ts";
export type { DecayKind, Schedule } from "../train/schedule.ts";
export type { RngState } from "../util/random.ts";
