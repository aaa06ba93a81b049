import { assertAlmostEquals, assertEquals, assertRejects } from "@std/assert";
import { tf } from "../../lib/backend/tf.ts";
import { initEncoder } from "../../lib/model/encoder.ts";
import { disposeParams } from "../../lib/model/params.ts";
import { createAdamW, disposeAdamW } from "../../lib/train/adamw.ts";
import { loadCheckpoint, loadParams, saveCheckpoint, saveParams } from "../../lib/train/checkpoint.ts";
import { train, type TrainRecord } from "../../lib/train/loop.ts";
import { schedule } from "../../lib/train/schedule.ts";
import { arraySource } from "../../lib/train/source.ts";
import { mlmTask } from "../../lib/train/task.ts";
import { syntheticMlmBatch, tinyConfig } from "../model/_fixtures.ts";

const config = tinyConfig({ dropout: 0.1, attentionDropout: 0.1 });
const batches = [0, 1, 2, 3, 4, 5, 6].map((s) => syntheticMlmBatch(s, config.vocabSize, [10, 9, 10], 10));
const sched = schedule({ peakLr: 2e-3, unit: "steps", warmup: 5, total: 40, decay: "cosine" });

async function run(maxSteps: number, dir?: string, resumeFrom?: string) {
  const params = initEncoder(config, resumeFrom ? 99 : 0); // a resumed run starts from different weights
  const optimizer = createAdamW(params);
  const source = arraySource(batches);
  let resume;
  if (resumeFrom) resume = (await loadCheckpoint(resumeFrom, { params, optimizer })).trainer!;
  const records: TrainRecord[] = [];
  await train({
    task: mlmTask(params, config),
    optimizer,
    source,
    validation: batches.slice(0, 2),
    schedule: sched,
    maxSteps,
    logEverySteps: 1,
    evalEvery: { steps: 10 },
    seed: 5,
    resume,
    checkpoint: dir ? { dir, config } : undefined,
  }, (r) => {
    records.push(r);
  });
  disposeAdamW(optimizer);
  disposeParams(params);
  return records;
}

Deno.test("resuming from a checkpoint at step 20 reproduces the uninterrupted run's losses", async () => {
  const dir = await Deno.makeTempDir();
  const full = await run(40);
  const first = await run(20, dir);
  const rest = await run(40, undefined, dir);
  assertEquals(first.map((r) => r.trainLoss), full.slice(0, 20).map((r) => r.trainLoss));
  assertEquals(rest.map((r) => r.step), full.slice(20).map((r) => r.step));
  // Tolerance 1e-6 absolute; on one backend the runs are in fact bit-identical.
  rest.forEach((r, i) => assertAlmostEquals(r.trainLoss!, full[20 + i].trainLoss!, 1e-6, `step ${r.step}`));
  assertAlmostEquals(rest.at(-1)!.valLoss!, full.at(-1)!.valLoss!, 1e-6);
  assertEquals(rest.at(-1)!.tokens, full.at(-1)!.tokens);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("loadParams() names the tensor whose shape is wrong, and missing or extra tensors", async () => {
  const path = await Deno.makeTempFile({ suffix: ".safetensors" });
  const small = initEncoder(config, 0);
  await saveParams(path, small);
  const wide = initEncoder(tinyConfig({ intermediateSize: 32 }), 0);
  await assertRejects(
    () => loadParams(path, wide),
    Error,
    `tensor "roberta.encoder.layer.0.intermediate.dense.weight" has shape [64,16] but the model expects [32,16]`,
  );
  const deep = initEncoder(tinyConfig({ numLayers: 3 }), 0);
  await assertRejects(() => loadParams(path, deep), Error, "missing tensors roberta.encoder.layer.2.");
  const shallow = initEncoder(tinyConfig({ numLayers: 1 }), 0);
  await assertRejects(() => loadParams(path, shallow), Error, "unexpected tensors roberta.encoder.layer.1.");
  [small, wide, deep, shallow].forEach(disposeParams);
  await Deno.remove(path);
});

Deno.test("loadCheckpoint() reports the byte range of a truncated or corrupted file", async () => {
  const dir = await Deno.makeTempDir();
  const params = { "a.weight": tf.variable(tf.ones([4, 4])), "a.bias": tf.variable(tf.zeros([4])) };
  await saveCheckpoint(dir, { params });
  const file = `${dir}/model.safetensors`;
  const bytes = await Deno.readFile(file);
  const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  await Deno.writeFile(file, bytes.slice(0, bytes.length - 10));
  await assertRejects(
    () => loadCheckpoint(dir, { params }),
    Error,
    `model.safetensors: tensor "a.bias": data bytes 64-80 (file bytes ${8 + headerLength + 64}-${
      8 + headerLength + 80
    }) run past the end of the file (70 data bytes)`,
  );
  const garbled = bytes.slice();
  garbled[8] = 0x7b + 1; // "{" -> "|"
  await Deno.writeFile(file, garbled);
  await assertRejects(
    () => loadCheckpoint(dir, { params }),
    Error,
    `header (bytes 8-${7 + headerLength}) is not valid UTF-8 JSON`,
  );
  const huge = bytes.slice();
  new DataView(huge.buffer).setBigUint64(0, 1n << 40n, true);
  await Deno.writeFile(file, huge);
  await assertRejects(
    () => loadCheckpoint(dir, { params }),
    Error,
    "header length 1099511627776 (bytes 0-7) exceeds",
  );
  tf.dispose(Object.values(params));
  await Deno.remove(dir, { recursive: true });
});
