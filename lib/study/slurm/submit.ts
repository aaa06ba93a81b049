/**
 * Submitting a study's missing runs to Slurm as job arrays, and the handle `runStudy` returns for them.
 * Runs that start from other runs of the same submission go in a later array that waits for the earlier one
 * (`--dependency=afterany`). The submission's files live in the store, which the nodes must share:
 *
 * ```
 * <store>/slurm/<time>-<level>/job.sh     the batch script (task i runs line i + 1 of runs.txt)
 * <store>/slurm/<time>-<level>/runs.txt   one run hash per line
 * <store>/slurm/<time>-<level>/logs/      <i>.out and <i>.err of each task (appended across requeues)
 * <store>/slurm/active.json               the jobs still following this store's runs
 * ```
 *
 * The study's lock is held only while submitting; then `active.json` says which jobs own the runs: a second
 * `runStudy` call while those jobs are queued or running attaches to them instead of submitting the runs
 * again (so a notebook restarted mid-study just follows the jobs it had started), and each run is still
 * locked by the task executing it.
 *
 * @module
 */
import { writeFileAtomic } from "../../util/atomic_file.ts";
import type { ExecutorJob } from "../executors.ts";
import type { PlannedRun } from "../plan.ts";
import type { StudyResult } from "../runner.ts";
import type { StatusFile } from "../store.ts";
import { clusterNodes, ENDED, queryTasks, slurm, type SlurmTask } from "./commands.ts";
import { followJobs, readActive, type SubmittedArray } from "./follow.ts";
import { sbatchArguments, type SlurmExecutor } from "./options.ts";
import { shellQuote, taskScript } from "./script.ts";

/** What `runStudy` returns for the Slurm executor: the submitted jobs, to wait for or cancel. */
export interface SlurmStudy {
  /** The first job array's id (null when every run was already in the store and nothing was submitted). */
  jobId: string | null;
  /** Every job array submitted for the study (runs that start from other runs wait in later arrays). */
  jobIds: string[];
  /** The submission folder(s) with the batch script, run list and task logs. */
  dirs: string[];
  /** Follows the jobs and the store (updating the live display) until every run has ended; resolves to the same result as the inline executor. */
  wait(): Promise<StudyResult>;
  /** Cancels the jobs (`scancel`); running tasks checkpoint first, and the next `runStudy` call resumes them. */
  cancel(): Promise<void>;
  /** The array tasks as the scheduler sees them now (with their run's hash). */
  tasks(): Promise<(SlurmTask & { run: string })[]>;
}

const MOD_URL = new URL("../../../mod.ts", import.meta.url);

/** Folders that are private to each machine: a store there cannot be shared by several nodes. */
const LOCAL_ROOTS = ["/tmp", "/var/tmp", "/dev/shm", "/run"];

/**
 * Refuses a store that the nodes of a multi-node cluster cannot share (one under `/tmp`, `/var/tmp`,
 * `/dev/shm` or `/run`, which every node has its own of). `store` is an absolute, resolved path.
 *
 * @example
 * ```ts
 * import { assertThrows } from "@std/assert";
 * import { checkSharedStore } from "./submit.ts";
 * checkSharedStore("/tmp/runs/sizes", ["node1"]); // one node: /tmp is shared with itself
 * checkSharedStore("/home/me/runs/sizes", ["node1", "node2"]);
 * assertThrows(() => checkSharedStore("/tmp/runs/sizes", ["node1", "node2"]), Error, "shared filesystem");
 * ```
 */
export function checkSharedStore(store: string, nodes: readonly string[]): void {
  const local = LOCAL_ROOTS.find((root) => store === root || store.startsWith(`${root}/`));
  if (local && nodes.length > 1) {
    throw new Error(
      `runStudy: the store ${store} is under ${local}, which each of the cluster's ${nodes.length} nodes ` +
        `(${nodes.slice(0, 3).join(", ")}${nodes.length > 3 ? ", …" : ""}) has its own copy of, so the ` +
        `tasks' results would never come back. Pass a \`store\` on a shared filesystem that every node ` +
        `mounts (your home, /scratch, a project directory on NFS or Lustre).`,
    );
  }
}

async function checkWritable(store: string): Promise<void> {
  const probe = `${store}/slurm/.write-test-${Deno.pid}`;
  try {
    await Deno.mkdir(`${store}/slurm`, { recursive: true });
    await Deno.writeTextFile(probe, "");
    await Deno.remove(probe);
  } catch (e) {
    throw new Error(
      `runStudy: the store ${store} is not writable (${(e as Error).message}); the cluster's tasks write ` +
        `their results there: pass a \`store\` you can write, on a filesystem the nodes share`,
    );
  }
}

/** Parents first: level 0 has no parent among `runs`, level k+1 waits for level k. */
function levels(runs: readonly PlannedRun[]): PlannedRun[][] {
  const level = new Map<string, number>();
  const of = (run: PlannedRun): number => {
    const known = level.get(run.hash);
    if (known !== undefined) return known;
    const parents = Object.values(run.parents).map((h) => runs.find((r) => r.hash === h)).filter((r) => r);
    const l = parents.length === 0 ? 0 : 1 + Math.max(...parents.map((p) => of(p!)));
    level.set(run.hash, l);
    return l;
  };
  const out: PlannedRun[][] = [];
  for (const run of runs) (out[of(run)] ??= []).push(run);
  return out.filter((l) => l);
}

async function stillQueued(arrays: readonly SubmittedArray[]): Promise<boolean> {
  for (const a of arrays) {
    const tasks = await queryTasks(a.jobId);
    if (tasks === null || tasks.some((t) => !ENDED.has(t.state))) return true;
  }
  return false;
}

