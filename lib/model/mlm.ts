/**
 * The masked-language-modelling head and loss, computed only at the masked positions.
 *
 * Shapes: M = masked positions in the batch, C = hiddenSize, V = vocabSize. The output projection is tied
 * to the input word embeddings (V, C), as in RoBERTa; only the bias `lm_head.bias` (V) is separate.
 *
 * @module
 */
import type { Scalar, Tensor1D, Tensor2D } from "../backend/tf.ts";
import type { MlmBatch } from "../data/types.ts";
import type { EncoderConfig } from "./config.ts";
import { encoderForward } from "./encoder.ts";
import { affine, gelu } from "../backend/native/mod.ts";
import { type ForwardOptions, gatherRows, layerNorm, linear, param } from "./layers.ts";
import { crossEntropy } from "./loss.ts";
import type { Params } from "./params.ts";

/**
 * Vocabulary logits (M, V) at `maskedPositions` (flat `b·T + t` indices into the (B·T, C) `hidden`).
 * Synchronous; call inside `tf.tidy`.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { tf } from "../backend/tf.ts";
 * import { encoderConfig } from "./config.ts";
 * import { initEncoder } from "./encoder.ts";
 * import { mlmLogits } from "./mlm.ts";
 * import { disposeParams } from "./params.ts";
 * const config = encoderConfig({ vocabSize: 50, numLayers: 1, hiddenSize: 8, numHeads: 2, intermediateSize: 32 });
 * const params = initEncoder(config, 0);
 * const logits = tf.tidy(() => mlmLogits(params, tf.ones([6, 8]), new Int32Array([1, 4]), config));
 * assert(logits.shape.join() === "2,50");
 * logits.dispose();
 * disposeParams(params);
 * ```
 */
export function mlmLogits(
  params: Params,
  hidden: Tensor2D,
  maskedPositions: Int32Array,
  config: EncoderConfig,
): Tensor2D {
  const rows = hidden.shape[0];
  for (let i = 0; i < maskedPositions.length; i++) {
    if (!(maskedPositions[i] >= 0 && maskedPositions[i] < rows)) {
      throw new Error(`mlm: maskedPositions[${i}] = ${maskedPositions[i]} is outside [0, B·T = ${rows})`);
    }
  }
  const h = gatherRows(hidden, maskedPositions); // (M, C)
  const t = layerNorm(
    params,
    "lm_head.layer_norm",
    gelu(linear(params, "lm_head.dense", h)),
    config.layerNormEps,
  );
  const embeddings = param(params, "roberta.embeddings.word_embeddings.weight"); // (V, C)
  return affine(t, embeddings as Tensor2D, param(params, "lm_head.bias") as Tensor1D); // (M, V)
}

/**
 * Mean cross-entropy of the MLM head at the batch's masked positions: the pretraining loss. Returns a
 * scalar; synchronous, so call it inside `tf.tidy` or a train step (which owns the result).
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { tf } from "../backend/tf.ts";
 * import { encoderConfig } from "./config.ts";
 * import { initEncoder } from "./encoder.ts";
 * import { mlmLoss } from "./mlm.ts";
 * import { disposeParams } from "./params.ts";
 * const config = encoderConfig({ vocabSize: 50, numLayers: 1, hiddenSize: 8, numHeads: 2, intermediateSize: 32 });
 * const params = initEncoder(config, 0);
 * const batch = {
 *   batchSize: 1, seqLen: 4, inputIds: new Int32Array([0, 3, 4, 2]), attentionMask: new Uint8Array([1, 1, 1, 1]),
 *   maskedPositions: new Int32Array([1]), maskedLabels: new Int32Array([7]),
 * };
 * const loss = tf.tidy(() => mlmLoss(params, batch, config, { training: false }));
 * // A fresh model is close to uniform: loss ≈ ln V.
 * assert(Math.abs((await loss.data())[0] - Math.log(50)) < 0.5);
 * loss.dispose();
 * disposeParams(params);
 * ```
 */
export function mlmLoss(
  params: Params,
  batch: MlmBatch,
  config: EncoderConfig,
  options: ForwardOptions,
): Scalar {
  if (batch.maskedPositions.length === 0) throw new Error("mlm: the batch has no masked positions");
  if (batch.maskedLabels.length !== batch.maskedPositions.length) {
    throw new Error(
      `mlm: ${batch.maskedLabels.length} maskedLabels for ${batch.maskedPositions.length} maskedPositions`,
    );
  }
  const hidden = encoderForward(params, batch, config, options);
  return crossEntropy(mlmLogits(params, hidden, batch.maskedPositions, config), batch.maskedLabels);
}
