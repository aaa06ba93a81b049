/**
 * The Slurm executor's options and the `sbatch` arguments they become. A study's missing runs go to the
 * cluster as one job array (one task per run, throttled by `maxParallel`); every task may be requeued, and
 * `signalSeconds` before its time limit Slurm sends the task's batch shell SIGUSR1, which the run takes as
 * "checkpoint and stop" so the requeued task resumes where it left off.
 *
 * @module
 */
import { checkKeys, checkNumber, describe, OptionError } from "../../util/options.ts";

/** Runs as a Slurm job array (see the README, "Using a cluster"). */
export interface SlurmExecutor {
  /** `"slurm"`. */
  kind: "slurm";
  /** Partition (`--partition`). Default: the cluster's default partition. */
  partition?: string;
  /** Time limit of each task (`--time`) in Slurm's format ("90", "4:00:00", "1-12:00:00"). Default: the partition's. */
  time?: string;
  /** CPUs of each task (`--cpus-per-task`); also the run's BLAS threads. Default 1. */
  cpusPerTask?: number;
  /** GPUs of each task (`--gpus`). Default 0: none requested. */
  gpusPerTask?: number;
  /** Tasks running at once (the array's `%` throttle). Default: as many as the scheduler allows. */
  maxParallel?: number;
  /** Further `sbatch` arguments, e.g. `["--account=mylab", "--mem=16G"]`. */
  sbatchArgs?: string[];
  /** Seconds before the time limit at which a task checkpoints and requeues (`--signal=B:USR1@…`). Default 120. */
  signalSeconds?: number;
  /** Seconds between two looks at the queue and the store while `wait()` follows the job. Default 10. */
  pollSeconds?: number;
}

/** Defaults of {@linkcode SlurmExecutor}. */
export const SLURM_DEFAULTS: Readonly<{ cpusPerTask: number; signalSeconds: number; pollSeconds: number }> =
  Object.freeze({
    cpusPerTask: 1, // the runs of a sweep are small; ask for more when a run's model is large
    signalSeconds: 120, // time to finish a step and write a checkpoint of a paper-sized model
    pollSeconds: 10, // squeue/scontrol are cheap, but a login node is shared
  });

const KEYS = [
  "kind",
  "partition",
  "time",
  "cpusPerTask",
  "gpusPerTask",
  "maxParallel",
  "sbatchArgs",
  "signalSeconds",
  "pollSeconds",
];

/**
 * Checks a Slurm executor spec: unknown keys, numbers and strings, by name.
 *
 * @example
 * ```ts
 * import { assertThrows } from "@std/assert";
 * import { checkSlurmExecutor } from "./options.ts";
 * checkSlurmExecutor({ kind: "slurm", partition: "gpu", maxParallel: 8 });
 * assertThrows(() => checkSlurmExecutor({ kind: "slurm", maxParalel: 8 } as never), Error, "maxParallel");
 * ```
 */
export function checkSlurmExecutor(spec: SlurmExecutor): SlurmExecutor {
  const where = "runStudy";
  checkKeys(where, spec, KEYS, "executor.");
  for (const field of ["partition", "time"] as const) {
    const v = spec[field];
    if (v !== undefined && (typeof v !== "string" || !/^[^\s'"]+$/.test(v))) {
      throw new OptionError(
        where,
        `executor.${field}`,
        `\`executor.${field}\` must be a Slurm ${field} name without spaces or quotes, got ${describe(v)}`,
      );
    }
  }
  checkNumber(where, "executor.cpusPerTask", spec.cpusPerTask, { integer: true, min: 1 });
  checkNumber(where, "executor.gpusPerTask", spec.gpusPerTask, { integer: true, min: 0 });
  checkNumber(where, "executor.maxParallel", spec.maxParallel, { integer: true, min: 1 });
  checkNumber(where, "executor.signalSeconds", spec.signalSeconds, { integer: true, min: 1 });
  checkNumber(where, "executor.pollSeconds", spec.pollSeconds, { above: 0 });
  if (
    spec.sbatchArgs !== undefined &&
    (!Array.isArray(spec.sbatchArgs) || spec.sbatchArgs.some((a) => typeof a !== "string"))
  ) {
    throw new OptionError(
      where,
      "executor.sbatchArgs",
      `\`executor.sbatchArgs\` must be an array of strings such as ["--mem=16G"], got ${
        describe(spec.sbatchArgs)
      }`,
    );
  }
  return spec;
}

/** What the arguments are built from besides the spec. */
export interface ArrayJob {
  /** Job name (the study's name). */
  name: string;
  /** Number of tasks (runs). */
  count: number;
  /** Folder of the task logs (`<index>.out`, `<index>.err`). */
  logs: string;
  /** Job ids that must end before this array starts (`--dependency=afterany:…`). */
  after?: string[];
}

/**
 * The `sbatch` arguments (before the script's path) for a study's job array.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { sbatchArguments } from "./options.ts";
 * const args = sbatchArguments({ kind: "slurm", partition: "gpu", gpusPerTask: 1, maxParallel: 2 },
 *   { name: "sizes", count: 4, logs: "/shared/runs/sizes/slurm/1/logs" });
 * assert(args.includes("--array=0-3%2") && args.includes("--gpus=1") && args.includes("--requeue"));
 * ```
 */
export function sbatchArguments(spec: SlurmExecutor, job: ArrayJob): string[] {
  const cpus = spec.cpusPerTask ?? SLURM_DEFAULTS.cpusPerTask;
  const signal = spec.signalSeconds ?? SLURM_DEFAULTS.signalSeconds;
  return [
    "--parsable",
    `--job-name=${job.name}`,
    `--array=0-${job.count - 1}${spec.maxParallel ? `%${spec.maxParallel}` : ""}`,
    `--output=${job.logs}/%a.out`,
    `--error=${job.logs}/%a.err`,
    "--open-mode=append", // a requeued task adds to its log instead of replacing it
    "--requeue",
    `--signal=B:USR1@${signal}`,
    "--ntasks=1",
    `--cpus-per-task=${cpus}`,
    ...(spec.partition ? [`--partition=${spec.partition}`] : []),
    ...(spec.time ? [`--time=${spec.time}`] : []),
    ...(spec.gpusPerTask ? [`--gpus=${spec.gpusPerTask}`] : []),
    ...(job.after?.length ? [`--dependency=afterany:${job.after.join(":")}`] : []),
    ...(spec.sbatchArgs ?? []),
  ];
}
