/**
 * Talking to Slurm through its client commands (`sbatch`, `scontrol`, `sinfo`, `sacct`, `scancel`), which
 * read the cluster's `slurm.conf` (or `SLURM_CONF`) like any user's shell would. A missing command is a
 * clear error saying where to run the study or what to install; `scontrol show job` is parsed into one
 * record per array task. `sacct` needs Slurm's accounting daemon, which many small clusters lack: it is
 * only a fallback for jobs `scontrol` has forgotten, and its absence is not an error.
 *
 * @module
 */

/** Output of a finished Slurm command. */
export interface CommandOutput {
  /** Exit code. */
  code: number;
  /** Standard output. */
  stdout: string;
  /** Standard error. */
  stderr: string;
}

/** A Slurm client command is not on PATH. */
export class SlurmMissingError extends Error {
  /** `command` (e.g. "sbatch") was not found. */
  constructor(command: string) {
    super(
      `the slurm executor needs \`${command}\` on PATH, and it is not there. Run the study on a machine ` +
        `that submits to your cluster (its login node, where \`sbatch --version\` works), or install ` +
        `Slurm's client commands and point them at the cluster (Debian/Ubuntu: apt-get install slurm-client; ` +
        `then /etc/slurm/slurm.conf or SLURM_CONF must name its controller). Without a cluster, use ` +
        `executor "processes" or "inline".`,
    );
    this.name = "SlurmMissingError";
  }
}

/** Runs a Slurm command; throws {@linkcode SlurmMissingError} when it is not installed. */
export async function slurm(command: string, args: string[]): Promise<CommandOutput> {
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command(command, { args, stdin: "null", stdout: "piped", stderr: "piped" }).output();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) throw new SlurmMissingError(command);
    throw e;
  }
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr).trim() };
}

/** One array task as the scheduler sees it. */
export interface SlurmTask {
  /** The array's job id. */
  arrayJobId: string;
  /** The task's index in the array. */
  index: number;
  /** Its own job id (`<array>_<index>` when still pending inside the array record). */
  jobId: string;
  /** Slurm state: PENDING, RUNNING, COMPLETED, FAILED, CANCELLED, TIMEOUT, … */
  state: string;
  /** Why it is pending (or none). */
  reason: string;
  /** Times it was requeued. */
  restarts: number;
  /** `exit:signal`, e.g. "0:0" or "3:0". */
  exitCode: string;
}

/** States after which a task will not run again. */
export const ENDED: ReadonlySet<string> = new Set([
  "COMPLETED",
  "FAILED",
  "CANCELLED",
  "TIMEOUT",
  "NODE_FAIL",
  "PREEMPTED",
  "BOOT_FAIL",
  "DEADLINE",
  "OUT_OF_MEMORY",
  "REVOKED",
]);

/** Expands an array index spec such as "0-3%2" or "1,4-5". */
export function expandIndices(spec: string): number[] {
  const out: number[] = [];
  for (const part of spec.replace(/%\d+$/, "").split(",")) {
    const [a, b] = part.split("-").map(Number);
    if (!Number.isInteger(a)) continue;
    for (let i = a; i <= (Number.isInteger(b) ? b : a); i++) out.push(i);
  }
  return out;
}

const field = (line: string, key: string) => line.match(new RegExp(`(?:^|\\s)${key}=(\\S*)`))?.[1] ?? "";

/**
 * Parses `scontrol show job --oneliner <array job>`: one record per array task (a still-pending range of
 * tasks is one line there, and becomes one record per index here).
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { parseJobs } from "./commands.ts";
 * const text = "JobId=7 ArrayJobId=5 ArrayTaskId=2-3%2 JobName=s JobState=PENDING Reason=JobArrayTaskLimit " +
 *   "Requeue=1 Restarts=0 BatchFlag=1 ExitCode=0:0\n" +
 *   "JobId=6 ArrayJobId=5 ArrayTaskId=1 JobName=s JobState=RUNNING Reason=None Restarts=1 ExitCode=0:0\n";
 * assertEquals(parseJobs(text).map((t) => [t.index, t.jobId, t.state, t.restarts]),
 *   [[2, "5_2", "PENDING", 0], [3, "5_3", "PENDING", 0], [1, "6", "RUNNING", 1]]);
 * ```
 */
export function parseJobs(text: string): SlurmTask[] {
  const out: SlurmTask[] = [];
  for (const line of text.split("\n")) {
    const arrayJobId = field(line, "ArrayJobId");
    const ids = field(line, "ArrayTaskId");
    if (!arrayJobId || !ids) continue;
    const indices = expandIndices(ids);
    for (const index of indices) {
      out.push({
        arrayJobId,
        index,
        jobId: indices.length === 1 && /^\d+$/.test(ids) ? field(line, "JobId") : `${arrayJobId}_${index}`,
        state: field(line, "JobState"),
        reason: field(line, "Reason"),
        restarts: Number(field(line, "Restarts")) || 0,
        exitCode: field(line, "ExitCode"),
      });
    }
  }
  return out;
}

/**
 * The tasks of array job `jobId`: from `scontrol`; for a job it has forgotten, from `sacct`, else none
 * (accounting is off and the job is gone: the store alone tells what happened). Null when the controller
 * cannot be asked right now.
 */
export async function queryTasks(jobId: string): Promise<SlurmTask[] | null> {
  const shown = await slurm("scontrol", ["show", "job", "--oneliner", jobId]);
  if (shown.code === 0) return parseJobs(shown.stdout);
  if (!/invalid job id/i.test(shown.stderr)) return null;
  const acct = await slurm("sacct", [
    "--noheader",
    "--parsable2",
    "--allocations",
    `--jobs=${jobId}`,
    "--format=JobID,State,ExitCode",
  ]).catch(() => null);
  if (acct === null || acct.code !== 0) return [];
  const tasks: SlurmTask[] = [];
  for (const line of acct.stdout.split("\n")) {
    const [id, state, exitCode] = line.split("|");
    const m = id?.match(/^(\d+)_(\d+)$/);
    if (!m) continue;
    tasks.push({
      arrayJobId: m[1],
      index: Number(m[2]),
      jobId: id,
      state: state.split(" ")[0],
      reason: "",
      restarts: 0,
      exitCode,
    });
  }
  return tasks;
}

/** The cluster's node names (`sinfo`), each once. */
export async function clusterNodes(): Promise<string[]> {
  const out = await slurm("sinfo", ["--noheader", "--Node", "--format=%N"]);
  if (out.code !== 0) throw new Error(`sinfo failed: ${out.stderr}`);
  return [...new Set(out.stdout.split("\n").map((s) => s.trim()).filter(Boolean))];
}
