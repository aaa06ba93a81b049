import { assert, assertEquals, assertRejects } from "@std/assert";
import { OptionError } from "../../lib/util/options.ts";
import { tf, useBackend } from "../../lib/backend/mod.ts";
import { pretrainMlm } from "../../lib/experiments/pretrain.ts";
import { loadWordNetTokenized } from "../../lib/data/wordnet_tokenized.ts";
import type { TrainRecord } from "../../lib/train/loop.ts";

Deno.test("pretrainMlm() lowers WordNet validation loss below the uniform baseline (a fixed step count, fake clock) and leaks no tensors", async () => {
  await useBackend("cpu");
  const data = await loadWordNetTokenized({ vocabSize: 300 });
  const before = tf.memory().numTensors;
  const records: TrainRecord[] = [];
  const model = { numLayers: 1, hiddenSize: 32, numHeads: 1, intermediateSize: 64 };
  // A fake clock that moves 10 ms per reading: the run is a fixed number of steps (~130) on any
  // machine, however loaded, instead of whatever fits in 4 real seconds.
  let now = 0;
  const run = pretrainMlm({
    data,
    model,
    clock: () => (now += 10),
    seconds: 4,
    batchSize: 8,
    seqLen: 16,
    validationBatches: 4,
    peakLr: 3e-3,
  });
  for await (const r of run) records.push(r);
  assertEquals(tf.memory().numTensors, before);
  const evals = records.filter((r) => r.valLoss !== null);
  const last = evals[evals.length - 1];
  // A model that has learned nothing scores ln(V) per masked token; unigram statistics alone beat it.
  assert(last.valLoss! < Math.log(data.tokenizer.vocabSize) - 0.5, `val loss ${last.valLoss} vs ln V`);
  assert(last.valLoss! < evals[0].valLoss!, "validation loss did not fall");
  assertEquals([last.status, last.width, last.layers, last.seqLen], ["budget", 32, 1, 16]);
});

Deno.test("pretrainMlm() derives heads (width / 64) and feed-forward (4 × width) from the width: the README tour's shape", async () => {
  await useBackend("cpu");
  const data = await loadWordNetTokenized({ vocabSize: 300 });
  const run = pretrainMlm({
    data,
    model: { numLayers: 1, hiddenSize: 256 },
    seconds: 0.05,
    batchSize: 2,
    seqLen: 8,
    validationBatches: 1,
  });
  let first: TrainRecord | undefined;
  for await (const r of run) first ??= r;
  assertEquals([first!.width, first!.heads, first!.intermediateSize], [256, 4, 1024]);
});

Deno.test("pretrainMlm() refuses unknown, NaN, infinite and zero options by name before loading data", async () => {
  const bad: [Record<string, unknown>, string][] = [
    [{ maxSeconds: 5 }, "did you mean `seconds`"],
    [{ seconds: NaN }, "seconds"],
    [{ seconds: Infinity }, "seconds"],
    [{ seconds: 0 }, "seconds"],
    [{ batchSize: 0 }, "batchSize"],
    [{ peakLr: -1 }, "peakLr"],
    [{ model: { hiddenSise: 64 } }, "did you mean `model.hiddenSize`"],
  ];
  for (const [options, name] of bad) {
    await assertRejects(() => pretrainMlm(options as never).next(), OptionError, name);
  }
});
