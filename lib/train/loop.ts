/**
 * The training loop: trains for a wall-clock budget (evaluation excluded), a step count or a target
 * validation loss, whichever comes first; yields one flat record per log point; detects NaN/Inf and
 * divergence and stops with a status instead of throwing; checkpoints and resumes exactly.
 *
 * Time is read from the clock after each step; every `syncEverySteps` steps the loop awaits the running
 * loss so that work queued on an asynchronous backend (WebGPU) is counted in the step that queued it.
 *
 * @module
 */
import { tf } from "../backend/tf.ts";
import type { Scalar } from "../backend/tf.ts";
import { InterruptedError, interruptScope } from "../util/interrupt.ts";
import { createRng, restoreRng, type RngState } from "../util/random.ts";
import type { AdamW } from "./adamw.ts";
import { checkChoice, checkKeys, checkNumber, OptionError } from "../util/options.ts";
import { NonFiniteError, saveCheckpoint } from "./checkpoint.ts";
import { type Distributed, startDataParallel } from "./data_parallel.ts";
import { evaluate } from "./evaluate.ts";
import { learningRate, type Schedule } from "./schedule.ts";
import type { BatchStream } from "../data/batch_stream.ts";
import type { Params } from "../model/params.ts";
import type { Task } from "./task.ts";
import { trainStep } from "./train_step.ts";

/** Why a run stopped (or `"running"` on intermediate records). */
export type RunStatus = "running" | "budget" | "max_steps" | "target" | "nan" | "diverged" | "aborted";

/** One log point: flat and JSON-safe (null where a value was not measured at this point). */
export interface TrainRecord {
  /** Updates applied so far. */
  step: number;
  /** Training seconds so far (evaluation, checkpoints and record consumers excluded). */
  seconds: number;
  /** Input tokens (padding excluded) trained on so far. */
  tokens: number;
  /** Mean training loss over the steps since the previous record. */
  trainLoss: number | null;
  /** Validation loss per prediction, when evaluated at this point. */
  valLoss: number | null;
  /** exp(valLoss). */
  valPerplexity: number | null;
  /** Learning rate of the latest step. */
  lr: number;
  /** Mean global gradient norm (before clipping) since the previous record. */
  gradNorm: number | null;
  /** Training tokens per training second, whole run. */
  tokensPerSecond: number;
  /** Wall-clock seconds since this call of the loop started, everything included. */
  wallSeconds: number;
  /** Seconds spent evaluating so far (validation loss and `evalHooks`), whole run; not in `seconds`. */
  evalSeconds: number;
  /** `"running"`, or why the run stopped on its final record. */
  status: RunStatus;
  /** Extra fields folded into every record (run name, model size, …). */
  [tag: string]: string | number | boolean | null;
}

/** Everything needed to continue a run exactly; stored as JSON in checkpoints. */
export interface TrainerState {
  /** Updates applied so far. */
  step: number;
  /** Training seconds so far (evaluation excluded). */
  seconds: number;
  /** Training tokens consumed so far. */
  tokens: number;
  /** State of the generator that seeds each step's dropout. */
  rng: RngState;
  /** The batch source's `position()`, or null when it has none. */
  dataPosition: unknown;
  /** Lowest training loss logged so far (divergence reference). */
  minTrainLoss: number | null;
  /** Training seconds at which the next seconds-based evaluation falls due. */
  nextEvalSeconds: number | null;
  /** The schedule, so a resumed run can check it continues the same one. */
  schedule: Schedule;
  /** Seconds spent evaluating so far (absent in checkpoints written before it existed). */
  evalSeconds?: number;
  /**
   * The open logging window (sums of training loss and gradient norm over `count` steps since the last
   * record), so a run stopped between records resumes to the same next record. Absent in older checkpoints.
   */
  window?: { loss: number; norm: number; count: number; gradSqSmall?: number; gradSqBig?: number };
}

/** What an evaluation hook sees: where training is, and the parameters being trained (read-only). */
export interface EvalContext {
  /** Updates applied so far. */
  step: number;
  /** Training seconds so far. */
  seconds: number;
  /** Training tokens so far. */
  tokens: number;
  /** The task's parameters; a hook must not change them (dropout is off: call the model with training false). */
  params: Params;
}

