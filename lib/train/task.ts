/**
 * A task tells the training loop how to turn a batch into a loss: the model's parameters, its loss
 * function, and how many tokens and predictions a batch holds.
 *
 * @module
 */
import type { Scalar } from "../backend/tf.ts";
import { classificationRows, mlmRows, rowShare, seq2seqRows } from "../data/batch_rows.ts";
import type { ClassificationBatch, MlmBatch, Seq2SeqBatch } from "../data/types.ts";
import { classificationLoss } from "../model/classifier.ts";
import type { EncoderConfig } from "../model/config.ts";
import type { ForwardOptions } from "../model/layers.ts";
import { mlmLoss } from "../model/mlm.ts";
import type { Params } from "../model/params.ts";
import { seq2seqLoss } from "../model/seq2seq.ts";
import type { Seq2SeqConfig } from "../model/seq2seq_config.ts";

/** What the loop needs to train and evaluate a model on batches of type B. */
export interface Task<B> {
  /** Parameters updated by training. */
  params: Params;
  /** Mean loss over the batch's predictions (synchronous; the loop wraps it in a tidy). */
  loss(batch: B, options: ForwardOptions): Scalar;
  /** Input tokens in the batch (padding excluded), for the `tokens` count of records. */
  tokens(batch: B): number;
  /** Predictions in the batch: validation averages batch losses weighted by this. */
  predictions(batch: B): number;
  /** Part `part` of `parts` of the batch (its share of the rows), for data-parallel training. */
  shard?(batch: B, part: number, parts: number): B;
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
    shard: (batch, part, parts) => mlmRows(batch, ...rowShare(batch.batchSize, part, parts)),
  };
}

/**
 * Translation with teacher forcing; `labelSmoothing` applies to training only (validation reports the
 * plain cross-entropy, so perplexities are comparable across settings).
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { disposeParams } from "../model/params.ts";
 * import { initSeq2Seq } from "../model/seq2seq.ts";
 * import { seq2seqConfig } from "../model/seq2seq_config.ts";
 * import { seq2seqTask } from "./task.ts";
 * const config = seq2seqConfig({ vocabSize: 20, encoderLayers: 1, decoderLayers: 1, hiddenSize: 8, numHeads: 2, intermediateSize: 16 });
 * const task = seq2seqTask(initSeq2Seq(config, 0), config, { labelSmoothing: 0.1 });
 * const batch = { batchSize: 1, srcLen: 2, tgtLen: 3, srcIds: new Int32Array([5, 2]), srcMask: new Uint8Array([1, 1]),
 *   decoderInputIds: new Int32Array([0, 7, 1]), targetIds: new Int32Array([7, 2, 1]), targetMask: new Uint8Array([1, 1, 0]) };
 * assert(task.tokens(batch) === 4 && task.predictions(batch) === 2);
 * disposeParams(task.params);
 * ```
 */
export function seq2seqTask(
  params: Params,
  config: Seq2SeqConfig,
  options: { labelSmoothing?: number } = {},
): Task<Seq2SeqBatch> {
  const eps = options.labelSmoothing ?? 0;
  if (!(eps >= 0 && eps < 1)) throw new Error(`seq2seqTask: labelSmoothing must be in [0, 1), got ${eps}`);
  return {
    params,
    loss: (batch, o) => seq2seqLoss(params, batch, config, { ...o, labelSmoothing: o.training ? eps : 0 }),
    tokens: (batch) => countOnes(batch.srcMask) + countOnes(batch.targetMask),
    predictions: (batch) => countOnes(batch.targetMask),
    shard: (batch, part, parts) => seq2seqRows(batch, ...rowShare(batch.batchSize, part, parts)),
  };
}

/**
 * Sequence classification (finetuning) with a head from `initClassifier`.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { initClassifier } from "../model/classifier.ts";
 * import { encoderConfig } from "../model/config.ts";
 * import { disposeParams } from "../model/params.ts";
 * import { classificationTask } from "./task.ts";
 * const config = encoderConfig({ vocabSize: 20, numLayers: 1, hiddenSize: 8, numHeads: 2, intermediateSize: 16 });
 * const task = classificationTask(initClassifier(config, 2, 0), config);
 * const batch = { batchSize: 2, seqLen: 2, inputIds: new Int32Array([0, 2, 0, 1]), attentionMask: new Uint8Array([1, 1, 1, 0]), labels: new Int32Array([0, 1]) };
 * assert(task.tokens(batch) === 3 && task.predictions(batch) === 2);
 * disposeParams(task.params);
 * ```
 */
export function classificationTask(params: Params, config: EncoderConfig): Task<ClassificationBatch> {
  return {
    params,
    loss: (batch, o) => classificationLoss(params, batch, config, o),
    tokens: (batch) => countOnes(batch.attentionMask),
    predictions: (batch) => batch.batchSize,
    shard: (batch, part, parts) => classificationRows(batch, ...rowShare(batch.batchSize, part, parts)),
  };
}
