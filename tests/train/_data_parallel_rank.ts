/**
 * One rank of the data-parallel tests (tests/train/data_parallel_test.ts): started by `mpiexec -n 2` or
 * alone (the single-process reference), it trains tiny MLM, seq2seq and classification models for 20 steps
 * on the cpu backend with dropout 0 and writes, per scenario, every step's loss, gradient norm and a hash
 * of the parameters to `<out>/<scenario>.<rank>.json`.
 *
 * Usage: deno run -A tests/train/_data_parallel_rank.ts <out dir> <mode> [distributed]
 * modes: train (the three tasks, a wall-clock budget, an abort and an interrupt on rank 1, a checkpoint/resume), mismatch (rank 1 uses another seed),
 * die (rank 1 is killed at step 3 by SIGKILL), exit0 (rank 1 exits at step 3 with code 0), hang (rank 1
 * stops taking part at step 3), late (rank 1 finishes 1.5 s after rank 0 exits).
 */
import { tf, useBackend } from "../../lib/backend/mod.ts";
import type { ClassificationBatch, Seq2SeqBatch } from "../../lib/data/types.ts";
import { hashBytes } from "../../lib/distributed/agree.ts";
import { mpiCommunicator } from "../../lib/distributed/communicator.ts";
import { initClassifier } from "../../lib/model/classifier.ts";
import { initEncoder } from "../../lib/model/encoder.ts";
import type { Params } from "../../lib/model/params.ts";
import { disposeParams } from "../../lib/model/params.ts";
import { initSeq2Seq } from "../../lib/model/seq2seq.ts";
import { createAdamW, disposeAdamW } from "../../lib/train/adamw.ts";
import { loadCheckpoint } from "../../lib/train/checkpoint.ts";
import type { Distributed } from "../../lib/train/data_parallel.ts";
import { type TrainerState, trainRecords } from "../../lib/train/loop.ts";
import { budgetSchedule, schedule } from "../../lib/train/schedule.ts";
import { arraySource } from "../../lib/train/source.ts";
import { classificationTask, mlmTask, seq2seqTask, type Task } from "../../lib/train/task.ts";
import { interrupt, InterruptedError } from "../../lib/util/interrupt.ts";
import { createRng } from "../../lib/util/random.ts";
import { shardSeq2Seq, syntheticMlmBatch, tinyConfig } from "../model/_fixtures.ts";

const [out, mode, distributed] = Deno.args as [string, string, Distributed | undefined];
await useBackend("cpu");
const rank = distributed === "none" ? 0 : mpiCommunicator().rank;
const STEPS = 20;
const lr = schedule({ peakLr: 3e-3, unit: "steps", warmup: 4, total: STEPS });

async function paramsHash(params: Params): Promise<number> {
  const hashes: number[] = [];
  for (const name of Object.keys(params).sort()) {
    const v = await params[name].data() as Float32Array;
    hashes.push(hashBytes(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)));
  }
  return hashBytes(new Uint8Array(new Float64Array(hashes).buffer));
}

interface Trace {
  loss: number[];
  gradNorm: number[];
  hash: number[];
  valLoss: number | null;
  final: Record<string, number[]>;
  status: string;
}

interface Extra {
  accumulate?: number;
  seed?: number;
  steps?: number;
  seconds?: number;
  checkpoint?: string;
  resume?: boolean;
  /** Rank 1 alone aborts its signal after this step's record. */
  abortAt?: number;
  /** Rank 1 alone is interrupted (the notebook's stop button) after this step's record. */
  interruptAt?: number;
}

/** Trains `task` on `batches` and writes the trace; trainRecords yields on every rank, so every rank hashes. */
async function run<B>(name: string, task: Task<B>, batches: B[], extra: Extra = {}): Promise<Trace> {
  const optimizer = createAdamW(task.params);
  let resume: TrainerState | undefined;
  if (extra.resume) {
    resume = (await loadCheckpoint(extra.checkpoint!, { params: task.params, optimizer })).trainer!;
  }
  const trace: Trace = { loss: [], gradNorm: [], hash: [], valLoss: null, final: {}, status: "" };
  const controller = new AbortController();
  const records = trainRecords({
    task,
    optimizer,
    source: arraySource(batches),
    validation: batches.slice(0, 2),
    schedule: extra.seconds ? budgetSchedule(extra.seconds, { peakLr: 3e-3 }) : lr,
    maxSteps: extra.seconds ? undefined : extra.steps ?? STEPS,
    seconds: extra.seconds,
    evalEvery: { steps: 10 },
    logEverySteps: 1,
    accumulate: extra.accumulate,
    seed: extra.seed,
    distributed,
    signal: controller.signal,
    resume,
    checkpoint: extra.checkpoint ? { dir: extra.checkpoint } : undefined,
  });
  for (let r = await next(records);; r = await next(records)) {
    if (r === "interrupted") {
      trace.status = "interrupted";
      break;
    }
    if (r.done) {
      trace.status = r.value.status;
      trace.valLoss = r.value.valLoss;
      break;
    }
    trace.loss.push(r.value.trainLoss!);
    trace.gradNorm.push(r.value.gradNorm!);
    trace.hash.push(await paramsHash(task.params));
    await misbehave(r.value.step);
    if (rank === 1 && r.value.step === extra.abortAt) controller.abort();
    if (rank === 1 && r.value.step === extra.interruptAt) interrupt();
  }
  for (const [n, p] of Object.entries(task.params)) trace.final[n] = Array.from(await p.data());
  disposeAdamW(optimizer);
  await Deno.writeTextFile(`${out}/${name}.${rank}.json`, JSON.stringify(trace));
  return trace;
}

