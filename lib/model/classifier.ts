/**
 * Sequence classification on top of the encoder, as HF `RobertaForSequenceClassification`: the `<s>`
 * (first) position's hidden state → dropout → dense → tanh → dropout → out_proj.
 *
 * Shapes: B = batch, C = hiddenSize, K = number of classes.
 *
 * @module
 */
import { tf } from "../backend/tf.ts";
import type { Scalar, Tensor2D } from "../backend/tf.ts";
import type { ClassificationBatch } from "../data/types.ts";
import { createRng } from "../util/random.ts";
import type { EncoderConfig } from "./config.ts";
import { encoderForward, initEncoder } from "./encoder.ts";
import { type ForwardOptions, gatherRows, linear, makeDropout } from "./layers.ts";
import { crossEntropy } from "./loss.ts";
import { ParamBuilder, type Params } from "./params.ts";

/** Options of `initClassifier`. */
export interface InitClassifierOptions {
  /** Start from these (pretrained) `roberta.*` weights instead of a fresh encoder; they are copied. */
  encoder?: Params;
}

/**
 * Encoder (`roberta.*`) plus classification head (`classifier.*`). The caller disposes the result.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { initClassifier } from "./classifier.ts";
 * import { encoderConfig } from "./config.ts";
 * import { disposeParams } from "./params.ts";
 * const config = encoderConfig({ vocabSize: 20, numLayers: 1, hiddenSize: 8, numHeads: 2, intermediateSize: 16 });
 * const params = initClassifier(config, 3, 0);
 * assert(params["classifier.out_proj.weight"].shape.join() === "3,8" && !("lm_head.bias" in params));
 * disposeParams(params);
 * ```
 */
export function initClassifier(
  config: EncoderConfig,
  numClasses: number,
  seed: number,
  options: InitClassifierOptions = {},
): Params {
  if (!Number.isInteger(numClasses) || numClasses < 2) {
    throw new Error(`initClassifier: numClasses must be an integer ≥ 2, got ${numClasses}`);
  }
  let params: Params;
  if (options.encoder) {
    const fresh = initEncoder(config, 0, { mlmHead: false }); // only for the expected names and shapes
    params = {};
    for (const [name, v] of Object.entries(fresh)) {
      const src = options.encoder[name];
      if (src === undefined || src.shape.join() !== v.shape.join()) {
        Object.values(fresh).forEach((x) => x.dispose());
        Object.values(params).forEach((x) => x.dispose());
        throw new Error(
          `initClassifier: pretrained encoder ${
            src ? `has "${name}" of shape [${src.shape}]` : `lacks "${name}"`
          }; ` +
            `the config expects [${v.shape}]`,
        );
      }
      params[name] = tf.tidy(() => tf.variable(src.clone(), true)); // tidy: the clone itself would leak
    }
    Object.values(fresh).forEach((x) => x.dispose());
  } else {
    params = initEncoder(config, seed, { mlmHead: false });
  }
  const b = new ParamBuilder(createRng(`classifier:${seed}`), config.initStd);
  b.linear("classifier.dense", config.hiddenSize, config.hiddenSize);
  b.linear("classifier.out_proj", numClasses, config.hiddenSize);
  return { ...params, ...b.params };
}

/**
 * Class logits (B, K). Synchronous.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { tf } from "../backend/tf.ts";
 * import { classifierLogits, initClassifier } from "./classifier.ts";
 * import { encoderConfig } from "./config.ts";
 * import { disposeParams } from "./params.ts";
 * const config = encoderConfig({ vocabSize: 20, numLayers: 1, hiddenSize: 8, numHeads: 2, intermediateSize: 16 });
 * const params = initClassifier(config, 4, 0);
 * const batch = { batchSize: 2, seqLen: 2, inputIds: new Int32Array([0, 5, 0, 6]), attentionMask: new Uint8Array([1, 1, 1, 1]), labels: new Int32Array([0, 3]) };
 * const logits = tf.tidy(() => classifierLogits(params, batch, config, { training: false }));
 * assert(logits.shape.join() === "2,4");
 * logits.dispose();
 * disposeParams(params);
 * ```
 */
export function classifierLogits(
  params: Params,
  batch: ClassificationBatch,
  config: EncoderConfig,
  options: ForwardOptions,
): Tensor2D {
  const drop = makeDropout(options);
  const hidden = encoderForward(params, batch, config, options); // (B·T, C)
  const first = Int32Array.from({ length: batch.batchSize }, (_, b) => b * batch.seqLen);
  const cls = drop(gatherRows(hidden, first), config.dropout); // (B, C)
  const h = drop(tf.tanh(linear(params, "classifier.dense", cls)), config.dropout);
  return linear(params, "classifier.out_proj", h);
}

/**
 * Mean cross-entropy of the class logits against `batch.labels`. Synchronous; returns a scalar.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { tf } from "../backend/tf.ts";
 * import { classificationLoss, initClassifier } from "./classifier.ts";
 * import { encoderConfig } from "./config.ts";
 * import { disposeParams } from "./params.ts";
 * const config = encoderConfig({ vocabSize: 20, numLayers: 1, hiddenSize: 8, numHeads: 2, intermediateSize: 16 });
 * const params = initClassifier(config, 2, 0);
 * const batch = { batchSize: 1, seqLen: 3, inputIds: new Int32Array([0, 5, 2]), attentionMask: new Uint8Array([1, 1, 1]), labels: new Int32Array([1]) };
 * const loss = tf.tidy(() => classificationLoss(params, batch, config, { training: false }));
 * assert(Math.abs((await loss.data())[0] - Math.log(2)) < 0.1);
 * loss.dispose();
 * disposeParams(params);
 * ```
 */
export function classificationLoss(
  params: Params,
  batch: ClassificationBatch,
  config: EncoderConfig,
  options: ForwardOptions,
): Scalar {
  if (batch.labels.length !== batch.batchSize) {
    throw new Error(`classifier: ${batch.labels.length} labels for a batch of ${batch.batchSize}`);
  }
  return crossEntropy(classifierLogits(params, batch, config, options), batch.labels);
}
