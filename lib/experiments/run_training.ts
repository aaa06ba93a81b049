/**
 * What every training run kind shares: its schedule and evaluation points from `TrainingLength`, resuming
 * from the checkpoint in its run directory, checkpointing there after every record, and turning the loop's
 * result into a `RunSummary`. A run directory holds `checkpoint/` (a checkpoint root, lib/train/checkpoint.ts;
 * each checkpoint's `config.json` is `{ model }`, what a child run rebuilds the model from) and `tokenizer.json`.
 *
 * Step-bounded runs (`maxSteps` set) count their schedule and evaluation points in steps, so a run that is
 * stopped and resumed logs exactly the records of one that never stopped (on a deterministic backend).
 *
 * @module
 */
import type { BatchStream } from "../data/batch_stream.ts";
import type { Params } from "../model/params.ts";
import type { AdamW } from "../train/adamw.ts";
import { loadCheckpoint, loadParams } from "../train/checkpoint.ts";
import { latestCheckpoint } from "../train/checkpoint_store.ts";
import { evaluate } from "../train/evaluate.ts";
import { type EvalHook, type TrainerState, type TrainRecord, trainRecords } from "../train/loop.ts";
import { budgetSchedule, type Schedule, schedule } from "../train/schedule.ts";
import type { Task } from "../train/task.ts";
import type { TrainingLength } from "./kind_config.ts";
import type { Json, RunContext, RunSummary } from "./run_kind.ts";

/** The checkpoint directory inside a run directory. */
export function checkpointDir(runDir: string): string {
  return `${runDir}/checkpoint`;
}

/**
 * The schedule of a run: over steps when it is step-bounded, else over its seconds budget; linear warmup
 * over the first 6% (RoBERTa's fraction), linear decay to 0 at the end.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { runSchedule } from "./run_training.ts";
 * const s = runSchedule({ seconds: 60, maxSteps: 100, peakLr: 1e-3, evaluations: 4, seed: 0 });
 * assert(s.unit === "steps" && s.total === 100 && s.warmup === 6);
 * ```
 */
export function runSchedule(c: TrainingLength): Schedule {
  if (c.maxSteps !== null) {
    return schedule({
      peakLr: c.peakLr,
      unit: "steps",
      warmup: Math.round(0.06 * c.maxSteps),
      total: Math.max(1, c.maxSteps),
    });
  }
  return budgetSchedule(Math.max(c.seconds!, 1e-9), { peakLr: c.peakLr });
}

/**
 * The newest complete checkpoint directory of the run in `runDir`: a finished run's final weights. Throws
 * naming the run when there is none.
 */
export async function runCheckpoint(runDir: string, who: string): Promise<string> {
  const dir = await latestCheckpoint(checkpointDir(runDir));
  if (dir === null) {
    throw new Error(`${who}: the run in ${runDir} has no complete checkpoint; has it finished?`);
  }
  return dir;
}

/** Reads the model entry a finished run saved with its checkpoint (what a child rebuilds it from). */
export async function readRunModel<M>(runDir: string, who: string): Promise<M> {
  const path = `${await runCheckpoint(runDir, who)}/config.json`;
  const text = await Deno.readTextFile(path);
  const model = (JSON.parse(text) as { model?: M } | null)?.model;
  if (model === undefined) {
    throw new Error(`${who}: ${path} holds no "model" entry; was it written by a run kind?`);
  }
  return model;
}

/** Loads a finished run's final weights into `params` (names and shapes must match; errors name them). */
export async function loadRunWeights(runDir: string, params: Params, who: string): Promise<void> {
  await loadParams(`${await runCheckpoint(runDir, who)}/model.safetensors`, params);
}

async function resumeState(runDir: string, params: Params, optimizer: AdamW): Promise<TrainerState | null> {
  const latest = await latestCheckpoint(checkpointDir(runDir));
  if (latest === null) return null; // a fresh run
  const { trainer } = await loadCheckpoint(latest, { params, optimizer });
  return trainer;
}

