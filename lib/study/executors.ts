/**
 * Executors: how a study's missing runs are carried out. `"inline"` runs them one after another in this
 * process; `"processes"` runs up to `workers` at a time as Deno subprocesses (`mod.ts study run-one`), each
 * with its share of the BLAS threads, while this process polls the store to keep the display live. Both
 * respect parent order (a run starts only after the runs it starts from have finished).
 *
 * @module
 */
import type { StudyProgress } from "../display/study_progress.ts";
import type { TrainRecord } from "../train/loop.ts";
import type { SlurmExecutor } from "./slurm/options.ts";
import { executeRun } from "./execute.ts";
import type { PlannedRun } from "./plan.ts";
import { readRecords, readStatus, type StatusFile, writeStatus } from "./store.ts";

/** Runs in this process, one at a time (the default). */
export interface InlineExecutor {
  /** `"inline"`. */
  kind: "inline";
}

/** Runs as local Deno subprocesses. */
export interface ProcessesExecutor {
  /** `"processes"`. */
  kind: "processes";
  /** Subprocesses at a time. Default 2. */
  workers?: number;
  /** BLAS threads in all (split evenly between workers). Default: the machine's cores. */
  threads?: number;
}

/** Executors that run on this machine: `runStudy` resolves to the study's result. */
export type LocalExecutorSpec = "inline" | "processes" | InlineExecutor | ProcessesExecutor;

/** Executor choices of `runStudy` (with `{ kind: "slurm" }` it resolves to a handle on the cluster jobs). */
export type ExecutorSpec = LocalExecutorSpec | SlurmExecutor;

/** What an executor is handed. */
export interface ExecutorJob {
  /** The study's store. */
  store: string;
  /** More stores where finished parent runs may be found. */
  parentStores?: readonly string[];
  /** Runs to execute, parents before children. */
  runs: readonly PlannedRun[];
  /** The live display. */
  progress: StudyProgress;
  /** Stops the runs (each checkpoints and ends "interrupted"). */
  signal?: AbortSignal;
  /** Backend name for subprocesses (`TRAINLARGE_BACKEND`). */
  backend?: string;
  /** Millisecond clock (inline runs). */
  clock?: () => number;
}

/** A run's training budget for the display: its `seconds` and `maxSteps` config fields when present. */
export function runBudget(run: PlannedRun): { seconds?: number; steps?: number } {
  const s = run.config.seconds, m = run.config.maxSteps;
  return {
    ...(typeof s === "number" && Number.isFinite(s) ? { seconds: s } : {}),
    ...(typeof m === "number" && Number.isFinite(m) ? { steps: m } : {}),
  };
}

function pendingSeconds(runs: readonly PlannedRun[], from: number): number {
  return runs.slice(from).reduce((sum, r) => sum + (runBudget(r).seconds ?? 0), 0);
}

/** Executes `job.runs` in this process, in order; returns each run's final status by hash. */
export async function runInline(job: ExecutorJob): Promise<Map<string, StatusFile>> {
  const out = new Map<string, StatusFile>();
  for (let i = 0; i < job.runs.length; i++) {
    const run = job.runs[i];
    job.progress.setPendingSeconds(pendingSeconds(job.runs, i + 1));
    job.progress.runStarted(run.label, runBudget(run));
    const status = await executeRun(run, {
      store: job.store,
      parentStores: job.parentStores,
      signal: job.signal,
      clock: job.clock,
      onRecord: (r: TrainRecord) => job.progress.record(r),
    });
    out.set(run.hash, status);
    job.progress.runFinished(run.label, status.status);
    if (status.status === "interrupted" || job.signal?.aborted) break;
  }
  return out;
}

const MOD_TS = new URL("../../mod.ts", import.meta.url).pathname;

function cores(): number {
  try {
    return navigator.hardwareConcurrency || 2;
  } catch {
    return 2;
  }
}

