/**
 * Models: named parameter records plus pure forward functions — a RoBERTa-style encoder with an MLM head,
 * a sequence classifier, and a BART-style encoder-decoder with greedy and beam-search decoding — and the
 * pieces they are built from (attention, the Transformer block, parameter records) for building your own.
 * The tensor ops underneath (GELU, LayerNorm, affine, dropout) are in `trainlarge/native`.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { disposeParams, encoderConfig, initEncoder, paramCount } from "trainlarge/model";
 * const config = encoderConfig({ vocabSize: 50, numLayers: 1, hiddenSize: 8, numHeads: 2, intermediateSize: 16 });
 * const params = initEncoder(config, 0);
 * assert(paramCount(params) === paramCount(config));
 * disposeParams(params);
 * ```
 * @module
 */
export { checkVocabulary, ENCODER_DEFAULTS, encoderConfig, modelShape } from "./config.ts";
export type { EncoderConfig, LayerNormPosition } from "./config.ts";
export { disposeParams, ParamBuilder } from "./params.ts";
export type { Params } from "./params.ts";
export { createRng, restoreRng } from "../util/random.ts";
export { gatherRows, makeDropout, param } from "./layers.ts";
export type { Dropout, ForwardOptions } from "./layers.ts";
export { causalBias, MASKED_SCORE, multiHeadAttention, paddingBias } from "./attention.ts";
export type {
  AttentionCache,
  AttentionDims,
  AttentionNames,
  AttentionOptions,
  KeyValues,
} from "./attention.ts";
export { transformerBlock } from "./block.ts";
export type { BlockCache, BlockNames, BlockOptions, BlockSettings, Memory } from "./block.ts";
export { checkEncoderInput, encoderForward, initEncoder } from "./encoder.ts";
export type { InitEncoderOptions } from "./encoder.ts";
export { mlmLogits, mlmLoss } from "./mlm.ts";
export { crossEntropy } from "./loss.ts";
export type { CrossEntropyOptions } from "./loss.ts";
export { flopsPerToken, paramCount } from "./size.ts";
export type { FlopsOptions, ParamCountOptions } from "./size.ts";
export { classificationLoss, classifierLogits, initClassifier } from "./classifier.ts";
export type { InitClassifierOptions } from "./classifier.ts";
export { SEQ2SEQ_DEFAULTS, seq2seqConfig } from "./seq2seq_config.ts";
export type { Seq2SeqConfig } from "./seq2seq_config.ts";
export {
  decoderCache,
  disposeDecoderCache,
  embeddingName,
  initSeq2Seq,
  selectCachedRows,
  seq2seqDecode,
  seq2seqDecoderStates,
  seq2seqEncode,
  seq2seqLogits,
  seq2seqLoss,
} from "./seq2seq.ts";
export type {
  DecoderCache,
  DecoderInput,
  DecoderOptions,
  Seq2SeqLossOptions,
  SourceInput,
} from "./seq2seq.ts";
export { beamSearch, greedyDecode } from "./decode.ts";
export type { BeamOptions, DecodeOptions } from "./decode.ts";

// Types from lower layers that the signatures above mention (public here too, so the docs are whole).
export type { Scalar, Tensor, Tensor2D, Tensor4D, Variable } from "../backend/tf.ts";
export type { ClassificationBatch, EncoderInput, MlmBatch, Seq2SeqBatch } from "../data/types.ts";
export type { Rng, RngState } from "../util/random.ts";
