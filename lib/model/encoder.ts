/**
 * RoBERTa-style Transformer encoder: parameters and forward pass.
 *
 * Shapes: B = batch, T = sequence length, C = hiddenSize, F = intermediateSize, V = vocabSize. Activations
 * are kept 2-D as (B·T, C) so every linear layer is one matMul.
 *
 * Differences from HF `RobertaModel`, all deliberate and small: positions are 0..T-1 (no padding offset),
 * there are no token-type embeddings (RoBERTa's single type adds a constant vector), and `layerNorm: "pre"`
 * adds `roberta.encoder.LayerNorm` after the last layer, reusing the per-layer LayerNorm names for the norms
 * that move before each sublayer.
 *
 * @module
 */
import { tf } from "../backend/tf.ts";
import type { Tensor2D } from "../backend/tf.ts";
import type { EncoderInput } from "../data/types.ts";
import { createRng } from "../util/random.ts";
import { paddingBias } from "./attention.ts";
import { type BlockNames, transformerBlock } from "./block.ts";
import type { EncoderConfig } from "./config.ts";
import { type ForwardOptions, gatherRows, layerNorm, makeDropout, param } from "./layers.ts";
import { ParamBuilder, type Params } from "./params.ts";

/** Options of `initEncoder`. */
export interface InitEncoderOptions {
  /** Also create the MLM head (`lm_head.*`, decoder tied to the word embeddings). Default true. */
  mlmHead?: boolean;
}

/**
 * Fresh, seeded encoder parameters (Hugging Face RoBERTa names, PyTorch (out, in) linear layout).
 * The caller owns them: `disposeParams` when done.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { encoderConfig } from "./config.ts";
 * import { initEncoder } from "./encoder.ts";
 * import { disposeParams } from "./params.ts";
 * const config = encoderConfig({ vocabSize: 50, numLayers: 1, hiddenSize: 8, numHeads: 2, intermediateSize: 32 });
 * const params = initEncoder(config, 0);
 * assert(params["roberta.encoder.layer.0.attention.self.query.weight"].shape.join() === "8,8");
 * disposeParams(params);
 * ```
 */
export function initEncoder(config: EncoderConfig, seed: number, options: InitEncoderOptions = {}): Params {
  const { vocabSize: v, hiddenSize: c, intermediateSize: f } = config;
  const b = new ParamBuilder(createRng(`encoder:${seed}`), config.initStd);
  b.normal("roberta.embeddings.word_embeddings.weight", [v, c]);
  b.normal("roberta.embeddings.position_embeddings.weight", [config.maxPositions, c]);
  b.layerNorm("roberta.embeddings.LayerNorm", c);
  for (let i = 0; i < config.numLayers; i++) {
    const l = `roberta.encoder.layer.${i}`;
    for (const proj of ["query", "key", "value"]) b.linear(`${l}.attention.self.${proj}`, c, c);
    b.linear(`${l}.attention.output.dense`, c, c);
    b.layerNorm(`${l}.attention.output.LayerNorm`, c);
    b.linear(`${l}.intermediate.dense`, f, c);
    b.linear(`${l}.output.dense`, c, f);
    b.layerNorm(`${l}.output.LayerNorm`, c);
  }
  if (config.layerNorm === "pre") b.layerNorm("roberta.encoder.LayerNorm", c);
  if (options.mlmHead ?? true) {
    b.linear("lm_head.dense", c, c);
    b.layerNorm("lm_head.layer_norm", c);
    b.fill("lm_head.bias", [v], 0);
  }
  return b.params;
}

/**
 * Checks a batch against the config, naming the field that is wrong.
 *
 * @example
 * ```ts
 * import { assertThrows } from "@std/assert";
 * import { encoderConfig } from "./config.ts";
 * import { checkEncoderInput } from "./encoder.ts";
 * const config = encoderConfig({ vocabSize: 10, maxPositions: 4 });
 * const batch = { batchSize: 1, seqLen: 2, inputIds: new Int32Array([3, 12]), attentionMask: new Uint8Array([1, 1]) };
 * assertThrows(() => checkEncoderInput(batch, config), Error, "inputIds[1] = 12");
 * ```
 */