/** The generator's next result, or "interrupted" when it ended with an InterruptedError. */
async function next<T, R>(g: AsyncGenerator<T, R>): Promise<IteratorResult<T, R> | "interrupted"> {
  try {
    return await g.next();
  } catch (e) {
    if (e instanceof InterruptedError) return "interrupted";
    throw e;
  }
}

/** The failure modes: rank 1 dies, exits quietly or stops taking part at step 3. */
async function misbehave(step: number): Promise<void> {
  if (rank !== 1 || step !== 3) return;
  if (mode === "die") Deno.kill(Deno.pid, "SIGKILL"); // as the kernel's OOM killer would
  if (mode === "exit0") Deno.exit(0);
  if (mode === "hang") await new Promise((resolve) => setTimeout(resolve, 60_000));
}

function seq2seqBatch(seed: number, rows: number): Seq2SeqBatch {
  const rng = createRng(`s2s:${seed}`), S = 6, T = 5;
  const b: Seq2SeqBatch = {
    batchSize: rows,
    srcLen: S,
    tgtLen: T,
    srcIds: new Int32Array(rows * S).fill(1),
    srcMask: new Uint8Array(rows * S),
    decoderInputIds: new Int32Array(rows * T).fill(1),
    targetIds: new Int32Array(rows * T).fill(1),
    targetMask: new Uint8Array(rows * T),
  };
  for (let r = 0; r < rows; r++) {
    const s = 2 + rng.int(S - 1), t = 1 + rng.int(T);
    for (let i = 0; i < s; i++) [b.srcIds[r * S + i], b.srcMask[r * S + i]] = [4 + rng.int(26), 1];
    for (let i = 0; i < t; i++) {
      const id = 4 + rng.int(26);
      [b.targetIds[r * T + i], b.targetMask[r * T + i]] = [id, 1];
      if (i + 1 < T) b.decoderInputIds[r * T + i + 1] = id;
    }
    b.decoderInputIds[r * T] = 0;
  }
  return b;
}

function classificationBatch(seed: number, rows: number): ClassificationBatch {
  const rng = createRng(`cls:${seed}`), T = 6;
  const b: ClassificationBatch = {
    batchSize: rows,
    seqLen: T,
    inputIds: new Int32Array(rows * T).fill(1),
    attentionMask: new Uint8Array(rows * T),
    labels: new Int32Array(rows),
  };
  for (let r = 0; r < rows; r++) {
    const n = 2 + rng.int(T - 1);
    for (let i = 0; i < n; i++) [b.inputIds[r * T + i], b.attentionMask[r * T + i]] = [4 + rng.int(26), 1];
    b.labels[r] = rng.int(3);
  }
  return b;
}

const encoder = tinyConfig({ dropout: 0, attentionDropout: 0 });
// 5 rows: the ranks get 2 and 3 rows, and unequal numbers of masked positions.
const mlmBatches = [0, 1, 2, 3].map((s) => syntheticMlmBatch(s, 30, [9, 4, 12, 7, 10], 12));
const mlmParams = () => initEncoder(encoder, 0);

if (mode === "train") {
  const mlm = mlmParams();
  await run("mlm", mlmTask(mlm, encoder), mlmBatches, { accumulate: 2 });
  disposeParams(mlm);

  const s2sConfig = shardSeq2Seq();
  const s2s = initSeq2Seq(s2sConfig, 0);
  await run(
    "seq2seq",
    seq2seqTask(s2s, s2sConfig, { labelSmoothing: 0.1 }),
    [0, 1, 2].map((s) => seq2seqBatch(s, 4)),
  );
  disposeParams(s2s);

  const cls = initClassifier(encoder, 3, 0);
  await run(
    "classification",
    classificationTask(cls, encoder),
    [0, 1, 2].map((s) => classificationBatch(s, 6)),
  );
  disposeParams(cls);

  // A wall-clock budget and a time-based schedule: the ranks must agree on time to stay in step.
  const timed = mlmParams();
  await run("budget", mlmTask(timed, encoder), mlmBatches, { seconds: 1 });
  disposeParams(timed);

  // Rank 1 alone is stopped from outside: every rank stops after the same step.
  const stopped = mlmParams();
  await run("abort", mlmTask(stopped, encoder), mlmBatches, { abortAt: 4 });
  disposeParams(stopped);
  const interrupted = mlmParams();
  await run("interrupt", mlmTask(interrupted, encoder), mlmBatches, { interruptAt: 4 });
  disposeParams(interrupted);

  // Checkpoint at step 10 (rank 0 writes), then a fresh start of every rank resumes from it.
  const dir = `${out}/checkpoint`;
  const first = mlmParams();
  await run("resume-first", mlmTask(first, encoder), mlmBatches, { steps: 10, checkpoint: dir });
  disposeParams(first);
  const second = mlmParams();
  await run("resume-second", mlmTask(second, encoder), mlmBatches, {
    steps: STEPS,
    checkpoint: dir,
    resume: true,
  });
  disposeParams(second);
} else if (mode === "late") {
  // Rank 0 exits at once; rank 1 still has work to finish, which mpiexec must not cut off.
  if (rank === 1) {
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await Deno.writeTextFile(`${out}/late.1.done`, "finished");
  }
} else if (mode === "mismatch") {
  const mlm = mlmParams();
  try {
    await run("mismatch", mlmTask(mlm, encoder), mlmBatches, { seed: rank });
  } catch (e) {
    await Deno.writeTextFile(`${out}/mismatch.${rank}.error`, (e as Error).message);
  }
} else {
  const mlm = mlmParams();
  await run(mode, mlmTask(mlm, encoder), mlmBatches);
}
console.log(`rank ${rank}: ${mode} done, ${tf.memory().numTensors} tensors left`);
