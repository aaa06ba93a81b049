/**
 * Models: named parameter records plus pure forward functions (RoBERTa-style encoder and MLM head).
 *
 * @module
 */
export { DEFAULT_ENCODER_CONFIG, encoderConfig } from "./config.ts";
export type { EncoderConfig, LayerNormPosition } from "./config.ts";
export { countParams, disposeParams, ParamBuilder } from "./params.ts";
export type { Params } from "./params.ts";
export { gatherRows, gelu, layerNorm, linear, makeDropout, param } from "./layers.ts";
export type { Dropout, ForwardOptions } from "./layers.ts";
export { causalBias, MASKED_SCORE, multiHeadAttention, paddingBias } from "./attention.ts";
export type { AttentionDims, AttentionNames } from "./attention.ts";
export { checkEncoderInput, encoderForward, initEncoder } from "./encoder.ts";
export type { EncoderInput, InitEncoderOptions } from "./encoder.ts";
export { mlmLogits, mlmLoss } from "./mlm.ts";
export { crossEntropy } from "./loss.ts";
export type { CrossEntropyOptions } from "./loss.ts";
export { flopsPerToken, paramCount } from "./size.ts";
export type { FlopsOptions, ParamCountOptions } from "./size.ts";
