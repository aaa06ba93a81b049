/** pretrainMlm({ checkpoint }): an interrupted run saves there, and the same call continues it. */
import { assert, assertEquals, assertRejects } from "@std/assert";
import { tf, useBackend } from "../../lib/backend/mod.ts";
import { trainBpe } from "../../lib/data/bpe_train.ts";
import { pretrainMlm, type PretrainOptions } from "../../lib/experiments/pretrain.ts";
import type { TrainRecord } from "../../lib/train/loop.ts";
import { interrupt, InterruptedError } from "../../lib/util/interrupt.ts";

const texts = Array.from({ length: 200 }, (_, i) => `the cat number ${i} sat on the mat ${i % 7} times`);
const tokenizer = trainBpe(texts, { vocabSize: 300 });
const docs = texts.map((t) => Int32Array.from(tokenizer.encode(t)));

function options(checkpoint: string): PretrainOptions {
  return {
    data: { tokenizer, train: docs, validation: docs.slice(0, 16) },
    model: { numLayers: 1, hiddenSize: 16, numHeads: 1, intermediateSize: 32, maxPositions: 16 },
    seconds: 1.5,
    batchSize: 4,
    seqLen: 16,
    validationBatches: 2,
    evaluations: 10,
    checkpoint,
  };
}

async function records(o: PretrainOptions, stopAt?: number): Promise<TrainRecord[]> {
  const seen: TrainRecord[] = [];
  for await (const r of pretrainMlm(o)) {
    seen.push(r);
    if (seen.length === stopAt) interrupt();
  }
  return seen;
}

Deno.test("pretrainMlm() with a checkpoint directory resumes an interrupted run where it stopped", async () => {
  await useBackend("cpu");
  const dir = await Deno.makeTempDir();
  const before = tf.memory().numTensors;
  const first: TrainRecord[] = [];
  const error = await assertRejects(async () => {
    for await (const r of pretrainMlm(options(dir))) {
      first.push(r);
      if (first.length === 2) interrupt();
    }
  }, InterruptedError);
  assertEquals(tf.memory().numTensors, before);
  // It stopped at the step after the second record and saved there.
  assert(error.step! > first[1].step && error.checkpoint === dir, error.message);
  const second = await records(options(dir));
  assertEquals(tf.memory().numTensors, before);
  assert(second.length > 0 && second[0].step > error.step!, `resumed at ${second[0]?.step}`);
  assert(second[0].seconds > first[1].seconds, "training time restarted from zero");
  assertEquals(second.at(-1)!.status, "budget");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("pretrainMlm() refuses a checkpoint saved with other options, naming the option", async () => {
  await useBackend("cpu");
  const dir = await Deno.makeTempDir();
  await assertRejects(() => records(options(dir), 1), InterruptedError);
  await assertRejects(
    () => records({ ...options(dir), batchSize: 8 }),
    Error,
    `the checkpoint in ${dir} was saved with batchSize 4 but this call has 8`,
  );
  await Deno.remove(dir, { recursive: true });
});
