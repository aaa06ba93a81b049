import { assert, assertAlmostEquals, assertEquals, assertRejects } from "@std/assert";
import { tf } from "../../lib/backend/tf.ts";
import { initEncoder } from "../../lib/model/encoder.ts";
import { disposeParams } from "../../lib/model/params.ts";
import { createAdamW, disposeAdamW } from "../../lib/train/adamw.ts";
import {
  loadCheckpoint,
  loadParams,
  NonFiniteError,
  saveCheckpoint,
  saveParams,
} from "../../lib/train/checkpoint.ts";
import { CheckpointError, latestCheckpoint } from "../../lib/train/checkpoint_store.ts";
import { train, type TrainRecord, trainRecords } from "../../lib/train/loop.ts";
import { OptionError } from "../../lib/util/options.ts";
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

Deno.test("loadParams() reports the byte range of a truncated or corrupted file", async () => {
  const dir = await Deno.makeTempDir();
  const params = { "a.weight": tf.variable(tf.ones([4, 4])), "a.bias": tf.variable(tf.zeros([4])) };
  const file = `${dir}/model.safetensors`;
  await saveParams(file, params);
  const bytes = await Deno.readFile(file);
  const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  await Deno.writeFile(file, bytes.slice(0, bytes.length - 10));
  await assertRejects(
    () => loadParams(file, params),
    Error,
    `model.safetensors: tensor "a.bias": data bytes 64-80 (file bytes ${8 + headerLength + 64}-${
      8 + headerLength + 80
    }) run past the end of the file (70 data bytes)`,
  );
  const garbled = bytes.slice();
  garbled[8] = 0x7b + 1; // "{" -> "|"
  await Deno.writeFile(file, garbled);
  await assertRejects(
    () => loadParams(file, params),
    Error,
    `header (bytes 8-${7 + headerLength}) is not valid UTF-8 JSON`,
  );
  const huge = bytes.slice();
  new DataView(huge.buffer).setBigUint64(0, 1n << 40n, true);
  await Deno.writeFile(file, huge);
  await assertRejects(
    () => loadParams(file, params),
    Error,
    "header length 1099511627776 (bytes 0-7) exceeds",
  );
  tf.dispose(Object.values(params));
  await Deno.remove(dir, { recursive: true });
});

const step = (n: number) => `step-${String(n).padStart(8, "0")}`;

Deno.test("saveCheckpoint() refuses non-finite parameters or optimizer state, naming the tensor, and writes nothing", async () => {
  const root = await Deno.makeTempDir();
  const params = { good: tf.variable(tf.ones([3])), bad: tf.variable(tf.tensor1d([1, NaN, Infinity])) };
  const err = await assertRejects(() => saveCheckpoint(root, { params }), NonFiniteError, `"bad"`);
  assertEquals(err.tensor, "bad");
  assertEquals([...Deno.readDirSync(root)].length, 0);
  params.bad.assign(tf.ones([3]));
  const optimizer = createAdamW(params);
  optimizer.v.good.assign(tf.tensor1d([0, -Infinity, 0]));
  await assertRejects(() => saveCheckpoint(root, { params, optimizer }), NonFiniteError, `"exp_avg_sq.good"`);
  assertEquals(await latestCheckpoint(root), null);
  await saveCheckpoint(root, { params, optimizer }, { allowNonFinite: true }); // forensics
  // …and loading refuses it, naming file and tensor, unless asked.
  const err2 = await assertRejects(
    () => loadCheckpoint(root, { params, optimizer }),
    NonFiniteError,
    "exp_avg_sq.good",
  );
  assert(err2.message.includes("optimizer.safetensors"));
  await loadCheckpoint(root, { params, optimizer }, { allowNonFinite: true });
  assertEquals(Array.from(await optimizer.v.good.data()), [0, -Infinity, 0]);
  await assertRejects(() => saveCheckpoint(root, { params }, { keepLast: 0 }), OptionError, "keepLast");
  await assertRejects(
    () => loadCheckpoint(root, { params }, { allowNonFinit: true } as never),
    OptionError,
    "allowNonFinite",
  );
  disposeAdamW(optimizer);
  tf.dispose(Object.values(params));
  await Deno.remove(root, { recursive: true });
});