/**
 * Executes `job.runs` as subprocesses, at most `workers` at a time, starting a run once its parents have
 * finished; returns each run's final status by hash. A subprocess that dies without writing a final status
 * is reported as failed with the end of its stderr.
 */
export async function runProcesses(
  job: ExecutorJob,
  spec: ProcessesExecutor,
): Promise<Map<string, StatusFile>> {
  const workers = Math.max(1, Math.floor(spec.workers ?? 2));
  const threads = Math.max(1, Math.floor((spec.threads ?? cores()) / workers));
  const out = new Map<string, StatusFile>();
  const waiting = [...job.runs];
  const running = new Map<string, { run: PlannedRun; child: Deno.ChildProcess; done: Promise<void> }>();
  let shownRun: string | null = null;
  let shownRows = 0;

  const parentsDone = (run: PlannedRun) =>
    Object.values(run.parents).every((h) => !job.runs.some((r) => r.hash === h) || out.has(h));

  const start = (run: PlannedRun) => {
    const env: Record<string, string> = { TRAINLARGE_THREADS: String(threads) };
    if (job.backend) env.TRAINLARGE_BACKEND = job.backend;
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", MOD_TS, "study", "run-one", job.store, run.hash],
      env,
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const done = (async () => {
      const chunks: Uint8Array[] = [];
      for await (const c of child.stderr) chunks.push(c);
      await child.status;
      const stderr = new TextDecoder().decode(new Uint8Array(chunks.flatMap((c) => [...c])));
      let status = await readStatus(run.dir).catch(() => null);
      if (status === null || status.status === "running") {
        const error = `subprocess exited without a final status; its stderr ended with:\n${
          stderr.slice(-2000)
        }`;
        await writeStatus(run.dir, { status: "failed", error }).catch(() => {});
        status = { status: "failed", error, updated: new Date().toISOString() };
      }
      out.set(run.hash, status);
      running.delete(run.hash);
      job.progress.runFinished(run.label, status.status);
    })();
    running.set(run.hash, { run, child, done });
    if (shownRun === null) {
      shownRun = run.hash;
      shownRows = 0;
      job.progress.runStarted(run.label, runBudget(run));
    }
  };

  const onAbort = () => {
    for (const { child } of running.values()) {
      try {
        child.kill("SIGTERM");
      } catch { /* already gone */ }
    }
  };
  job.signal?.addEventListener("abort", onAbort);
  try {
    while (waiting.length > 0 || running.size > 0) {
      if (!job.signal?.aborted) {
        for (let i = 0; i < waiting.length && running.size < workers;) {
          if (parentsDone(waiting[i])) start(waiting.splice(i, 1)[0]);
          else i++;
        }
      } else waiting.length = 0;
      job.progress.setPendingSeconds(pendingSeconds(waiting, 0));
      if (running.size === 0 && waiting.length > 0) {
        // Parents failed: their children cannot start.
        for (const run of waiting.splice(0)) {
          const error = `a parent run did not finish (${Object.values(run.parents).join(", ")})`;
          out.set(run.hash, { status: "failed", error, updated: new Date().toISOString() });
        }
        break;
      }
      await Promise.race([
        ...[...running.values()].map((r) => r.done),
        new Promise((r) => setTimeout(r, 500)),
      ]);
      if (shownRun !== null) {
        if (!running.has(shownRun)) {
          const next = running.values().next().value;
          shownRun = next ? next.run.hash : null;
          shownRows = 0;
          if (next) job.progress.runStarted(next.run.label, runBudget(next.run));
        }
        if (shownRun !== null) {
          const rows = await readRecords(running.get(shownRun)!.run.dir).catch(() => []);
          for (const r of rows.slice(shownRows)) job.progress.record(r as unknown as TrainRecord);
          shownRows = rows.length;
        }
      }
    }
  } finally {
    job.signal?.removeEventListener("abort", onAbort);
  }
  return out;
}
