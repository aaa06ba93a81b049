/**
 * Transformer encoder configuration: typed, with frozen commented defaults, validated once at the boundary.
 *
 * Any depth and width is allowed; the only structural constraint is that `hiddenSize` divides evenly into
 * `numHeads` heads. Sizes that follow the width — heads of 64 and a 4× feed-forward — are derived in one
 * place, `modelShape`, whenever a config gives a width without them (pretrainMlm, the CLI, the benches).
 *
 * @module
 */
import { checkKeys, checkNumber, OptionError } from "../util/options.ts";

/** Ids every vocabulary reserves: `<s>`, `<pad>`, `</s>`, `<unk>`, `<mask>`. */
export const SPECIAL_TOKEN_COUNT = 5;

/**
 * The sizes derived from a model width C unless given: `numHeads` = C / 64 (RoBERTa's head size; at least
 * 1, and lowered to the nearest divisor of C) and `intermediateSize` = 4 × C (BERT/RoBERTa).
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { modelShape } from "./config.ts";
 * const s = modelShape(256);
 * assert(s.numHeads === 4 && s.intermediateSize === 1024);
 * assert(modelShape(16).numHeads === 1 && modelShape(256, { numHeads: 8 }).numHeads === 8);
 * ```
 */
export function modelShape(
  hiddenSize: number,
  given: { numHeads?: number; intermediateSize?: number } = {},
): { numHeads: number; intermediateSize: number } {
  let heads = Math.max(1, Math.floor(hiddenSize / 64));
  while (heads > 1 && hiddenSize % heads !== 0) heads--;
  return { numHeads: given.numHeads ?? heads, intermediateSize: given.intermediateSize ?? 4 * hiddenSize };
}

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
    throw new OptionError(
      "model config",
      name,
      `${name} must be a positive integer, got ${JSON.stringify(value)}`,
    );
  }
}

function probability(name: string, value: number): void {
  if (!(typeof value === "number" && value >= 0 && value < 1)) {
    throw new OptionError("model config", name, `${name} must be in [0, 1), got ${JSON.stringify(value)}`);
  }
}

/**
 * Merges `overrides` onto the defaults and validates every field, naming the field that is wrong
 * (`OptionError`; an unknown field gets the nearest valid name). A `hiddenSize` given without `numHeads`
 * or `intermediateSize` derives them (`modelShape`).
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
  checkKeys("model config", overrides, Object.keys(ENCODER_DEFAULTS));
  const width = overrides.hiddenSize ?? ENCODER_DEFAULTS.hiddenSize;
  const c: EncoderConfig = { ...ENCODER_DEFAULTS, ...modelShape(width, overrides), ...overrides };
  for (const k of ["vocabSize", "numLayers", "hiddenSize", "numHeads", "intermediateSize", "maxPositions"]) {
    positiveInt(k, c[k as keyof EncoderConfig] as number);
  }
  probability("dropout", c.dropout);
  probability("attentionDropout", c.attentionDropout);
  if (c.vocabSize < SPECIAL_TOKEN_COUNT) {
    throw new OptionError(
      "model config",
      "vocabSize",
      `vocabSize ${c.vocabSize} cannot hold the ${SPECIAL_TOKEN_COUNT} special tokens; ` +
        `take it from the tokenizer (tokenizer.vocabSize)`,
    );
  }
  if (c.hiddenSize % c.numHeads !== 0) {
    throw new OptionError(
      "model config",
      "numHeads",
      `hiddenSize ${c.hiddenSize} is not divisible by numHeads ${c.numHeads}; ` +
        `pick numHeads dividing hiddenSize (e.g. hiddenSize / 64)`,
    );
  }
  if (c.layerNorm !== "post" && c.layerNorm !== "pre") {
    throw new OptionError(
      "model config",
      "layerNorm",
      `layerNorm must be "post" or "pre", got ${JSON.stringify(c.layerNorm)}`,
    );
  }
  checkNumber("model config", "layerNormEps", c.layerNormEps, { above: 0 });
  checkNumber("model config", "initStd", c.initStd, { above: 0 });
  return c;
}

/**
 * Checks that a model's vocabulary holds every id of `tokenizer` (its size and its special tokens), else
 * throws an `OptionError` naming the sizes; call it where a config meets its tokenizer.
 *
 * @example
 * ```ts
 * import { assertThrows } from "@std/assert";
 * import { checkVocabulary, encoderConfig } from "./config.ts";
 * const tok = { vocabSize: 300, special: { bos: 0, pad: 1, eos: 2, unk: 3, mask: 299 } };
 * checkVocabulary(encoderConfig({ vocabSize: 300 }), tok);
 * assertThrows(() => checkVocabulary(encoderConfig({ vocabSize: 100 }), tok), Error, "vocabSize");
 * ```
 */
export function checkVocabulary(
  config: { vocabSize: number },
  tokenizer: { vocabSize: number; special: object },
  where = "model config",
): void {
  const [name, id] = (Object.entries(tokenizer.special) as [string, number][]).reduce(
    (a, b) => (b[1] > a[1] ? b : a),
    ["", -1],
  );
  if (tokenizer.vocabSize > config.vocabSize || id >= config.vocabSize) {
    throw new OptionError(
      where,
      "vocabSize",
      `vocabSize ${config.vocabSize} cannot hold the tokenizer's ${tokenizer.vocabSize} ids (special token ` +
        `${name} is id ${id}); set vocabSize to tokenizer.vocabSize`,
    );
  }
}
