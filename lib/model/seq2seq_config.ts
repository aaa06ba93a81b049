/**
 * Encoder-decoder (translation) configuration (its parameter count: `paramCount` in `size.ts`).
 *
 * @module
 */
import { ENCODER_DEFAULTS, type EncoderConfig, encoderConfig, modelShape } from "./config.ts";
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
export const SEQ2SEQ_DEFAULTS: Readonly<Seq2SeqConfig> = Object.freeze({
  ...(({ numLayers: _, ...rest }) => rest)(ENCODER_DEFAULTS),
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
  checkKeys("seq2seq config", overrides, Object.keys(SEQ2SEQ_DEFAULTS));
  const width = overrides.hiddenSize ?? SEQ2SEQ_DEFAULTS.hiddenSize;
  const c: Seq2SeqConfig = { ...SEQ2SEQ_DEFAULTS, ...modelShape(width, overrides), ...overrides };
  for (const k of ["encoderLayers", "decoderLayers"] as const) {
    if (!Number.isInteger(c[k]) || c[k] < 1) {
      throw new OptionError("seq2seq config", k, `${k} must be a positive integer, got ${c[k]}`);
    }
  }
  const { encoderLayers: _e, decoderLayers: _d, shareEmbeddings: _s, ...shared } = c;
  encoderConfig({ ...shared, numLayers: 1 }); // validates the shared fields
  return c;
}