/**
 * Extra metrics at each evaluation point (BLEU from decoding, accuracy, …), merged into that record.
 * Its time is excluded from the training budget and counted in `evalSeconds`. Returned tensors: none.
 */
export type EvalHook = (context: EvalContext) => Promise<Record<string, number | null>>;

/** How a run ended. */
export interface TrainResult {
  /** Why it stopped: "budget", "max_steps", "target", "nan", "diverged" or "aborted" (see `RunStatus`). */
  status: Exclude<RunStatus, "running">;
  /** Human-readable reason, e.g. which step produced NaN. */
  message: string;
  /** Updates applied. */
  step: number;
  /** Training seconds spent (evaluation excluded). */
  seconds: number;
  /** Training tokens consumed. */
  tokens: number;
  /** Validation loss at the end (null when there is no validation set or the run failed). */
  valLoss: number | null;
  /** State at the end, for a checkpoint. */
  state: TrainerState;
}

/** Options of `trainRecords` / `train`. */
export interface TrainOptions<B> {
  /** What a step computes: the loss of a batch (MLM, seq2seq, classification). */
  task: Task<B>;
  /** The optimizer, created with `createAdamW(params)`. */
  optimizer: AdamW;
  /** Training batches; its `position()` goes into checkpoints and `restore()` resumes it. */
  source: BatchStream<B>;
  /** Learning-rate schedule (step- or time-based). */
  schedule: Schedule;
  /** Validation batches; without them records carry no valLoss and `targetValLoss` is ignored. */
  validation?: readonly B[];
  /** Extra metrics at each evaluation point (needs `validation`, which decides the points). */
  evalHooks?: readonly EvalHook[];
  /** Runs after every update with the number of updates so far, inside training time (e.g. to re-apply
   * pruning masks); `seconds` is training time so far. */
  afterStep?: (step: number, seconds: number) => void | Promise<void>;
  /** Stop after this many training seconds (`Infinity` only together with `maxSteps`; 0: evaluate only). */
  seconds?: number;
  /** Stop after this many updates (total, counting steps before a resume; 0: evaluate only). */
  maxSteps?: number;
  /** Stop once validation loss is at or below this. */
  targetValLoss?: number;
  /** Evaluate (and log) every this many training seconds and/or steps. Default: 20 times per budget. */
  evalEvery?: { seconds?: number; steps?: number };
  /** Also log training-only records every this many steps. Default: none. */
  logEverySteps?: number;
  /** Await the running loss every this many steps, keeping the clock honest on async backends. Default 1. */
  syncEverySteps?: number;
  /** Gradient clipping threshold (global L2 norm); 0 disables. Default 1 (fairseq's RoBERTa recipe uses 0; 1 guards small-batch runs). */
  maxGradNorm?: number;
  /** Micro-batches per update (gradient accumulation). Default 1. */
  accumulate?: number;
  /**
   * Add the gradient noise scale's measurements to every record (see `trainStep`'s `noiseScale`):
   * `gradSqSmall` and `gradSqBig`, means over the steps since the previous record, and `microBatches`
   * (= `accumulate`). Estimate B_simple from them with `noiseScaleEstimate`. Default false.
   */
  noiseScale?: boolean;
  /** Seed of the per-step dropout seeds. Default 0. */
  seed?: number;
  /** Stop as diverged when a logged training loss exceeds this multiple of the lowest one. Default 4. */
  divergenceFactor?: number;
  /**
   * Save checkpoints under the checkpoint root `dir` (one all-or-nothing directory per save, see
   * `saveCheckpoint`) every so often and at the end; `everyRecord` saves right after each record has been
   * handled by the consumer, so a run resumed from the newest checkpoint replays the following records
   * exactly. Non-finite parameters or optimizer state are never saved: the run stops with status "nan".
   */
  checkpoint?: TrainCheckpointOptions;
  /** Continue from a checkpoint's trainer state (load parameters and optimizer first). */
  resume?: TrainerState;
  /** Fields added to every record. */
  tags?: Record<string, string | number | boolean>;
  /**
   * Stops the run (status "aborted") at the next step boundary. The notebook's stop button (see
   * `lib/util/interrupt.ts`) stops it the same way, then throws an `InterruptedError` after the checkpoint.
   */
  signal?: AbortSignal;
  /** Milliseconds clock; default `performance.now`. Tests inject a fake one. */
  clock?: () => number;
  /**
   * `"mpi"`: data-parallel over the ranks `mpiexec`/`srun` started (see lib/train/data_parallel.ts);
   * `"none"`: this process alone. Default: `"mpi"` when launched as several MPI ranks, else `"none"`.
   */
  distributed?: Distributed;
}

