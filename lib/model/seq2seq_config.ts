/**
 * Encoder-decoder (translation) configuration and its exact parameter count.
 *
 * @module
 */
import { DEFAULT_ENCODER_CONFIG, type EncoderConfig, encoderConfig, modelShape } from "./config.ts";
import { checkKeys, OptionError } from "../util/options.ts";

/** Shape of a BART-style encoder-decoder; the shared fields mean what they mean in `EncoderConfig`. */
export interface Seq2SeqConfig extends Omit<EncoderConfig, "numLayers"> {
  /** Encoder layers. */
  encoderLayers: number;
  /** Decoder layers. */
  decoderLayers: number;
  /** One embedding table for source, target and output (`model.shared`), or one per side. */
  shareEmbeddings: boolean;
}

/** Defaults: a Transformer-base layer shape scaled down to train on 2 cores. */
export const DEFAULT_SEQ2SEQ_CONFIG: Readonly<Seq2SeqConfig> = Object.freeze({
  ...(({ numLayers: _, ...rest }) => rest)(DEFAULT_ENCODER_CONFIG),
  encoderLayers: 3, // the paper's translation runs vary depth; 3+3 keeps CPU steps short
  decoderLayers: 3,
  shareEmbeddings: true, // a joint source-target BPE vocabulary, as in the paper's WMT setup
});

/**
 * Merges `overrides` onto the defaults and validates them, naming the bad field.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { seq2seqConfig } from "./seq2seq_config.ts";
 * const c = seq2seqConfig({ encoderLayers: 2, decoderLayers: 1 });
 * assert(c.decoderLayers === 1 && c.shareEmbeddings);
 * ```
 */
export function seq2seqConfig(overrides: Partial<Seq2SeqConfig> = {}): Seq2SeqConfig {
  checkKeys("seq2seq config", overrides, Object.keys(DEFAULT_SEQ2SEQ_CONFIG));
  const width = overrides.hiddenSize ?? DEFAULT_SEQ2SEQ_CONFIG.hiddenSize;
  const c: Seq2SeqConfig = { ...DEFAULT_SEQ2SEQ_CONFIG, ...modelShape(width, overrides), ...overrides };
  for (const k of ["encoderLayers", "decoderLayers"] as const) {
    if (!Number.isInteger(c[k]) || c[k] < 1) {
      throw new OptionError("seq2seq config", k, `${k} must be a positive integer, got ${c[k]}`);
    }
  }
  const { encoderLayers: _e, decoderLayers: _d, shareEmbeddings: _s, ...shared } = c;
  encoderConfig({ ...shared, numLayers: 1 }); // validates the shared fields
  return c;
}

/**
 * Exact number of scalars `initSeq2Seq(config, seed)` creates.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { seq2seqConfig, seq2seqParamCount } from "./seq2seq_config.ts";
 * const c = seq2seqConfig({ vocabSize: 10, encoderLayers: 1, decoderLayers: 1, hiddenSize: 2, numHeads: 1, intermediateSize: 4, maxPositions: 3 });
 * // shared 20; per side positions 6 + embedding norm 4; encoder layer 4·6 + 4 + 12 + 10 + 4 = 54;
 * // decoder layer 54 + cross-attention 24 + its norm 4 = 82; final_logits_bias 10.
 * assert(seq2seqParamCount(c) === 20 + 2 * 10 + 54 + 82 + 10);
 * ```
 */
export function seq2seqParamCount(config: Seq2SeqConfig): number {
  const { vocabSize: v, hiddenSize: c, intermediateSize: f } = config;
  const embeddings = (config.shareEmbeddings ? 1 : 2) * v * c;
  const perSide = config.maxPositions * c + 2 * c + (config.layerNorm === "pre" ? 2 * c : 0);
  const attention = 4 * (c * c + c) + 2 * c;
  const ffn = (c * f + f) + (f * c + c) + 2 * c;
  const encoderLayer = attention + ffn, decoderLayer = 2 * attention + ffn;
  return embeddings + 2 * perSide + config.encoderLayers * encoderLayer +
    config.decoderLayers * decoderLayer + v;
}
