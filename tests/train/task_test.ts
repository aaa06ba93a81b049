/**
 * The tasks (lib/train/task.ts) against plain-JavaScript cross-entropies of the model's logits: each task's
 * loss reads the right labels at the right positions, label smoothing applies to training only, and the
 * token and prediction counts are the hand-counted ones.
 */
import { assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { tf } from "../../lib/backend/tf.ts";
import type { ClassificationBatch } from "../../lib/data/types.ts";
import { classifierLogits, initClassifier } from "../../lib/model/classifier.ts";
import { encoderForward, initEncoder } from "../../lib/model/encoder.ts";
import { mlmLogits } from "../../lib/model/mlm.ts";
import { disposeParams } from "../../lib/model/params.ts";
import { initSeq2Seq, seq2seqDecode, seq2seqEncode } from "../../lib/model/seq2seq.ts";
import { classificationTask, mlmTask, seq2seqTask } from "../../lib/train/task.ts";
import { seq2seqBatch, syntheticMlmBatch, tinyConfig, tinySeq2Seq } from "../model/_fixtures.ts";

/** Per-row −log softmax(logits)[label] and −mean log softmax(logits), in float64. */
function rowLosses(logits: Float32Array, v: number, labels: ArrayLike<number>) {
  const nll: number[] = [], uniform: number[] = [];
  for (let i = 0; i < labels.length; i++) {
    const row = Array.from(logits.subarray(i * v, (i + 1) * v));
    const max = Math.max(...row);
    const logZ = max + Math.log(row.reduce((s, x) => s + Math.exp(x - max), 0));
    nll.push(logZ - row[labels[i]]);
    uniform.push(logZ - row.reduce((s, x) => s + x, 0) / v);
  }
  return { nll, uniform };
}

const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

async function value(t: tf.Tensor): Promise<Float32Array> {
  const data = await t.data() as Float32Array;
  t.dispose();
  return data;
}

Deno.test("mlmTask(): the loss is the mean cross-entropy at the masked positions; tokens and predictions", async () => {
  const config = tinyConfig({ dropout: 0, attentionDropout: 0 });
  const params = initEncoder(config, 1);
  const batch = syntheticMlmBatch(7, config.vocabSize, [6, 3], 6); // 9 real tokens
  const task = mlmTask(params, config);
  const logits = await value(tf.tidy(() => {
    const hidden = encoderForward(params, batch, config, { training: false });
    return mlmLogits(params, hidden, batch.maskedPositions, config);
  }));
  const want = mean(rowLosses(logits, config.vocabSize, batch.maskedLabels).nll);
  const [got] = await value(tf.tidy(() => task.loss(batch, { training: false })));
  assertAlmostEquals(got, want, 1e-5);
  assertEquals(task.tokens(batch), 9);
  assertEquals(task.predictions(batch), batch.maskedPositions.length);
  disposeParams(params);
});

Deno.test("seq2seqTask(): label smoothing in training only, over the target positions; tokens of both sides", async () => {
  const eps = 0.1;
  const config = tinySeq2Seq({ dropout: 0, attentionDropout: 0, initStd: 0.5 });
  const params = initSeq2Seq(config, 2);
  // Sources `3 4 </s>` and `6 </s>` (5 tokens); targets `5 </s>` and `7 8 </s>` (5 tokens); padding elsewhere.
  const batch = seq2seqBatch([[[3, 4], [5]], [[6], [7, 8]]]);
  const task = seq2seqTask(params, config, { labelSmoothing: eps });
  const logits = await value(tf.tidy(() => {
    const memory = seq2seqEncode(params, batch, config, { training: false });
    return seq2seqDecode(
      params,
      { decoderIds: batch.decoderInputIds, batchSize: batch.batchSize, memory },
      config,
      { training: false },
    );
  }));
  const { nll, uniform } = rowLosses(logits, config.vocabSize, batch.targetIds);
  const real = [...batch.targetMask.keys()].filter((i) => batch.targetMask[i] === 1);
  const plain = mean(real.map((i) => nll[i]));
  const smoothed = mean(real.map((i) => (1 - eps) * nll[i] + eps * uniform[i]));
  const [train] = await value(tf.tidy(() => task.loss(batch, { training: true, seed: 0 })));
  const [evaluation] = await value(tf.tidy(() => task.loss(batch, { training: false })));
  assertAlmostEquals(train, smoothed, 1e-5);
  assertAlmostEquals(evaluation, plain, 1e-5);
  assertEquals(task.tokens(batch), 10);
  assertEquals(task.predictions(batch), 5);
  disposeParams(params);
});

Deno.test("seq2seqTask() refuses a label smoothing outside [0, 1), naming it", () => {
  const config = tinySeq2Seq();
  for (const labelSmoothing of [1, -0.1, NaN]) {
    assertThrows(() => seq2seqTask({}, config, { labelSmoothing }), Error, `got ${labelSmoothing}`);
  }
});

Deno.test("classificationTask(): the loss is the cross-entropy of the class logits; one prediction per sequence", async () => {
  const config = tinyConfig({ dropout: 0, attentionDropout: 0 });
  const params = initClassifier(config, 3, 4);
  const batch: ClassificationBatch = {
    batchSize: 3,
    seqLen: 4,
    inputIds: new Int32Array([0, 5, 6, 2, 0, 7, 2, 1, 0, 9, 9, 2]),
    attentionMask: new Uint8Array([1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1]),
    labels: new Int32Array([2, 0, 1]),
  };
  const task = classificationTask(params, config);
  const logits = await value(tf.tidy(() => classifierLogits(params, batch, config, { training: false })));
  const want = mean(rowLosses(logits, 3, batch.labels).nll);
  const [got] = await value(tf.tidy(() => task.loss(batch, { training: false })));
  assertAlmostEquals(got, want, 1e-5);
  assertEquals(task.tokens(batch), 11);
  assertEquals(task.predictions(batch), 3);
  disposeParams(params);
});
