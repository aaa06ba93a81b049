import { assert, assertEquals, assertThrows } from "@std/assert";
import { tf } from "../../lib/backend/tf.ts";
import { classificationLoss, classifierLogits, initClassifier } from "../../lib/model/classifier.ts";
import { initEncoder } from "../../lib/model/encoder.ts";
import { disposeParams } from "../../lib/model/params.ts";
import { createAdamW, disposeAdamW } from "../../lib/train/adamw.ts";
import { trainStep } from "../../lib/train/train_step.ts";
import { tinyConfig } from "./_fixtures.ts";

Deno.test("initClassifier() copies a pretrained encoder and adds a fresh head", async () => {
  const config = tinyConfig();
  const pretrained = initEncoder(config, 7);
  const before = tf.memory().numTensors;
  const params = initClassifier(config, 3, 0, { encoder: pretrained });
  // Only the classifier's own variables are new (the copies must not leave their temporaries behind).
  assertEquals(tf.memory().numTensors - before, Object.keys(params).length);
  const name = "roberta.encoder.layer.1.output.dense.weight";
  assertEquals(Array.from(await params[name].data()), Array.from(await pretrained[name].data()));
  assert(params[name] !== pretrained[name], "weights are copied, not shared");
  assertEquals(params["classifier.out_proj.weight"].shape, [3, 16]);
  const other = initEncoder(tinyConfig({ hiddenSize: 8 }), 0);
  assertThrows(
    () => initClassifier(config, 3, 0, { encoder: other }),
    Error,
    "roberta.embeddings.word_embeddings.weight",
  );
  [pretrained, params, other].forEach(disposeParams);
});

Deno.test("classifier overfits one batch to near-zero loss without leaking tensors", async () => {
  const config = tinyConfig({ dropout: 0, attentionDropout: 0 });
  const b = 6, t = 6;
  const inputIds = new Int32Array(b * t).map((_, i) => (i % t === 0 ? 0 : 4 + ((i * 7) % 26)));
  const batch = {
    batchSize: b,
    seqLen: t,
    inputIds,
    attentionMask: new Uint8Array(b * t).fill(1),
    labels: new Int32Array([0, 1, 2, 1, 0, 2]),
  };
  const params = initClassifier(config, 3, 0);
  const opt = createAdamW(params, { weightDecay: 0 });
  let afterFirst = 0;
  for (let s = 0; s < 150; s++) {
    const r = trainStep(
      params,
      opt,
      () => classificationLoss(params, batch, config, { training: true, seed: s }),
      { lr: 1e-2 },
    );
    tf.dispose([r.loss, r.gradNorm]);
    if (s === 0) afterFirst = tf.memory().numTensors;
  }
  assertEquals(tf.memory().numTensors, afterFirst, "training leaked tensors");
  const [loss, logits] = tf.tidy(() => [
    classificationLoss(params, batch, config, { training: false }),
    tf.argMax(classifierLogits(params, batch, config, { training: false }), 1),
  ]);
  const l = (await loss.data())[0];
  assert(l < 0.05, `loss ${l}`);
  assertEquals(Array.from(await logits.data()), Array.from(batch.labels));
  tf.dispose([loss, logits]);
  disposeAdamW(opt);
  disposeParams(params);
});