/** When and where `trainRecords` saves checkpoints. */
export interface TrainCheckpointOptions {
  /** The checkpoint root (created if missing). */
  dir: string;
  /** Save every this many steps. */
  everySteps?: number;
  /** Save every this many training seconds. */
  everySeconds?: number;
  /** Save right after each yielded record, once the consumer has handled it. Default false. */
  everyRecord?: boolean;
  /** Checkpoints kept (the newest). Default 2. */
  keepLast?: number;
  /** The model config, stored as config.json. */
  config?: unknown;
}

/**
 * The option names `trainRecords` accepts (unknown ones are errors with the nearest name). A branch that
 * adds an option to `TrainOptions` adds its name here too.
 */
export const TRAIN_OPTION_KEYS: readonly string[] = [
  "task",
  "optimizer",
  "source",
  "schedule",
  "validation",
  "evalHooks",
  "afterStep",
  "seconds",
  "maxSteps",
  "targetValLoss",
  "evalEvery",
  "logEverySteps",
  "syncEverySteps",
  "maxGradNorm",
  "accumulate",
  "noiseScale",
  "seed",
  "divergenceFactor",
  "checkpoint",
  "resume",
  "tags",
  "signal",
  "clock",
  "distributed",
];

function defaultEvalEvery<B>(o: TrainOptions<B>): { seconds?: number; steps?: number } {
  if (o.evalEvery) return o.evalEvery;
  if (o.seconds && Number.isFinite(o.seconds)) return { seconds: o.seconds / 20 };
  if (o.maxSteps) return { steps: Math.max(1, Math.round(o.maxSteps / 20)) };
  return { steps: 100 };
}

function checkOptions<B>(o: TrainOptions<B>): void {
  const w = "train";
  checkKeys(w, o, TRAIN_OPTION_KEYS);
  for (const k of ["task", "optimizer", "source", "schedule"] as const) {
    if (o[k] === undefined || o[k] === null) throw new OptionError(w, k, `\`${k}\` is required`);
  }
  // 0 is a run with nothing to train: with validation batches, it evaluates once.
  checkNumber(w, "seconds", o.seconds, { min: 0, infinite: true });
  checkNumber(w, "maxSteps", o.maxSteps, { min: 0, integer: true });
  checkNumber(w, "targetValLoss", o.targetValLoss);
  if (o.seconds === Infinity && o.maxSteps === undefined) {
    throw new OptionError(w, "seconds", "`seconds: Infinity` (no time limit) needs a step limit `maxSteps`");
  }
  if (o.seconds === undefined && o.maxSteps === undefined && o.targetValLoss === undefined) {
    throw new OptionError(
      w,
      "seconds",
      "give at least one of seconds, maxSteps or targetValLoss, or it never stops",
    );
  }
  if (o.targetValLoss !== undefined && !o.validation?.length) {
    throw new OptionError(w, "targetValLoss", "targetValLoss needs validation batches");
  }
  if (o.evalEvery !== undefined) {
    checkKeys(w, o.evalEvery, ["seconds", "steps"], "evalEvery.");
    checkNumber(w, "evalEvery.seconds", o.evalEvery.seconds, { above: 0 });
    checkNumber(w, "evalEvery.steps", o.evalEvery.steps, { min: 1, integer: true });
    if (o.evalEvery.seconds === undefined && o.evalEvery.steps === undefined) {
      throw new OptionError(w, "evalEvery", "`evalEvery` needs `seconds` or `steps`");
    }
  }
  checkNumber(w, "logEverySteps", o.logEverySteps, { min: 1, integer: true });
  checkNumber(w, "syncEverySteps", o.syncEverySteps, { min: 1, integer: true });
  checkNumber(w, "maxGradNorm", o.maxGradNorm, { min: 0 });
  checkNumber(w, "accumulate", o.accumulate, { min: 1, integer: true });
  checkNumber(w, "seed", o.seed);
  checkNumber(w, "divergenceFactor", o.divergenceFactor, { above: 1 });
  checkChoice(w, "distributed", o.distributed, ["mpi", "none"]);
  if (o.noiseScale && o.distributed === "mpi") {
    throw new OptionError(
      w,
      "noiseScale",
      "noiseScale is measured by single-process training only; drop one of them",
    );
  }
  if (o.checkpoint !== undefined) {
    const ck = o.checkpoint;
    checkKeys(
      w,
      ck,
      ["dir", "everySteps", "everySeconds", "everyRecord", "keepLast", "config"],
      "checkpoint.",
    );
    if (typeof ck.dir !== "string" || ck.dir === "") {
      throw new OptionError(w, "checkpoint.dir", "`checkpoint.dir` must be a directory path");
    }
    checkNumber(w, "checkpoint.everySteps", ck.everySteps, { min: 1, integer: true });
    checkNumber(w, "checkpoint.everySeconds", ck.everySeconds, { above: 0 });
    checkNumber(w, "checkpoint.keepLast", ck.keepLast, { min: 1, integer: true });
  }
  if (o.resume && JSON.stringify(o.resume.schedule) !== JSON.stringify(o.schedule)) {
    throw new Error(
      `train: the resumed run used schedule ${JSON.stringify(o.resume.schedule)} but this call passes ` +
        `${JSON.stringify(o.schedule)}; pass the same schedule to continue the same run`,
    );
  }
}

