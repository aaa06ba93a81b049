/**
 * The classifier of the classification kinds: how a finished run's classifier is rebuilt from its
 * directory, and the accuracy evaluation hook (with a Wilson interval, so studies can show the noise).
 *
 * Shapes: B = batch, K = classes.
 *
 * @module
 */
import { tf } from "../backend/tf.ts";
import type { ClassificationBatch } from "../data/types.ts";
import { classifierLogits, initClassifier } from "../model/classifier.ts";
import type { EncoderConfig } from "../model/config.ts";
import { disposeParams, type Params } from "../model/params.ts";
import { wilsonInterval } from "../metrics/interval.ts";
import type { EvalHook } from "../train/loop.ts";
import { loadRunWeights, readRunModel } from "./run_training.ts";

/** What a classification run saves as its checkpoint's `model`. */
export interface ClassifierModel {
  /** The encoder's config. */
  encoder: EncoderConfig;
  /** K. */
  numClasses: number;
}

/** Names of the Transformer's linear-layer weights: what pruning and quantization compress. */
export function isLinearWeight(name: string, rank: number): boolean {
  return name.startsWith("roberta.encoder.") && rank >= 2;
}

/**
 * Rebuilds the classifier a finished `classify` or `prune` run left in `runDir`. The caller disposes the
 * parameters.
 */
export async function loadClassifierRun(
  runDir: string,
  who: string,
): Promise<{ model: ClassifierModel; params: Params }> {
  const model = await readRunModel<ClassifierModel>(runDir, who);
  const params = initClassifier(model.encoder, model.numClasses, 0);
  try {
    await loadRunWeights(runDir, params, who);
  } catch (e) {
    disposeParams(params);
    throw e;
  }
  return { model, params };
}

/**
 * An evaluation hook measuring accuracy over `batches` (dropout off): `accuracy`, its 95% Wilson interval
 * `accuracyLow`/`accuracyHigh`, and the count `evalExamples`.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { initClassifier } from "../model/classifier.ts";
 * import { encoderConfig } from "../model/config.ts";
 * import { disposeParams } from "../model/params.ts";
 * import { accuracyHook } from "./classifier_eval.ts";
 * const config = encoderConfig({ vocabSize: 20, numLayers: 1, hiddenSize: 8, numHeads: 2, intermediateSize: 16 });
 * const params = initClassifier(config, 2, 0);
 * const batch = { batchSize: 2, seqLen: 2, inputIds: new Int32Array([0, 5, 0, 6]), attentionMask: new Uint8Array([1, 1, 1, 1]), labels: new Int32Array([0, 1]) };
 * const m = await accuracyHook(config, [batch])({ step: 0, seconds: 0, tokens: 0, params });
 * assert(m.evalExamples === 2 && m.accuracyLow! <= m.accuracy! && m.accuracy! <= m.accuracyHigh!);
 * disposeParams(params);
 * ```
 */
export function accuracyHook(config: EncoderConfig, batches: readonly ClassificationBatch[]): EvalHook {
  return async ({ params }) => {
    let correct = 0, n = 0;
    for (const batch of batches) {
      const predicted = tf.tidy(() =>
        tf.argMax(classifierLogits(params, batch, config, { training: false }), 1)
      );
      const p = await predicted.data();
      predicted.dispose();
      for (let i = 0; i < batch.batchSize; i++) correct += p[i] === batch.labels[i] ? 1 : 0;
      n += batch.batchSize;
    }
    const [low, high] = wilsonInterval(correct, n);
    return { accuracy: correct / n, accuracyLow: low, accuracyHigh: high, evalExamples: n };
  };
}