export function checkEncoderInput(input: EncoderInput, config: EncoderConfig): void {
  const { batchSize: b, seqLen: t } = input;
  if (t > config.maxPositions) {
    throw new Error(`encoder: seqLen ${t} exceeds maxPositions ${config.maxPositions}; truncate or raise it`);
  }
  if (input.inputIds.length !== b * t || input.attentionMask.length !== b * t) {
    throw new Error(
      `encoder: inputIds has ${input.inputIds.length} and attentionMask ${input.attentionMask.length} ` +
        `entries, expected batchSize·seqLen = ${b}·${t}`,
    );
  }
  for (let i = 0; i < input.inputIds.length; i++) {
    const id = input.inputIds[i];
    if (!(id >= 0 && id < config.vocabSize)) {
      throw new Error(`encoder: inputIds[${i}] = ${id} is outside [0, vocabSize = ${config.vocabSize})`);
    }
  }
}

function blockNames(l: string): BlockNames {
  const s = `${l}.attention.self`;
  return {
    selfAttention: {
      query: `${s}.query`,
      key: `${s}.key`,
      value: `${s}.value`,
      output: `${l}.attention.output.dense`,
    },
    selfAttentionNorm: `${l}.attention.output.LayerNorm`,
    ffnIn: `${l}.intermediate.dense`,
    ffnOut: `${l}.output.dense`,
    ffnNorm: `${l}.output.LayerNorm`,
  };
}

/**
 * Final hidden states (B·T, C) of the encoder. Synchronous; call it inside `tf.tidy` (or dispose the
 * result). Padding positions produce values too; they are never attended to.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { tf } from "../backend/tf.ts";
 * import { encoderConfig } from "./config.ts";
 * import { encoderForward, initEncoder } from "./encoder.ts";
 * import { disposeParams } from "./params.ts";
 * const config = encoderConfig({ vocabSize: 50, numLayers: 1, hiddenSize: 8, numHeads: 2, intermediateSize: 32 });
 * const params = initEncoder(config, 0);
 * const batch = { batchSize: 1, seqLen: 3, inputIds: new Int32Array([0, 5, 2]), attentionMask: new Uint8Array([1, 1, 1]) };
 * const h = tf.tidy(() => encoderForward(params, batch, config, { training: false }));
 * assert(h.shape.join() === "3,8");
 * h.dispose();
 * disposeParams(params);
 * ```
 */
export function encoderForward(
  params: Params,
  input: EncoderInput,
  config: EncoderConfig,
  options: ForwardOptions,
): Tensor2D {
  checkEncoderInput(input, config);
  const { batchSize: b, seqLen: t } = input;
  const drop = makeDropout(options);
  const eps = config.layerNormEps;
  const words = gatherRows(param(params, "roberta.embeddings.word_embeddings.weight"), input.inputIds); // (B·T, C)
  const pos = tf.slice(param(params, "roberta.embeddings.position_embeddings.weight"), [0, 0], [t, -1]); // (T, C)
  const c = config.hiddenSize;
  let x = tf.reshape(tf.add(tf.reshape(words, [b, t, c]), pos), [b * t, c]) as Tensor2D;
  x = drop(layerNorm(params, "roberta.embeddings.LayerNorm", x, eps), config.dropout);
  const bias = paddingBias(input.attentionMask, b, t);
  const settings = { ...config, batchSize: b, seqLen: t };
  for (let i = 0; i < config.numLayers; i++) {
    x = transformerBlock(params, x, {
      names: blockNames(`roberta.encoder.layer.${i}`),
      selfBias: bias,
      settings,
      dropout: drop,
    });
  }
  return config.layerNorm === "pre" ? layerNorm(params, "roberta.encoder.LayerNorm", x, eps) : x;
}