/**
 * Trains, yielding a record at each log point; the generator's return value says how the run ended.
 * Time spent by the consumer between records is not counted as training time.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { tf } from "../backend/tf.ts";
 * import { createAdamW, disposeAdamW } from "./adamw.ts";
 * import { trainRecords } from "./loop.ts";
 * import { schedule } from "./schedule.ts";
 * import { arraySource } from "./source.ts";
 * // Fit w to 3 with loss (w - b)², batches b = 3.
 * const params = { w: tf.variable(tf.scalar(0)) };
 * const task = { params, loss: (b: number) => tf.square(tf.sub(params.w, b)) as tf.Scalar, tokens: () => 1, predictions: () => 1 };
 * const optimizer = createAdamW(params, { weightDecay: 0 });
 * const run = trainRecords({ task, optimizer, source: arraySource([3]), validation: [3], maxSteps: 200,
 *   schedule: { peakLr: 0.1, unit: "steps", warmup: 0, total: 200, decay: "constant", finalLr: 0 } });
 * let last;
 * for (let r = await run.next(); ; r = await run.next()) {
 *   if (r.done) { last = r.value; break; }
 * }
 * assert(last.status === "max_steps" && last.valLoss! < 1e-3);
 * disposeAdamW(optimizer);
 * params.w.dispose();
 * ```
 */
export function trainRecords<B>(o: TrainOptions<B>): AsyncGenerator<TrainRecord, TrainResult> {
  return loop(o, { rank: 0 });
}

