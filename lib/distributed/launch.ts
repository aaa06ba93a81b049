/**
 * Whether this process was started as one rank of a parallel job, read from the variables the launchers
 * set: MPICH's hydra `mpiexec` (`PMI_RANK`, `PMI_SIZE`), Slurm's `srun --mpi=pmi2` (`PMI_RANK`, `PMI_SIZE`)
 * or `--mpi=pmix` (`PMIX_RANK`, with the size in `SLURM_NTASKS`), and Open MPI's `mpirun`
 * (`OMPI_COMM_WORLD_RANK`/`_SIZE`, detected only to say it is unsupported).
 *
 * A plain `srun` without an MPI plugin sets only `SLURM_PROCID`: every task would be an independent MPI
 * singleton, so that alone is not taken as a parallel launch.
 *
 * @module
 */

/** A detected launch: this rank and the job size (null where the launcher does not say). */
export interface MpiLaunch {
  /** Which launcher protocol was seen. */
  via: "pmi" | "pmix" | "openmpi";
  /** This process's rank. */
  rank: number;
  /** Ranks in the job, when the environment says. */
  size: number | null;
}

function int(raw: string | undefined): number | null {
  if (raw === undefined || raw === "") return null;
  const n = Number(raw);
  return Number.isInteger(n) && n >= 0 ? n : null;
}

function environment(): Record<string, string> {
  try {
    return Deno.env.toObject();
  } catch {
    return {}; // no --allow-env: nothing is detected, "mpi" can still be asked for explicitly
  }
}

/**
 * The launch this process belongs to, or null when it was started alone.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { mpiLaunch } from "./launch.ts";
 * assert(mpiLaunch({ PMI_RANK: "1", PMI_SIZE: "2" })?.size === 2);
 * assert(mpiLaunch({ PMIX_RANK: "0", SLURM_NTASKS: "4" })?.size === 4);
 * assert(mpiLaunch({ SLURM_PROCID: "0" }) === null);
 * ```
 */
export function mpiLaunch(env: Record<string, string | undefined> = environment()): MpiLaunch | null {
  const pmi = int(env.PMI_RANK);
  if (pmi !== null) return { via: "pmi", rank: pmi, size: int(env.PMI_SIZE) };
  const pmix = int(env.PMIX_RANK);
  if (pmix !== null) return { via: "pmix", rank: pmix, size: int(env.SLURM_NTASKS) ?? int(env.PMIX_SIZE) };
  const ompi = int(env.OMPI_COMM_WORLD_RANK);
  if (ompi !== null) return { via: "openmpi", rank: ompi, size: int(env.OMPI_COMM_WORLD_SIZE) };
  return null;
}

/**
 * True when the environment says this process is one of several ranks (a job of size 1 counts as alone).
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { launchedInParallel } from "./launch.ts";
 * assert(launchedInParallel({ PMI_RANK: "0", PMI_SIZE: "2" }));
 * assert(!launchedInParallel({ PMI_RANK: "0", PMI_SIZE: "1" }));
 * ```
 */
export function launchedInParallel(env?: Record<string, string | undefined>): boolean {
  const launch = mpiLaunch(env);
  return launch !== null && launch.size !== 1;
}
