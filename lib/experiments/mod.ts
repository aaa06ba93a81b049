/**
 * Experiments: whole runs made of the lower layers — `pretrainMlm` (one wall-clock MLM pretraining run on
 * the bundled corpus), the resumable batch sources it trains on, and the `RunKind` contract every kind of
 * run implements for the study layer.
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
export { mlmSource, mlmValidationBatches } from "./mlm_source.ts";
export type { MlmSource } from "./mlm_source.ts";
export type { Json, ParentRef, RunContext, RunKind, RunSummary } from "./run_kind.ts";
export { LINREG_DEFAULTS, linregKind } from "./linreg_kind.ts";
export type { LinregConfig } from "./linreg_kind.ts";

// Types from lower layers that the signatures above mention (public here too, so the docs are whole).
export type { BatchPosition } from "../data/batch_position.ts";
export type { BpeSpec, BpeTokenizer } from "../data/bpe_tokenizer.ts";
export type { MlmBatchOptions } from "../data/mlm_batches.ts";
export type { TokenizedDocs } from "../data/token_cache.ts";
export type { MlmBatch, SpecialIds, Tokenizer } from "../data/types.ts";
export type { WordNetTokenized } from "../data/wordnet_tokenized.ts";
export type { EncoderConfig, LayerNormPosition } from "../model/config.ts";
export type { RunStatus, TrainerState, TrainRecord, TrainResult } from "../train/loop.ts";
export type { DecayKind, Schedule } from "../train/schedule.ts";
export type { BatchSource } from "../train/source.ts";
export type { RngState } from "../util/random.ts";