async function* loop<B>(
  options: TrainOptions<B>,
  where: { rank: number },
): AsyncGenerator<TrainRecord, TrainResult> {
  checkOptions(options);
  const dp = await startDataParallel(options);
  const o = dp?.options ?? options; // data-parallel: rank 0's clock and an abort agreed by all ranks
  where.rank = dp?.comm.rank ?? 0;
  const clock = o.clock ?? (() => performance.now());
  const evalEvery = defaultEvalEvery(o);
  const accumulate = o.accumulate ?? 1;
  const syncEvery = o.syncEverySteps ?? 1;
  const divergenceFactor = o.divergenceFactor ?? 4;
  const maxGradNorm = o.maxGradNorm ?? 1;
  const r = o.resume;
  const rng = r ? restoreRng(r.rng) : createRng(`train:${o.seed ?? 0}`);
  if (r && r.dataPosition !== null) o.source.restore(r.dataPosition);
  let step = r?.step ?? 0, tokens = r?.tokens ?? 0;
  let minTrainLoss = r?.minTrainLoss ?? null;
  let nextEvalSeconds = r?.nextEvalSeconds ?? evalEvery.seconds ?? null;
  let trainedMs = (r?.seconds ?? 0) * 1000, evalSeconds = r?.evalSeconds ?? 0;
  const wallStart = clock();
  let segmentStart = wallStart;
  const seconds = () => (trainedMs + clock() - segmentStart) / 1000;
  const pause = () => (trainedMs += clock() - segmentStart);
  const unpause = () => (segmentStart = clock());

  let lossSum: Scalar | null = null, normSum: Scalar | null = null, sinceLog = 0, lastLr = 0;
  // With noiseScale: sums of |G_small|² and |G_big|² over the open logging window.
  let smallSum: Scalar | null = null, bigSum: Scalar | null = null;
  if (r?.window && r.window.count > 0) {
    [lossSum, normSum, sinceLog] = [tf.scalar(r.window.loss), tf.scalar(r.window.norm), r.window.count];
    const { gradSqSmall, gradSqBig } = r.window;
    if (o.noiseScale && gradSqSmall !== undefined && gradSqBig !== undefined) {
      [smallSum, bigSum] = [tf.scalar(gradSqSmall), tf.scalar(gradSqBig)];
    }
  }
  let windowValues: TrainerState["window"] = r?.window;
  let lastCheckpointStep = step, lastCheckpointSeconds = seconds();
  let status: RunStatus = "running", message = "", valLoss: number | null = null;

  const state = (): TrainerState => ({
    step,
    seconds: trainedMs / 1000,
    tokens,
    rng: rng.state(),
    dataPosition: o.source.position(),
    minTrainLoss,
    nextEvalSeconds,
    schedule: o.schedule,
    evalSeconds,
    ...(windowValues && windowValues.count > 0 ? { window: windowValues } : {}),
  });
  const record = (trainLoss: number | null, gradNorm: number | null, v: number | null): TrainRecord => ({
    ...o.tags,
    step,
    seconds: trainedMs / 1000,
    tokens,
    trainLoss,
    valLoss: v,
    valPerplexity: v === null ? null : Math.exp(v),
    lr: lastLr,
    gradNorm,
    tokensPerSecond: trainedMs > 0 ? tokens / (trainedMs / 1000) : 0,
    wallSeconds: (clock() - wallStart) / 1000,
    evalSeconds,
    status,
  });
  let savedThisCall = false;
  /** Saves a checkpoint; non-finite state is never written and stops the run with status "nan". */
  const save = async () => {
    if (!o.checkpoint) return;
    windowValues = lossSum && sinceLog > 0
      ? {
        loss: (await lossSum.data())[0],
        norm: (await normSum!.data())[0],
        count: sinceLog,
        ...(smallSum && bigSum
          ? { gradSqSmall: (await smallSum.data())[0], gradSqBig: (await bigSum.data())[0] }
          : {}),
      }
      : undefined;
    let refused: string | null = null; // data-parallel: rank 0 writes, and every rank learns whether it could
    if (where.rank === 0) {
      try {
        await saveCheckpoint(o.checkpoint.dir, {
          params: o.task.params,
          optimizer: o.optimizer,
          trainer: state(),
          config: o.checkpoint.config ?? null,
        }, { keepLast: o.checkpoint.keepLast });
      } catch (e) {
        if (!(e instanceof NonFiniteError)) throw e;
        refused = e.message;
      }
    }
    if (dp) refused = dp.fromRank0(refused);
    if (refused !== null) {
      [status, message] = ["nan", `not saving step ${step}: ${refused}`];
      return;
    }
    savedThisCall = true;
    lastCheckpointStep = step;
    lastCheckpointSeconds = trainedMs / 1000;
  };

  /** Validation loss and hook metrics, timed into `evalSeconds` (the caller has paused training time). */
  const evaluatePoint = async (): Promise<[number, Record<string, number | null>]> => {
    const start = clock();
    const v = dp ? await dp.evaluate(o.validation!) : await evaluate(o.task, o.validation!);
    const metrics: Record<string, number | null> = {};
    const context = { step, seconds: trainedMs / 1000, tokens, params: o.task.params };
    for (const hook of o.evalHooks ?? []) Object.assign(metrics, await hook(context));
    evalSeconds += (clock() - start) / 1000;
    return [v, metrics];
  };

  const stopReason = (): [RunStatus, string] | null => {
    if (o.maxSteps !== undefined && step >= o.maxSteps) return ["max_steps", `reached ${step} steps`];
    if (o.seconds !== undefined && seconds() >= o.seconds) {
      return ["budget", `trained for ${seconds().toFixed(1)} s of a ${o.seconds} s budget`];
    }
    // Data-parallel: o.signal is the abort all ranks agreed on (local aborts and interrupts go into dp.step).
    if (o.signal?.aborted || (!dp && interrupt.signal.aborted)) return ["aborted", `aborted at step ${step}`];
    return null;
  };

  const interrupt = interruptScope();
  try {
    const already = stopReason(); // a resumed run may already be past its budget
    if (already) {
      [status, message] = already;
      // A fresh run with nothing to train (maxSteps 0, seconds 0) is an evaluation: it yields one record.
      if (!r && o.validation?.length && status !== "aborted") {
        pause();
        const [v, metrics] = await evaluatePoint();
        valLoss = v;
        yield { ...record(null, null, v), ...metrics };
        unpause();
      }
    }
    while (status === "running") {
      const batches: B[] = [];
      for (let i = 0; i < accumulate; i++) batches.push(await o.source.next());
      const seed = rng.int(2 ** 31);
      lastLr = learningRate(o.schedule, { step: step + 1, seconds: seconds() });
      const losses = batches.map((b, i) => () => o.task.loss(b, { training: true, seed: seed + 7919 * i }));
      const result = dp
        ? await dp.step(batches, seed, { lr: lastLr, maxGradNorm }, interrupt.signal.aborted)
        : trainStep(o.task.params, o.optimizer, losses, {
          lr: lastLr,
          maxGradNorm,
          noiseScale: o.noiseScale,
        });
      step++;
      await o.afterStep?.(step, seconds());
      for (const b of batches) tokens += o.task.tokens(b);
      const oldLoss: Scalar | null = lossSum, oldNorm: Scalar | null = normSum;
      lossSum = oldLoss ? tf.add(oldLoss, result.loss) as Scalar : result.loss;
      normSum = oldNorm ? tf.add(oldNorm, result.gradNorm) as Scalar : result.gradNorm;
      if (oldLoss) tf.dispose([oldLoss, oldNorm!, result.loss, result.gradNorm]);
      if (result.gradSqSmall && result.gradSqBig) {
        const [oldSmall, oldBig] = [smallSum, bigSum];
        smallSum = oldSmall ? tf.add(oldSmall, result.gradSqSmall) as Scalar : result.gradSqSmall;
        bigSum = oldBig ? tf.add(oldBig, result.gradSqBig) as Scalar : result.gradSqBig;
        if (oldSmall) tf.dispose([oldSmall, oldBig!, result.gradSqSmall, result.gradSqBig]);
      }
      sinceLog++;
      if (step % syncEvery === 0) await lossSum.data();
      await interrupt.poll();

      const stop = stopReason();
      if (stop?.[0] === "aborted") {
        // Stopped from outside between records: no record, no evaluation; the checkpoint saved below keeps
        // the open logging window, so the resumed run yields exactly the records an uninterrupted one would.
        [status, message] = stop;
        break;
      }
      const evalDue = Boolean(o.validation?.length) &&
        (stop !== null || (evalEvery.steps !== undefined && step % evalEvery.steps === 0) ||
          (nextEvalSeconds !== null && seconds() >= nextEvalSeconds));
      if (stop || evalDue || (o.logEverySteps && step % o.logEverySteps === 0)) {
        pause();
        const [l, g] = [(await lossSum.data())[0] / sinceLog, (await normSum!.data())[0] / sinceLog];
        const noise: Record<string, number> = smallSum && bigSum
          ? {
            gradSqSmall: (await smallSum.data())[0] / sinceLog,
            gradSqBig: (await bigSum.data())[0] / sinceLog,
            microBatches: accumulate,
          }
          : {};
        tf.dispose([lossSum, normSum!, ...(smallSum && bigSum ? [smallSum, bigSum] : [])]);
        [lossSum, normSum, smallSum, bigSum, sinceLog] = [null, null, null, null, 0];
        if (!Number.isFinite(l) || !Number.isFinite(g)) {
          [status, message] = ["nan", `training loss ${l}, gradient norm ${g} at step ${step}`];
        } else if (minTrainLoss !== null && l > divergenceFactor * minTrainLoss) {
          [status, message] = [
            "diverged",
            `training loss ${l} at step ${step} exceeds ${divergenceFactor} × the lowest logged, ${minTrainLoss}`,
          ];
        } else minTrainLoss = Math.min(l, minTrainLoss ?? l);
        let v: number | null = null, metrics: Record<string, number | null> = {};
        if (evalDue && status === "running") {
          [v, metrics] = await evaluatePoint();
          valLoss = v;
          while (nextEvalSeconds !== null && nextEvalSeconds <= trainedMs / 1000) {
            nextEvalSeconds += evalEvery.seconds!;
          }
          if (!Number.isFinite(v)) [status, message] = ["nan", `validation loss ${v} at step ${step}`];
          else if (o.targetValLoss !== undefined && v <= o.targetValLoss) {
            [status, message] = [
              "target",
              `validation loss ${v} ≤ target ${o.targetValLoss} at step ${step}`,
            ];
          }
        }
        if (status === "running" && stop) [status, message] = stop;
        yield { ...record(l, g, v), ...noise, ...metrics };
        if (o.checkpoint?.everyRecord && status !== "nan" && status !== "diverged") await save();
        unpause();
      }
      const ck = o.checkpoint;
      if (
        status === "running" && ck && step > lastCheckpointStep &&
        ((ck.everySteps && step - lastCheckpointStep >= ck.everySteps) ||
          (ck.everySeconds && seconds() - lastCheckpointSeconds >= ck.everySeconds))
      ) {
        pause();
        await save();
        if ((status as RunStatus) === "nan") { // the weights went non-finite between log points: say so in a last record
          const mean = async (t: Scalar | null) => t && sinceLog ? (await t.data())[0] / sinceLog : null;
          yield record(await mean(lossSum), await mean(normSum), null);
        }
        unpause();
      }
    }
    pause();
    // A run that failed saves nothing (and save() itself refuses non-finite state); a run whose last
    // record was already saved (everyRecord) does not save the same step twice.
    if (status !== "nan" && status !== "diverged" && !(savedThisCall && lastCheckpointStep === step)) {
      await save();
    }
    const failed = status === "nan" || status === "diverged";
    dp?.finish();
    if (status === "aborted" && interrupt.signal.aborted && !options.signal?.aborted) {
      const where = o.checkpoint
        ? `checkpoint saved to ${o.checkpoint.dir}; run the cell again to resume`
        : "no checkpoint (pass one to resume)";
      throw new InterruptedError(`interrupted at step ${step}; ${where}`, {
        step,
        checkpoint: o.checkpoint?.dir ?? null,
      });
    }
    return {
      status: status as TrainResult["status"],
      message,
      step,
      seconds: trainedMs / 1000,
      tokens,
      valLoss: failed ? null : valLoss,
      state: state(),
    };
  } finally {
    interrupt.close();
    tf.dispose([lossSum, normSum, smallSum, bigSum].filter((t): t is Scalar => t !== null));
    dp?.close();
  }
}