/** One training run of a kind: the loop's inputs plus what the summary reports. */
export interface TrainingRun<B> {
  /** How long and how often (from the kind's config). */
  length: TrainingLength;
  /** The run's directory, parents, signal and clock. */
  context: RunContext;
  /** Loss of a batch; its parameters are trained and checkpointed. */
  task: Task<B>;
  /** AdamW over `task.params`. */
  optimizer: AdamW;
  /** Training batches. */
  source: BatchStream<B>;
  /** Validation batches (their loss is `valLoss`). */
  validation: readonly B[];
  /** Extra metrics at each evaluation point. */
  evalHooks?: readonly EvalHook[];
  /** Runs after every update (see `TrainOptions.afterStep`). */
  afterStep?: (step: number, seconds: number) => void | Promise<void>;
  /** Called when the run resumes from its checkpoint, after the weights are loaded (e.g. to rebuild masks). */
  onResume?: (state: TrainerState) => void | Promise<void>;
  /** Saved as the checkpoint's `{ model }`: what a child run rebuilds the model from. */
  model: Json;
  /** Parameters, for the summary. */
  params: number;
  /** Training FLOPs per token, for the summary. */
  flopsPerToken: number;
  /** Fields added to every record. */
  tags?: Record<string, string | number | boolean>;
  /** Micro-batches per step (gradient accumulation; `source` yields micro-batches). Default 1. */
  accumulate?: number;
  /** Stop at the first evaluation at or below this validation loss. */
  targetValLoss?: number;
  /** Record the gradient noise scale's squared norms (see `TrainOptions.noiseScale`). */
  noiseScale?: boolean;
  /** The learning-rate schedule; default `runSchedule(length)`. */
  schedule?: Schedule;
}

/**
 * Trains (or, with nothing to train, evaluates once), resuming from and checkpointing into `context.dir`;
 * yields the loop's records and returns the run's summary: the loop's result, `params`, `flopsPerToken`,
 * and the metrics of the last evaluation (re-measured when a finished run is called again). Does not
 * dispose the task's parameters or the optimizer (the caller made them).
 */
export async function* runTraining<B>(r: TrainingRun<B>): AsyncGenerator<TrainRecord, RunSummary> {
  const c = r.length;
  const resume = await resumeState(r.context.dir, r.task.params, r.optimizer);
  if (resume) await r.onResume?.(resume);
  const latest: Record<string, number | null> = {};
  const hooks = (r.evalHooks ?? []).map((hook): EvalHook => async (context) => {
    const metrics = await hook(context);
    Object.assign(latest, metrics);
    return metrics;
  });
  const stepBounded = c.maxSteps !== null;
  const evalEvery = stepBounded
    ? { steps: Math.max(1, Math.round(c.maxSteps! / c.evaluations)) }
    : c.seconds! > 0
    ? { seconds: c.seconds! / c.evaluations }
    : { steps: 1 };
  let valLoss: number | null = null, yielded = false;
  const loop = trainRecords({
    task: r.task,
    optimizer: r.optimizer,
    source: r.source,
    schedule: r.schedule ?? runSchedule(c),
    accumulate: r.accumulate,
    targetValLoss: r.targetValLoss,
    noiseScale: r.noiseScale,
    validation: r.validation,
    evalHooks: hooks,
    afterStep: r.afterStep,
    seconds: c.seconds ?? Infinity,
    maxSteps: c.maxSteps ?? undefined,
    evalEvery,
    seed: c.seed,
    checkpoint: { dir: checkpointDir(r.context.dir), everyRecord: true, config: { model: r.model } },
    resume: resume ?? undefined,
    tags: r.tags,
    signal: r.context.signal,
    clock: r.context.clock,
  });
  let result;
  try {
    while (true) {
      const next = await loop.next();
      if (next.done) {
        result = next.value;
        break;
      }
      if (next.value.valLoss !== null) valLoss = next.value.valLoss;
      yielded = true;
      yield next.value;
    }
  } finally {
    await loop.return(undefined as never); // runs the loop's cleanup when the consumer stops early
  }
  const state = result.state;
  if (!yielded && r.validation.length > 0 && result.status !== "nan" && result.status !== "diverged") {
    // Called again on a finished run: nothing trained, so measure the final metrics once more.
    valLoss = await evaluate(r.task, r.validation);
    const context = { step: state.step, seconds: state.seconds, tokens: state.tokens, params: r.task.params };
    for (const hook of hooks) await hook(context);
  }
  return {
    status: result.status,
    message: result.message,
    step: result.step,
    seconds: result.seconds,
    evalSeconds: state.evalSeconds ?? 0,
    tokens: result.tokens,
    params: r.params,
    flopsPerToken: r.flopsPerToken,
    valLoss,
    valPerplexity: valLoss === null ? null : Math.exp(valLoss),
    ...latest,
  };
}
