/**
 * Transformer encoder configuration: typed, with frozen commented defaults, validated once at the boundary.
 *
 * Any depth and width is allowed; the only structural constraint is that `hiddenSize` divides evenly into
 * `numHeads` heads.
 *
 * @module
 */
import { checkKeys } from "../util/options.ts";

/** Where LayerNorm sits in each residual block. */
export type LayerNormPosition = "post" | "pre";

/** Shape and regularisation of a RoBERTa-style encoder. */
export interface EncoderConfig {
  /** V: number of token ids (specials included). */
  vocabSize: number;
  /** Number of Transformer layers. */
  numLayers: number;
  /** C: model width. */
  hiddenSize: number;
  /** Attention heads; head size is `hiddenSize / numHeads`. */
  numHeads: number;
  /** Feed-forward inner width. */
  intermediateSize: number;
  /** Longest sequence the learned position table covers. */
  maxPositions: number;
  /** Dropout on the embeddings and on each sublayer's output (as HF RoBERTa's hidden_dropout_prob). */
  dropout: number;
  /** Dropout on attention probabilities. */
  attentionDropout: number;
  /** `"post"` (BERT/RoBERTa) or `"pre"` (GPT-2 style, adds a final LayerNorm). */
  layerNorm: LayerNormPosition;
  /** LayerNorm epsilon. */
  layerNormEps: number;
  /** Standard deviation of the normal initialisation of weight matrices and embeddings. */
  initStd: number;
}

/** Defaults: a RoBERTa-base-shaped layer (4x feed-forward, 64-wide heads) scaled down to train on 2 cores. */
export const ENCODER_DEFAULTS: Readonly<EncoderConfig> = Object.freeze({
  vocabSize: 8192, // a small BPE vocabulary; set from the tokenizer in practice
  numLayers: 4, // shallow enough to make thousands of steps in minutes on a CPU
  hiddenSize: 256, // 4 heads of 64, RoBERTa's head size
  numHeads: 4,
  intermediateSize: 1024, // 4 x hiddenSize, as in BERT/RoBERTa
  maxPositions: 128, // the paper pretrains on 128-token sequences
  dropout: 0.1, // RoBERTa's value
  attentionDropout: 0.1, // RoBERTa's value
  layerNorm: "post", // RoBERTa; "pre" trains deeper stacks without warmup tricks
  layerNormEps: 1e-5, // RoBERTa's value
  initStd: 0.02, // BERT/RoBERTa initializer_range
});

function positiveInt(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`model config: ${name} must be a positive integer, got ${JSON.stringify(value)}`);
  }
}

function probability(name: string, value: number): void {
  if (!(typeof value === "number" && value >= 0 && value < 1)) {
    throw new Error(`model config: ${name} must be in [0, 1), got ${JSON.stringify(value)}`);
  }
}

/**
 * Merges `overrides` onto the defaults and validates every field, naming the field that is wrong.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { encoderConfig } from "./config.ts";
 * const c = encoderConfig({ numLayers: 2, hiddenSize: 128, numHeads: 2, intermediateSize: 512 });
 * assert(c.numLayers === 2 && c.dropout === 0.1);
 * ```
 */
export function encoderConfig(overrides: Partial<EncoderConfig> = {}): EncoderConfig {
  const c: EncoderConfig = { ...ENCODER_DEFAULTS, ...overrides };
  checkKeys("model config", overrides, Object.keys(ENCODER_DEFAULTS));
  for (const k of ["vocabSize", "numLayers", "hiddenSize", "numHeads", "intermediateSize", "maxPositions"]) {
    positiveInt(k, c[k as keyof EncoderConfig] as number);
  }
  probability("dropout", c.dropout);
  probability("attentionDropout", c.attentionDropout);
  if (c.hiddenSize % c.numHeads !== 0) {
    throw new Error(
      `model config: hiddenSize ${c.hiddenSize} is not divisible by numHeads ${c.numHeads}; ` +
        `pick numHeads dividing hiddenSize (e.g. hiddenSize / 64)`,
    );
  }
  if (c.layerNorm !== "post" && c.layerNorm !== "pre") {
    throw new Error(`model config: layerNorm must be "post" or "pre", got ${JSON.stringify(c.layerNorm)}`);
  }
  if (!(c.layerNormEps > 0)) throw new Error(`model config: layerNormEps must be > 0, got ${c.layerNormEps}`);
  if (!(c.initStd > 0)) throw new Error(`model config: initStd must be > 0, got ${c.initStd}`);
  return c;
}