/**
 * Runs `trainRecords` to the end, handing each record to `onRecord` (which may be async); in a data-parallel
 * run only rank 0 calls `onRecord` (`trainRecords` itself yields the same records on every rank).
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { tf } from "../backend/tf.ts";
 * import { createAdamW, disposeAdamW } from "./adamw.ts";
 * import { train } from "./loop.ts";
 * import { schedule } from "./schedule.ts";
 * import { arraySource } from "./source.ts";
 * const params = { w: tf.variable(tf.scalar(0)) };
 * const task = { params, loss: (b: number) => tf.square(tf.sub(params.w, b)) as tf.Scalar, tokens: () => 1, predictions: () => 1 };
 * const optimizer = createAdamW(params, { weightDecay: 0 });
 * const records: number[] = [];
 * const result = await train({ task, optimizer, source: arraySource([3]), validation: [3], maxSteps: 100,
 *   evalEvery: { steps: 25 }, schedule: schedule({ peakLr: 0.1, unit: "steps", warmup: 10, total: 100 }) },
 *   (r) => { records.push(r.step); });
 * assert(result.status === "max_steps" && records.join() === "25,50,75,100");
 * disposeAdamW(optimizer);
 * params.w.dispose();
 * ```
 */
export async function train<B>(
  options: TrainOptions<B>,
  onRecord?: (record: TrainRecord) => void | Promise<void>,
): Promise<TrainResult> {
  const where = { rank: 0 };
  const run = loop(options, where);
  while (true) {
    const r = await run.next();
    if (r.done) return r.value;
    if (where.rank === 0) await onRecord?.(r.value); // data-parallel: rank 0 alone writes records
  }
}
