import { assert, assertEquals } from "@std/assert";
import { tf, useBackend } from "../../lib/backend/mod.ts";
import { rowShare } from "../../lib/data/batch_rows.ts";
import { initClassifier } from "../../lib/model/classifier.ts";
import { initEncoder } from "../../lib/model/encoder.ts";
import { disposeParams } from "../../lib/model/params.ts";
import { initSeq2Seq } from "../../lib/model/seq2seq.ts";
import { classificationTask, mlmTask, seq2seqTask, type Task } from "../../lib/train/task.ts";
import { shardSeq2Seq, syntheticMlmBatch, tinyConfig } from "../model/_fixtures.ts";

await useBackend("cpu");

/** Σ over shards of (shard loss × shard predictions) / batch predictions, against the batch's loss. */
async function checkShards<B>(task: Task<B>, batch: B, parts: number): Promise<void> {
  const full = (await tf.tidy(() => task.loss(batch, { training: false })).data())[0];
  let weighted = 0, predictions = 0;
  for (let p = 0; p < parts; p++) {
    const shard = task.shard!(batch, p, parts);
    const n = task.predictions(shard);
    predictions += n;
    if (n > 0) weighted += (await tf.tidy(() => task.loss(shard, { training: false })).data())[0] * n;
  }
  assertEquals(predictions, task.predictions(batch));
  const mean = weighted / predictions;
  assert(Math.abs(mean - full) <= 1e-6 * full, `${parts} shards: ${mean} vs the whole batch's ${full}`);
}

Deno.test("rowShare gives every row to exactly one part, in order", () => {
  for (const [rows, parts] of [[7, 3], [2, 4], [64, 8]]) {
    const shares = Array.from({ length: parts }, (_, p) => rowShare(rows, p, parts));
    assertEquals(shares[0][0], 0);
    assertEquals(shares.at(-1)![1], rows);
    shares.slice(1).forEach(([start], i) => assertEquals(start, shares[i][1]));
  }
});

Deno.test("shards' prediction-weighted mean losses equal the batch loss (MLM, seq2seq, classification)", async () => {
  const config = tinyConfig({ dropout: 0, attentionDropout: 0 });
  const encoder = initEncoder(config, 0);
  // Rows with unequal lengths give the shards unequal numbers of masked positions; 5 parts leave one empty.
  const mlm = syntheticMlmBatch(3, 30, [9, 4, 12, 7], 12);
  for (const parts of [2, 3, 5]) await checkShards(mlmTask(encoder, config), mlm, parts);
  disposeParams(encoder);

  const s2sConfig = shardSeq2Seq();
  const s2s = initSeq2Seq(s2sConfig, 0);
  const translation = {
    batchSize: 3,
    srcLen: 3,
    tgtLen: 4,
    srcIds: new Int32Array([5, 6, 2, 7, 2, 1, 8, 9, 2]),
    srcMask: new Uint8Array([1, 1, 1, 1, 1, 0, 1, 1, 1]),
    decoderInputIds: new Int32Array([0, 10, 11, 12, 0, 13, 1, 1, 0, 14, 15, 1]),
    targetIds: new Int32Array([10, 11, 12, 2, 13, 2, 1, 1, 14, 15, 2, 1]),
    targetMask: new Uint8Array([1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 0]),
  };
  await checkShards(seq2seqTask(s2s, s2sConfig), translation, 2);
  disposeParams(s2s);

  const cls = initClassifier(config, 3, 0);
  const classification = {
    batchSize: 3,
    seqLen: 3,
    inputIds: new Int32Array([0, 5, 2, 0, 6, 1, 0, 7, 8]),
    attentionMask: new Uint8Array([1, 1, 1, 1, 1, 0, 1, 1, 1]),
    labels: new Int32Array([0, 2, 1]),
  };
  await checkShards(classificationTask(cls, config), classification, 2);
  disposeParams(cls);
});
