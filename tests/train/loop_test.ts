import type { NativeBackend } from "../../lib/backend/native/native_backend.ts";
import { assert, assertAlmostEquals, assertEquals, assertRejects } from "@std/assert";
import { OptionError } from "../../lib/util/options.ts";
import { tf, useBackend } from "../../lib/backend/mod.ts";
import { HAS_NATIVE } from "../backend/_native.ts";
import { initEncoder } from "../../lib/model/encoder.ts";
import { disposeParams } from "../../lib/model/params.ts";
import { createAdamW, disposeAdamW } from "../../lib/train/adamw.ts";
import { train, type TrainOptions, type TrainRecord } from "../../lib/train/loop.ts";
import { budgetSchedule, schedule } from "../../lib/train/schedule.ts";
import { arraySource } from "../../lib/train/source.ts";
import { batchStream } from "../../lib/data/batch_stream.ts";
import { mlmTask, type Task } from "../../lib/train/task.ts";
import { syntheticMlmBatch, tinyConfig } from "../model/_fixtures.ts";

/** A one-parameter task (w - b)² with a fake clock: each training loss call costs 100 ms, each eval 5 s. */
function scalarTask(lossAt?: (step: number, w: tf.Scalar, b: number) => tf.Scalar) {
  let now = 0, calls = 0;
  const params = { w: tf.variable(tf.scalar(0)) };
  const task: Task<number> = {
    params,
    loss: (b, { training }) => {
      now += training ? 100 : 5000;
      if (training) calls++;
      return lossAt ? lossAt(calls, params.w as tf.Scalar, b) : tf.square(tf.sub(params.w, b)) as tf.Scalar;
    },
    tokens: () => 10,
    predictions: () => 1,
  };
  const optimizer = createAdamW(params, { weightDecay: 0 });
  const done = () => {
    disposeAdamW(optimizer);
    params.w.dispose();
  };
  return { options: { task, optimizer, clock: () => now }, task, optimizer, done };
}

const constant = schedule({ peakLr: 0.05, unit: "steps", warmup: 0, total: 1, decay: "constant" });

async function collect<B>(options: TrainOptions<B>) {
  const records: TrainRecord[] = [];
  const result = await train(options, (r) => {
    records.push(r);
  });
  return { records, result };
}

Deno.test("train() stops on the training-time budget, excluding evaluation time", async () => {
  const t = scalarTask();
  const { records, result } = await collect({
    ...t.options,
    source: arraySource([3]),
    validation: [3],
    schedule: constant,
    seconds: 2,
    evalEvery: { seconds: 0.5 },
  });
  assertEquals(result.status, "budget");
  assertEquals(result.step, 20); // 20 × 100 ms = 2 s of training; 4 evaluations × 5 s not counted
  assertAlmostEquals(result.seconds, 2, 1e-9);
  assertEquals(records.map((r) => r.step), [5, 10, 15, 20]);
  assertEquals(records.map((r) => r.seconds), [0.5, 1, 1.5, 2]);
  assertEquals(records.at(-1)!.status, "budget");
  assert(records.at(-1)!.wallSeconds >= 2 + 4 * 5, "wall time includes the evaluations");
  assertEquals(records.at(-1)!.tokens, 200);
  t.done();
});

Deno.test("train() stops on a target validation loss", async () => {
  const t = scalarTask();
  const { records, result } = await collect({
    ...t.options,
    source: arraySource([1]),
    validation: [1],
    schedule: constant,
    maxSteps: 1000,
    targetValLoss: 0.01,
    evalEvery: { steps: 5 },
  });
  assertEquals(result.status, "target");
  assert(result.step < 1000 && result.valLoss! <= 0.01);
  assertEquals(records.at(-1)!.status, "target");
  assert(records.slice(0, -1).every((r) => r.valLoss! > 0.01));
  t.done();
});

Deno.test("train() reports NaN as a status instead of throwing", async () => {
  const t = scalarTask((step, w, b) =>
    (step >= 7 ? tf.mul(tf.square(tf.sub(w, b)), NaN) : tf.square(tf.sub(w, b))) as tf.Scalar
  );
  const { records, result } = await collect({
    ...t.options,
    source: arraySource([1]),
    schedule: constant,
    maxSteps: 100,
    logEverySteps: 5,
  });
  assertEquals(result.status, "nan");
  assertEquals(result.step, 10);
  assert(result.message.includes("step 10"), result.message);
  assertEquals(records.map((r) => r.status), ["running", "nan"]);
  t.done();
});

Deno.test("train() stops a diverging run", async () => {
  const t = scalarTask((step, w) => tf.add(tf.mul(w, 0), step < 10 ? 1 : 10 ** (step - 9)) as tf.Scalar);
  const { result } = await collect({
    ...t.options,
    source: arraySource([0]),
    schedule: constant,
    maxSteps: 100,
    logEverySteps: 2,
  });
  assertEquals(result.status, "diverged");
  assertEquals(result.step, 10); // mean over steps 9-10 = (1 + 10) / 2 = 5.5 > 4 × 1
  t.done();
});

