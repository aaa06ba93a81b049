/**
 * Following a study's Slurm jobs until every run has ended: each look asks the scheduler for the array
 * tasks' states (`scontrol show job`, else `sacct`), then reads each run's `status.json` in the store. A
 * run is done when its status is final; a task that ended without writing one (killed, out of memory, node
 * failure) is recorded as failed with its Slurm state and the end of its stderr; a cancelled or
 * interrupted task leaves its run "interrupted" (the next `runStudy` call resumes it). Meanwhile the study
 * display shows one running run's records as they arrive in the store.
 *
 * @module
 */
import type { TrainRecord } from "../../train/loop.ts";
import { type ExecutorJob, runBudget } from "../executors.ts";
import type { PlannedRun } from "../plan.ts";
import { StudyInterruptedError } from "../runner.ts";
import { FINISHED, readRecords, readStatus, type StatusFile, writeStatus } from "../store.ts";
import { ENDED, queryTasks, type SlurmTask } from "./commands.ts";
import { SLURM_DEFAULTS, type SlurmExecutor } from "./options.ts";

/** One submitted array: its job id, folder and runs in task order. */
export interface SubmittedArray {
  /** Job id. */
  jobId: string;
  /** Submission folder. */
  dir: string;
  /** Run hashes, task i = runs[i]. */
  runs: string[];
}

/** The arrays recorded in `<store>/slurm/active.json` (null when none). */
export async function readActive(store: string): Promise<SubmittedArray[] | null> {
  try {
    return JSON.parse(await Deno.readTextFile(`${store}/slurm/active.json`)).arrays as SubmittedArray[];
  } catch {
    return null;
  }
}

async function stderrTail(dir: string, index: number, chars = 2000): Promise<string> {
  const text = await Deno.readTextFile(`${dir}/logs/${index}.err`).catch((e) => `(no log: ${e.message})`);
  return text.trimEnd().slice(-chars);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done);
  });
}

/**
 * Follows `arrays` until every run of `job.runs` has ended; returns each run's final status by hash.
 * When `job.signal` fires it stops following (the jobs go on) and throws a `StudyInterruptedError`.
 */
export async function followJobs(
  job: ExecutorJob,
  spec: SlurmExecutor,
  arrays: readonly SubmittedArray[],
): Promise<Map<string, StatusFile>> {
  const pollMs = (spec.pollSeconds ?? SLURM_DEFAULTS.pollSeconds) * 1000;
  const where = new Map<string, { array: SubmittedArray; index: number }>();
  for (const array of arrays) array.runs.forEach((hash, index) => where.set(hash, { array, index }));
  const out = new Map<string, StatusFile>();
  let remaining: PlannedRun[] = job.runs.filter((r) => where.has(r.hash));
  let shown: PlannedRun | null = null, shownRows = 0;

  const showRecords = async () => {
    if (shown === null) return;
    const rows = await readRecords(shown.dir).catch(() => []);
    if (rows.length < shownRows) shownRows = 0; // a resumed run rewrote the rows it replays
    for (const r of rows.slice(shownRows)) job.progress.record(r as unknown as TrainRecord);
    shownRows = rows.length;
  };
  const end = async (run: PlannedRun, status: StatusFile) => {
    out.set(run.hash, status);
    if (shown?.hash === run.hash) {
      await showRecords(); // its last records, before the display moves on
      shown = null;
    }
    job.progress.runFinished(run.label, status.status);
  };

  while (remaining.length > 0) {
    const tasks = new Map<string, SlurmTask[] | null>();
    for (const a of arrays) tasks.set(a.jobId, await queryTasks(a.jobId));
    const next: PlannedRun[] = [];
    let pendingSeconds = 0;
    for (const run of remaining) {
      const status = await readStatus(run.dir).catch(() => null);
      if (status && (FINISHED.has(status.status) || status.status === "failed")) {
        await end(run, status);
        continue;
      }
      const { array, index } = where.get(run.hash)!;
      const list = tasks.get(array.jobId);
      const task = list?.find((t) => t.index === index) ?? null;
      if (list === null || (task !== null && !ENDED.has(task.state))) {
        // Queued, running, requeued — or the controller did not answer this time.
        if (status?.status === "running" && shown === null) {
          shown = run;
          shownRows = 0;
          job.progress.runStarted(run.label, runBudget(run));
        }
        if (status === null) pendingSeconds += runBudget(run).seconds ?? 0;
        next.push(run);
        continue;
      }
      const state = task
        ? `${task.state} (exit code ${task.exitCode})`
        : "and the scheduler no longer knows it";
      const taskId = `${array.jobId}_${index}`;
      if (status?.status === "interrupted" || task?.state === "CANCELLED") {
        await end(run, {
          status: "interrupted",
          error: `Slurm task ${taskId} ended ${state} before the run finished`,
          updated: new Date().toISOString(),
        });
        continue;
      }
      const error = `Slurm task ${taskId} ended ${state} without a final status for run ${run.hash}; ` +
        `its stderr (${array.dir}/logs/${index}.err) ended with:\n${await stderrTail(array.dir, index)}`;
      await writeStatus(run.dir, { status: "failed", error }).catch(() => {});
      await end(run, { status: "failed", error, updated: new Date().toISOString() });
    }
    remaining = next;
    job.progress.setPendingSeconds(pendingSeconds);
    await showRecords();
    if (remaining.length === 0) break;
    await sleep(pollMs, job.signal);
    if (job.signal?.aborted) {
      await job.progress.done();
      const ids = arrays.map((a) => a.jobId).join(" ");
      throw new StudyInterruptedError(
        `stopped following Slurm job ${ids}; it keeps running on the cluster. Call runStudy again to ` +
          `follow it (finished runs are read from ${job.store}), or cancel it with \`scancel ${ids}\``,
        job.store,
      );
    }
  }
  const active = await readActive(job.store);
  if (active?.[0]?.jobId === arrays[0]?.jobId) {
    await Deno.remove(`${job.store}/slurm/active.json`).catch(() => {});
  }
  return out;
}