/** Options of {@linkcode submitSlurm}. */
export interface SubmitOptions {
  /** The study's name (the job name). */
  name: string;
  /** Reads the finished study from the store (and ends the display): what `wait()` resolves to. */
  finish: (statuses: Map<string, StatusFile>) => Promise<StudyResult>;
}

/**
 * Submits `job.runs` (config files already written) as job arrays and returns the handle at once, or
 * attaches to this store's jobs that are still queued or running.
 */
export async function submitSlurm(
  job: ExecutorJob,
  spec: SlurmExecutor,
  options: SubmitOptions,
): Promise<SlurmStudy> {
  await slurm("sbatch", ["--version"]); // SlurmMissingError when absent
  if (MOD_URL.protocol !== "file:") {
    throw new Error(
      `runStudy: the slurm executor runs \`deno run -A <project>/mod.ts study run-one …\` on the nodes, ` +
        `so trainlarge must be a checkout on a shared filesystem; it was imported from ${MOD_URL.href}`,
    );
  }
  const store = await Deno.realPath(job.store);
  await checkWritable(store);
  checkSharedStore(store, await clusterNodes());

  const active = await readActive(store);
  if (active && (await stillQueued(active))) {
    const covered = new Set(active.flatMap((a) => a.runs));
    const missing = job.runs.filter((r) => !covered.has(r.hash));
    if (missing.length === 0) return handle(job, spec, options, active);
    throw new Error(
      `runStudy: Slurm job ${active.map((a) => a.jobId).join(", ")} is still running runs of the store ` +
        `${store}, and the study now also needs ${missing.length} other run(s); wait for the job, or ` +
        `cancel it (scancel ${active.map((a) => a.jobId).join(" ")}) and call runStudy again`,
    );
  }

  const stamp = new Date().toISOString().replace(/[-:]/g, "").replace(/\..*/, "");
  const arrays: SubmittedArray[] = [];
  for (const [i, runs] of levels(job.runs).entries()) {
    const dir = `${store}/slurm/${stamp}-${i}`;
    await Deno.mkdir(`${dir}/logs`, { recursive: true });
    await writeFileAtomic(`${dir}/runs.txt`, runs.map((r) => r.hash).join("\n") + "\n");
    const args = sbatchArguments(spec, {
      name: options.name,
      count: runs.length,
      logs: `${dir}/logs`,
      after: arrays.length ? [arrays[arrays.length - 1].jobId] : [],
    });
    const script = `${dir}/job.sh`;
    const command = ["sbatch", ...args, script].map((a) => /^[\w@%=:,./-]+$/.test(a) ? a : shellQuote(a))
      .join(" ");
    await writeFileAtomic(
      script,
      taskScript({
        store,
        list: `${dir}/runs.txt`,
        mod: MOD_URL.pathname,
        deno: Deno.execPath(),
        backend: job.backend,
        command,
      }),
    );
    await Deno.chmod(script, 0o755);
    const out = await slurm("sbatch", [...args, script]);
    const jobId = out.stdout.trim().split(";")[0];
    if (out.code !== 0 || !/^\d+$/.test(jobId)) {
      if (arrays.length) await slurm("scancel", arrays.map((a) => a.jobId)).catch(() => {});
      const partitions = (await slurm("sinfo", ["--noheader", "--format=%P"]).catch(() => null))?.stdout
        .split("\n").map((s) => s.trim()).filter(Boolean).join(", ");
      throw new Error(
        `runStudy: sbatch refused the study's job array: ${out.stderr || out.stdout || `exit ${out.code}`}` +
          `${partitions ? ` (partitions here: ${partitions})` : ""}; the command was\n  ${command}`,
      );
    }
    arrays.push({ jobId, dir, runs: runs.map((r) => r.hash) });
  }
  await writeFileAtomic(`${store}/slurm/active.json`, JSON.stringify({ arrays }, null, 2) + "\n");
  return handle(job, spec, options, arrays);
}

function handle(
  job: ExecutorJob,
  spec: SlurmExecutor,
  options: SubmitOptions,
  arrays: SubmittedArray[],
): SlurmStudy {
  let waiting: Promise<StudyResult> | null = null;
  const jobIds = arrays.map((a) => a.jobId);
  return {
    jobId: jobIds[0] ?? null,
    jobIds,
    dirs: arrays.map((a) => a.dir),
    wait() {
      waiting ??= followJobs(job, spec, arrays).then(options.finish);
      return waiting;
    },
    async cancel() {
      if (jobIds.length === 0) return;
      const out = await slurm("scancel", jobIds);
      if (out.code !== 0) throw new Error(`scancel ${jobIds.join(" ")} failed: ${out.stderr}`);
    },
    async tasks() {
      const out: (SlurmTask & { run: string })[] = [];
      for (const a of arrays) {
        for (const t of (await queryTasks(a.jobId)) ?? []) out.push({ ...t, run: a.runs[t.index] });
      }
      return out.sort((x, y) => x.arrayJobId.localeCompare(y.arrayJobId) || x.index - y.index);
    },
  };
}

/** The handle for a study whose runs are all in the store already: nothing is submitted. */
export function finishedSlurmStudy(result: StudyResult): SlurmStudy {
  return {
    jobId: null,
    jobIds: [],
    dirs: [],
    wait: () => Promise.resolve(result),
    cancel: () => Promise.resolve(),
    tasks: () => Promise.resolve([]),
  };
}