Deno.test("train() with a seconds-based schedule warms up and decays over fractions of the budget", async () => {
  const t = scalarTask();
  const { records } = await collect({
    ...t.options,
    source: arraySource([3]),
    schedule: budgetSchedule(10, { peakLr: 1, warmupFraction: 0.2 }),
    seconds: 10,
    logEverySteps: 10,
  });
  // lr of the step starting at training second s: s/2 during warmup, then 1 - (s - 2)/8.
  assertEquals(records.map((r) => r.step), [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
  assertAlmostEquals(records[0].lr, 0.9 / 2, 1e-9); // step 10 starts at 0.9 s
  assertAlmostEquals(records[5].lr, 1 - (5.9 - 2) / 8, 1e-9); // step 60 starts at 5.9 s
  t.done();
});

function mlmSetup(seed = 0) {
  const config = tinyConfig({ dropout: 0.1 });
  const params = initEncoder(config, seed);
  const batches = [0, 1, 2, 3, 4].map((s) => syntheticMlmBatch(s, config.vocabSize, [10, 8, 10], 10));
  return { config, params, task: mlmTask(params, config), optimizer: createAdamW(params), batches };
}

for (const backend of ["cpu", "native"]) {
  Deno.test({
    name: `train() leaks no tensors on ${backend}: numTensors after 200 steps equals that after 1` +
      (backend === "native" ? ", and the arena stops growing" : ""),
    ignore: backend === "native" && !HAS_NATIVE,
  }, async () => {
    await useBackend(backend);
    try {
      const s = mlmSetup();
      const counts: number[] = [], arenaBytes: number[] = [];
      const arena = (tf.backend() as unknown as Partial<NativeBackend>).pool?.arena;
      await train({
        task: s.task,
        optimizer: s.optimizer,
        source: arraySource(s.batches),
        validation: s.batches.slice(0, 2),
        schedule: schedule({ peakLr: 1e-3, unit: "steps", warmup: 20, total: 200 }),
        maxSteps: 200,
        logEverySteps: 1,
        evalEvery: { steps: 50 },
      }, (r) => {
        if (r.step === 1 || r.step === 200) counts.push(tf.memory().numTensors);
        // Every shape has been seen (and evaluated) by step 60: blocks are reused from then on.
        if (arena && (r.step === 60 || r.step === 190)) arenaBytes.push(arena.usedBytes);
      });
      assertEquals(counts.length, 2);
      assertEquals(counts[1], counts[0]);
      if (backend === "native") {
        assertEquals(arenaBytes.length, 2);
        assertEquals(arenaBytes[1], arenaBytes[0], "arena bytes at steps 60 and 190");
      }
      disposeAdamW(s.optimizer);
      disposeParams(s.params);
    } finally {
      await useBackend("cpu");
    }
  });
}

Deno.test("train() is repeatable with the same seed (dropout on)", async () => {
  const losses: number[][] = [];
  for (let run = 0; run < 2; run++) {
    const s = mlmSetup();
    const { records } = await collect({
      task: s.task,
      optimizer: s.optimizer,
      source: arraySource(s.batches),
      schedule: constant,
      maxSteps: 15,
      logEverySteps: 1,
      seed: 42,
    });
    losses.push(records.map((r) => r.trainLoss!));
    disposeAdamW(s.optimizer);
    disposeParams(s.params);
  }
  assertEquals(losses[0], losses[1]);
});

Deno.test("train() with accumulate: 2 takes two micro-batches per update and counts their tokens", async () => {
  const t = scalarTask();
  const seen: number[] = [];
  const source = batchStream(2, (epoch, i) => {
    seen.push(2 * epoch + i);
    return 3 + i;
  });
  const { result } = await collect({
    ...t.options,
    source,
    schedule: constant,
    maxSteps: 5,
    accumulate: 2,
    logEverySteps: 5,
  });
  assertEquals(result.step, 5);
  assertEquals(seen.length, 10);
  assertEquals(result.tokens, 100);
  t.done();
});

Deno.test("train() evalHooks add metrics at evaluation points; their time is in evalSeconds, not the budget", async () => {
  const t = scalarTask();
  let now = 0;
  const clock = () => now + t.options.clock();
  const seen: number[] = [];
  const { records, result } = await collect({
    ...t.options,
    clock,
    source: arraySource([3]),
    validation: [3],
    schedule: constant,
    seconds: 2,
    evalEvery: { seconds: 1 },
    evalHooks: [(c) => {
      seen.push(c.step);
      now += 7000; // a 7 s decode
      return Promise.resolve({ bleu: c.step, other: null });
    }],
  });
  assertEquals(result.step, 20);
  assertEquals(seen, [10, 20]);
  assertEquals(records.map((r) => r.bleu), [10, 20]);
  assertEquals(records.map((r) => r.other), [null, null]);
  // Each evaluation: 5 s of validation loss + 7 s of hook.
  assertEquals(records.map((r) => r.evalSeconds), [12, 24]);
  assertEquals(records.map((r) => r.seconds), [1, 2]);
  t.done();
});

Deno.test("train() with maxSteps 0 evaluates once and yields one record; afterStep sees every update", async () => {
  const t = scalarTask();
  const { records, result } = await collect({
    ...t.options,
    source: arraySource([3]),
    validation: [3],
    schedule: constant,
    maxSteps: 0,
    evalHooks: [() => Promise.resolve({ accuracy: 0.5 })],
  });
  assertEquals([result.status, result.step, records.length], ["max_steps", 0, 1]);
  assertEquals([records[0].valLoss, records[0].trainLoss, records[0].accuracy], [9, null, 0.5]);
  const steps: number[] = [];
  await collect({
    ...t.options,
    source: arraySource([3]),
    schedule: constant,
    maxSteps: 3,
    afterStep: (s) => {
      steps.push(s);
    },
  });
  assertEquals(steps, [1, 2, 3]);
  t.done();
});

Deno.test("train() aborted between records and resumed logs the same records as an uninterrupted run", async () => {
  const run = async (abortAt: number | null, dir: string) => {
    const s = mlmSetup();
    const controller = new AbortController();
    const options: TrainOptions<typeof s.batches[number]> = {
      task: s.task,
      optimizer: s.optimizer,
      source: arraySource(s.batches),
      validation: s.batches.slice(0, 2),
      schedule: schedule({ peakLr: 1e-3, unit: "steps", warmup: 3, total: 12 }),
      maxSteps: 12,
      evalEvery: { steps: 4 },
      seed: 5,
      checkpoint: { dir, everyRecord: true },
      signal: controller.signal,
      afterStep: (step) => {
        if (step === abortAt) controller.abort();
      },
    };
    const first = await collect(options);
    const records = first.records;
    if (abortAt !== null) {
      assertEquals(first.result.status, "aborted");
      const { loadCheckpoint } = await import("../../lib/train/checkpoint.ts");
      const { trainer } = await loadCheckpoint(dir, { params: s.params, optimizer: s.optimizer });
      assertEquals([trainer!.step, trainer!.window?.count], [abortAt, abortAt % 4]);
      const rest = await collect({
        ...options,
        signal: undefined,
        resume: trainer!,
        source: arraySource(s.batches),
      });
      records.push(...rest.records);
    }
    disposeAdamW(s.optimizer);
    disposeParams(s.params);
    return records.map(({ wallSeconds: _w, seconds: _s, tokensPerSecond: _t, evalSeconds: _e, ...r }) => r);
  };
  const whole = await run(null, await Deno.makeTempDir());
  const resumed = await run(6, await Deno.makeTempDir());
  assertEquals(whole.map((r) => r.step), [4, 8, 12]);
  assertEquals(resumed, whole);
});

Deno.test("train() refuses options that would hang, never stop or mean nothing, naming them (OptionError)", async () => {
  const t = scalarTask();
  const base = { ...t.options, source: arraySource([3]), validation: [3], schedule: constant };
  const bad: [Record<string, unknown>, string][] = [
    [{ maxSteps: 10, evalEvery: { seconds: 0 } }, "evalEvery.seconds"], // used to spin forever
    [{ seconds: NaN }, "seconds"], // used to never stop
    [{ seconds: Infinity }, "maxSteps"], // unbounded only with a step limit
    [{ seconds: -1 }, "seconds"],
    [{ maxSteps: 2.5 }, "maxSteps"],
    [{ maxSteps: 10, evalEvery: { steps: 0 } }, "evalEvery.steps"],
    [{ maxSteps: 10, evalEvery: { second: 1 } }, "did you mean `evalEvery.seconds`"],
    [{ maxSteps: 10, accumulate: 0 }, "accumulate"],
    [{ maxSteps: 10, maxGradNorm: NaN }, "maxGradNorm"],
    [{ maxSteps: 10, logEverySteps: 0 }, "logEverySteps"],
    [{ maxSeconds: 5 }, "did you mean `seconds`"],
    [{ maxSteps: 10, checkpoint: { dir: "/tmp/x", everySteps: 0 } }, "checkpoint.everySteps"],
    [{ maxSteps: 10, checkpoint: { dir: "/tmp/x", keepLast: 0 } }, "checkpoint.keepLast"],
    [{ maxSteps: 10, checkpoint: { dir: "/tmp/x", every: 1 } }, "checkpoint.every"],
  ];
  for (const [extra, name] of bad) {
    await assertRejects(() => train({ ...base, ...extra } as never), OptionError, name);
  }
  // Infinity with a step limit is fine: it stops on the steps.
  const { result } = await collect({ ...base, seconds: Infinity, maxSteps: 3 });
  assertEquals([result.status, result.step], ["max_steps", 3]);
  t.done();
});