Deno.test("a checkpoint is all-or-nothing: damaged, unfinished and leftover directories are never loaded", async () => {
  const root = await Deno.makeTempDir();
  const params = { w: tf.variable(tf.tensor1d([1, 2])) };
  const optimizer = createAdamW(params);
  for (const s of [1, 2]) {
    optimizer.step = s;
    params.w.assign(tf.tensor1d([s, s]));
    await saveCheckpoint(root, { params, optimizer });
  }
  assertEquals(await latestCheckpoint(root), `${root}/${step(2)}`);
  // Flip one byte of the newest weights: the manifest catches it, and the previous checkpoint is newest.
  const file = `${root}/${step(2)}/model.safetensors`;
  const bytes = await Deno.readFile(file);
  bytes[bytes.length - 1] ^= 1;
  await Deno.writeFile(file, bytes);
  await assertRejects(
    () => loadCheckpoint(`${root}/${step(2)}`, { params }),
    CheckpointError,
    "model.safetensors",
  );
  assertEquals(await latestCheckpoint(root), `${root}/${step(1)}`);
  // A directory without a manifest (a save cut short) and a dead process's temp directory are skipped.
  await Deno.mkdir(`${root}/${step(3)}`);
  await Deno.writeFile(`${root}/${step(3)}/model.safetensors`, bytes);
  const leftover = `${step(4)}.tmp-999999999-00000000-0000-0000-0000-000000000000`;
  await Deno.mkdir(`${root}/${leftover}`);
  assertEquals(await latestCheckpoint(root), `${root}/${step(1)}`);
  const { dir } = await loadCheckpoint(root, { params, optimizer });
  assertEquals([dir, optimizer.step, Array.from(await params.w.data())], [`${root}/${step(1)}`, 1, [1, 1]]);
  await assertRejects(() => loadCheckpoint(`${root}/nope`, { params }), CheckpointError, `${root}/nope`);
  // The next save removes the leftover and keeps the newest two (keepLast default 2).
  optimizer.step = 5;
  await saveCheckpoint(root, { params, optimizer });
  const names = [...Deno.readDirSync(root)].map((e) => e.name).sort();
  assertEquals(names, [step(3), step(5)]);
  optimizer.step = 5; // same step again: a new generation, never a half-replaced directory
  assertEquals(await saveCheckpoint(root, { params, optimizer }, { keepLast: 3 }), `${root}/${step(5)}-1`);
  assertEquals(await latestCheckpoint(root), `${root}/${step(5)}-1`);
  const empty = await Deno.makeTempDir();
  await assertRejects(() => loadCheckpoint(empty, { params }), CheckpointError, "no complete checkpoint");
  disposeAdamW(optimizer);
  params.w.dispose();
  await Deno.remove(root, { recursive: true });
  await Deno.remove(empty, { recursive: true });
});

Deno.test("train() never checkpoints NaN weights, whatever evalEvery is, and stops with status nan", async () => {
  const root = await Deno.makeTempDir();
  const params = initEncoder(config, 0);
  const optimizer = createAdamW(params);
  // The loss blows up to Infinity at step 6; evaluation comes only every 20 steps.
  let calls = 0;
  const base = mlmTask(params, config);
  const task = {
    ...base,
    loss: (b: Parameters<typeof base.loss>[0], o: Parameters<typeof base.loss>[1]) =>
      o.training && ++calls >= 6 ? tf.mul(base.loss(b, o), Infinity) as tf.Scalar : base.loss(b, o),
  };
  const result = await train({
    task,
    optimizer,
    source: arraySource(batches),
    validation: batches.slice(0, 1),
    schedule: sched,
    maxSteps: 40,
    evalEvery: { steps: 20 },
    maxGradNorm: 0,
    checkpoint: { dir: root, everySteps: 1, keepLast: 100 },
  });
  assertEquals(result.status, "nan");
  assert(result.message.includes("non-finite"), result.message);
  const latest = await latestCheckpoint(root);
  assertEquals(latest, `${root}/${step(5)}`);
  const fresh = initEncoder(config, 1);
  await loadCheckpoint(root, { params: fresh }); // loads: nothing non-finite was written
  disposeParams(fresh);
  disposeAdamW(optimizer);
  disposeParams(params);
  await Deno.remove(root, { recursive: true });
});

Deno.test("checkpoint.everyRecord: a run resumed after record k replays the following records exactly", async () => {
  const fields = (r: TrainRecord) => [r.step, r.tokens, r.trainLoss, r.valLoss, r.lr, r.gradNorm, r.status];
  const runFrom = async (root: string, stopAfterStep?: number) => {
    const params = initEncoder(config, 3);
    const optimizer = createAdamW(params);
    const latest = await latestCheckpoint(root);
    const resume = latest ? (await loadCheckpoint(latest, { params, optimizer })).trainer! : undefined;
    const run = trainRecords({
      task: mlmTask(params, config),
      optimizer,
      source: arraySource(batches),
      validation: batches.slice(0, 2),
      schedule: sched,
      maxSteps: 12,
      logEverySteps: 3,
      evalEvery: { steps: 6 },
      seed: 2,
      resume,
      checkpoint: { dir: root, everyRecord: true },
    });
    const out: unknown[][] = [];
    for await (const r of run) {
      out.push(fields(r));
      if (r.step === stopAfterStep) break; // a crash while the consumer handles this record
    }
    disposeAdamW(optimizer);
    disposeParams(params);
    return out;
  };
  const [a, b] = [await Deno.makeTempDir(), await Deno.makeTempDir()];
  const full = await runFrom(a);
  assertEquals(full.map((f) => f[0]), [3, 6, 9, 12]);
  const first = await runFrom(b, 6);
  assertEquals(await latestCheckpoint(b), `${b}/${step(3)}`); // record 6 was not handled completely
  const rest = await runFrom(b);
  assertEquals([...first.slice(0, 1), ...rest], full); // bit-identical on one backend
  await Deno.remove(a, { recursive: true });
  await Deno.remove(b, { recursive: true });
});
