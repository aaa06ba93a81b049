/**
 * A task tells the training loop how to turn a batch into a loss: the model's parameters, its loss
 * function, and how many tokens and predictions a batch holds.
 *
 * @module
 */
import type { tf } from "../backend/tf.ts";
import type { MlmBatch } from "../data/types.ts";
import type { EncoderConfig } from "../model/config.ts";
import type { ForwardOptions } from "../model/layers.ts";
import { mlmLoss } from "../model/mlm.ts";
import type { Params } from "../model/params.ts";

/** What the loop needs to train and evaluate a model on batches of type B. */
export interface Task<B> {
  /** Parameters updated by training. */
  params: Params;
  /** Mean loss over the batch's predictions (synchronous; the loop wraps it in a tidy). */
  loss(batch: B, options: ForwardOptions): tf.Scalar;
  /** Input tokens in the batch (padding excluded), for the `tokens` count of records. */
  tokens(batch: B): number;
  /** Predictions in the batch: validation averages batch losses weighted by this. */
  predictions(batch: B): number;
}

function countOnes(mask: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < mask.length; i++) n += mask[i];
  return n;
}

/**
 * Masked-language-model pretraining of an encoder from `initEncoder`.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { encoderConfig } from "../model/config.ts";
 * import { initEncoder } from "../model/encoder.ts";
 * import { disposeParams } from "../model/params.ts";
 * import { mlmTask } from "./task.ts";
 * const config = encoderConfig({ vocabSize: 20, numLayers: 1, hiddenSize: 8, numHeads: 2, intermediateSize: 16 });
 * const task = mlmTask(initEncoder(config, 0), config);
 * const batch = { batchSize: 1, seqLen: 3, inputIds: new Int32Array([0, 3, 2]), attentionMask: new Uint8Array([1, 1, 0]),
 *   maskedPositions: new Int32Array([1]), maskedLabels: new Int32Array([9]) };
 * assert(task.tokens(batch) === 2 && task.predictions(batch) === 1);
 * disposeParams(task.params);
 * ```
 */
export function mlmTask(params: Params, config: EncoderConfig): Task<MlmBatch> {
  return {
    params,
    loss: (batch, options) => mlmLoss(params, batch, config, options),
    tokens: (batch) => countOnes(batch.attentionMask),
    predictions: (batch) => batch.maskedPositions.length,
  };
}
