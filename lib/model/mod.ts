/**
 * Models: named parameter records plus pure forward functions — a RoBERTa-style encoder with an MLM head,
 * a sequence classifier, and a BART-style encoder-decoder with greedy and beam-search decoding.
 *
 * @module
 */
export { checkVocabulary, DEFAULT_ENCODER_CONFIG, encoderConfig, modelShape } from "./config.ts";
export type { EncoderConfig, LayerNormPosition } from "./config.ts";
export { countParams, disposeParams, ParamBuilder } from "./params.ts";
export type { Params } from "./params.ts";
export { gatherRows, gelu, layerNorm, linear, makeDropout, param } from "./layers.ts";
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
export type { EncoderInput, InitEncoderOptions } from "./encoder.ts";
export { mlmLogits, mlmLoss } from "./mlm.ts";
export { crossEntropy } from "./loss.ts";
export type { CrossEntropyOptions } from "./loss.ts";
export { flopsPerToken, paramCount } from "./size.ts";
export type { FlopsOptions, ParamCountOptions } from "./size.ts";
export { classificationLoss, classifierLogits, initClassifier } from "./classifier.ts";
export type { InitClassifierOptions } from "./classifier.ts";
export { DEFAULT_SEQ2SEQ_CONFIG, seq2seqConfig, seq2seqParamCount } from "./seq2seq_config.ts";
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
