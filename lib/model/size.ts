/**
 * Parameter counts and training-cost estimates.
 *
 * `paramCount` of a config is a closed formula (tests check it against the built parameter record);
 * `flopsPerToken` counts multiply-adds as 2 FLOPs and training as 3x forward (forward + two backward matMuls
 * per weight).
 *
 * @module
 */
import type { EncoderConfig } from "./config.ts";
import type { Params } from "./params.ts";
import type { Seq2SeqConfig } from "./seq2seq_config.ts";

/** What `paramCount` of an encoder config includes. */
export interface ParamCountOptions {
  /** Count the MLM head (dense + LayerNorm + bias; its projection is tied). Default true. */
  mlmHead?: boolean;
}

/**
 * Number of scalars in a model: counted in a parameter record, or computed exactly from a config before
 * anything is built (what `initEncoder(config, seed, options)` or `initSeq2Seq(config, seed)` would create).
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { tf } from "../backend/tf.ts";
 * import { encoderConfig } from "./config.ts";
 * import { seq2seqConfig } from "./seq2seq_config.ts";
 * import { paramCount } from "./size.ts";
 * // A record: 2·3 scalars.
 * const w = tf.variable(tf.zeros([2, 3]));
 * assert(paramCount({ w }) === 6);
 * w.dispose();
 * // HF roberta-base's RobertaModel has 124,645,632 parameters, including a pooler (768² + 768) and a
 * // one-row token-type table (768) that this encoder does not have.
 * const base = encoderConfig({ vocabSize: 50265, numLayers: 12, hiddenSize: 768, numHeads: 12, intermediateSize: 3072, maxPositions: 514 });
 * assert(paramCount(base, { mlmHead: false }) === 124_645_632 - (768 * 768 + 768) - 768);
 * // shared 20; per side positions 6 + embedding norm 4; encoder layer 4·6 + 4 + 12 + 10 + 4 = 54;
 * // decoder layer 54 + cross-attention 24 + its norm 4 = 82; final_logits_bias 10.
 * const s = seq2seqConfig({ vocabSize: 10, encoderLayers: 1, decoderLayers: 1, hiddenSize: 2, numHeads: 1, intermediateSize: 4, maxPositions: 3 });
 * assert(paramCount(s) === 20 + 2 * 10 + 54 + 82 + 10);
 * ```
 */
export function paramCount(
  model: EncoderConfig | Seq2SeqConfig | Params,
  options: ParamCountOptions = {},
): number {
  if (typeof model.hiddenSize !== "number") {
    let n = 0;
    for (const v of Object.values(model as Params)) n += v.size;
    return n;
  }
  return "encoderLayers" in model
    ? seq2seqCount(model as Seq2SeqConfig)
    : encoderCount(model as EncoderConfig, options);
}

function encoderCount(config: EncoderConfig, options: ParamCountOptions): number {
  const { vocabSize: v, hiddenSize: c, intermediateSize: f, numLayers: l } = config;
  const embeddings = v * c + config.maxPositions * c + 2 * c;
  const layer = 4 * (c * c + c) + 2 * c + (c * f + f) + (f * c + c) + 2 * c;
  const finalNorm = config.layerNorm === "pre" ? 2 * c : 0;
  const head = (options.mlmHead ?? true) ? c * c + c + 2 * c + v : 0;
  return embeddings + l * layer + finalNorm + head;
}

function seq2seqCount(config: Seq2SeqConfig): number {
  const { vocabSize: v, hiddenSize: c, intermediateSize: f } = config;
  const embeddings = (config.shareEmbeddings ? 1 : 2) * v * c;
  const perSide = config.maxPositions * c + 2 * c + (config.layerNorm === "pre" ? 2 * c : 0);
  const attention = 4 * (c * c + c) + 2 * c;
  const ffn = (c * f + f) + (f * c + c) + 2 * c;
  const encoderLayer = attention + ffn, decoderLayer = 2 * attention + ffn;
  return embeddings + 2 * perSide + config.encoderLayers * encoderLayer +
    config.decoderLayers * decoderLayer + v;
}

/** Sequence-dependent inputs of `flopsPerToken`. */
export interface FlopsOptions {
  /** T: tokens per sequence (attention cost grows with it). Default `config.maxPositions`. */
  seqLen?: number;
  /** Fraction of tokens the MLM head predicts at. Default 0.15 (BERT/RoBERTa masking rate). */
  maskFraction?: number;
}

/**
 * Estimated training FLOPs per input token of MLM pretraining: 6 × (non-embedding weights) for the
 * linears, 12·L·T·C for attention scores and mixing, and 6 × maskFraction × (C² + C·V) for the head.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { encoderConfig } from "./config.ts";
 * import { flopsPerToken } from "./size.ts";
 * const c = encoderConfig({ vocabSize: 100, numLayers: 1, hiddenSize: 4, numHeads: 1, intermediateSize: 16 });
 * // linears 6·(4·4² + 2·4·16) = 1152; attention 12·1·10·4 = 480; head 6·0.5·(4² + 4·100) = 1248
 * assert(flopsPerToken(c, { seqLen: 10, maskFraction: 0.5 }) === 1152 + 480 + 1248);
 * ```
 */
export function flopsPerToken(config: EncoderConfig, options: FlopsOptions = {}): number {
  const { vocabSize: v, hiddenSize: c, intermediateSize: f, numLayers: l } = config;
  const t = options.seqLen ?? config.maxPositions;
  const maskFraction = options.maskFraction ?? 0.15;
  const linearWeights = l * (4 * c * c + 2 * c * f);
  return 6 * linearWeights + 12 * l * t * c + 6 * maskFraction * (c * c + c * v);
}
