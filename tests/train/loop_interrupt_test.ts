/** The notebook's stop button inside the training loop: interrupt() stops at the next step, saves, throws. */
import { assert, assertEquals, assertRejects } from "@std/assert";
import { tf, useBackend } from "../../lib/backend/mod.ts";
import { createAdamW, disposeAdamW } from "../../lib/train/adamw.ts";
import { loadCheckpoint } from "../../lib/train/checkpoint.ts";
import { train, type TrainOptions } from "../../lib/train/loop.ts";
import { schedule } from "../../lib/train/schedule.ts";
import { arraySource } from "../../lib/train/source.ts";
import type { Task } from "../../lib/train/task.ts";
import { interrupt, InterruptedError } from "../../lib/util/interrupt.ts";

/** Fits w to 3 with loss (w - 3)²; one record per step. */
function scalarRun(extra: Partial<TrainOptions<number>> = {}) {
  const params = { w: tf.variable(tf.scalar(0)) };
  const task: Task<number> = {
    params,
    loss: (b) => tf.square(tf.sub(params.w, b)) as tf.Scalar,
    tokens: () => 1,
    predictions: () => 1,
  };
  const optimizer = createAdamW(params, { weightDecay: 0 });
  const options: TrainOptions<number> = {
    task,
    optimizer,
    source: arraySource([3]),
    schedule: schedule({ peakLr: 0.05, unit: "steps", warmup: 0, total: 1, decay: "constant" }),
    maxSteps: 100,
    logEverySteps: 1,
    ...extra,
  };
  const done = () => {
    disposeAdamW(optimizer);
    params.w.dispose();
  };
  return { params, optimizer, options, done };
}

Deno.test("interrupt() stops train() at the next step, saves a checkpoint there, then throws InterruptedError", async () => {
  await useBackend("cpu");
  const dir = await Deno.makeTempDir();
  const run = scalarRun({ checkpoint: { dir } });
  const before = tf.memory().numTensors;
  const error = await assertRejects(
    () => train(run.options, (r) => void (r.step === 5 && interrupt())),
    InterruptedError,
  );
  assertEquals(tf.memory().numTensors, before); // the stopped run freed its running sums
  assertEquals([error.step, error.checkpoint], [6, dir]);
  assertEquals(
    error.message,
    `interrupted at step 6; checkpoint saved to ${dir}; run the cell again to resume`,
  );
  const w = (await run.params.w.data())[0];
  run.params.w.assign(tf.scalar(0));
  const { trainer } = await loadCheckpoint(dir, { params: run.params, optimizer: run.optimizer });
  assertEquals(trainer?.step, 6);
  assertEquals((await run.params.w.data())[0], w); // the checkpoint holds the weights of step 6
  run.done();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("without a checkpoint the InterruptedError says none was saved; the caller's own signal still just aborts", async () => {
  await useBackend("cpu");
  const a = scalarRun();
  const error = await assertRejects(
    () => train(a.options, (r) => void (r.step === 2 && interrupt())),
    InterruptedError,
  );
  assertEquals([error.step, error.checkpoint], [3, null]);
  assert(error.message.includes("no checkpoint"), error.message);
  a.done();
  const controller = new AbortController();
  const b = scalarRun({ signal: controller.signal });
  const result = await train(b.options, (r) => void (r.step === 2 && controller.abort()));
  assertEquals([result.status, result.step], ["aborted", 3]);
  b.done();
});

Deno.test("an interrupt while no run is going does not stop the next run", async () => {
  await useBackend("cpu");
  assertEquals(interrupt(), 0);
  const run = scalarRun({ maxSteps: 10 });
  const result = await train(run.options);
  assertEquals([result.status, result.step], ["max_steps", 10]);
  run.done();
});
