/**
 * The hang guard of a data-parallel run: a collective that waits longer than the timeout means another
 * rank stopped taking part (hung, paused in a debugger, or left the training loop early). A watchdog
 * thread (a Worker, which keeps running while the main thread is blocked in MPI) then writes why to stderr
 * and aborts the whole job with `MPI_Abort`, so every rank exits with an error instead of waiting forever.
 *
 * A rank that dies (non-zero exit, signal) needs no watchdog: `mpiexec` (hydra) and `srun` end the job
 * themselves. The timeout comes from `TRAINLARGE_MPI_TIMEOUT` (seconds, default 600), and must exceed the
 * longest time one rank may spend between collectives alone (rank 0 writing a checkpoint or a record).
 *
 * @module
 */

/** Default seconds a rank may wait in one collective before the job is aborted. */
export const DEFAULT_MPI_TIMEOUT_SECONDS = 600;

/** Exit code of a job the watchdog aborted (EX_SOFTWARE). */
export const WATCHDOG_EXIT_CODE = 70;

// [0]: deadline in epoch milliseconds (0 = not in a collective).
let deadline: BigInt64Array | undefined;
let timeoutMs = 0;

/**
 * Seconds from `TRAINLARGE_MPI_TIMEOUT`, or the default; throws on a value that is not a positive number.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { mpiTimeoutSeconds } from "./watchdog.ts";
 * assert(mpiTimeoutSeconds({ TRAINLARGE_MPI_TIMEOUT: "30" }) === 30);
 * assert(mpiTimeoutSeconds({}) === 600);
 * ```
 */
export function mpiTimeoutSeconds(env: Record<string, string | undefined> = Deno.env.toObject()): number {
  const raw = env.TRAINLARGE_MPI_TIMEOUT;
  if (raw === undefined || raw === "") return DEFAULT_MPI_TIMEOUT_SECONDS;
  const value = Number(raw);
  if (!(value > 0 && Number.isFinite(value))) {
    throw new Error(`TRAINLARGE_MPI_TIMEOUT must be a positive number of seconds, got "${raw}"`);
  }
  return value;
}

/**
 * Starts the watchdog thread for one run; returns the function that stops it (a live Worker would keep the
 * process from exiting). While it runs, `armWatchdog` marks each collective.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { armWatchdog, startWatchdog } from "./watchdog.ts";
 * const stop = startWatchdog({ rank: 0, seconds: 60, library: "libmpich.so.12" });
 * const disarm = armWatchdog();
 * disarm(); // the collective returned in time
 * stop();
 * assert(typeof stop === "function");
 * ```
 */
export function startWatchdog(options: { rank: number; seconds: number; library: string }): () => void {
  if (deadline) throw new Error("startWatchdog: a watchdog is already running in this process");
  const shared = new SharedArrayBuffer(8);
  deadline = new BigInt64Array(shared);
  timeoutMs = options.seconds * 1000;
  const worker = new Worker(new URL("./watchdog_worker.ts", import.meta.url), { type: "module" });
  worker.postMessage({ shared, ...options, exitCode: WATCHDOG_EXIT_CODE });
  return () => {
    worker.terminate();
    deadline = undefined;
  };
}

/**
 * Marks the start of a collective; call the returned function when it returns. A no-op when no watchdog
 * runs.
 *
 * @example
 * ```ts
 * import { armWatchdog } from "./watchdog.ts";
 * armWatchdog()(); // no watchdog started: nothing happens
 * ```
 */
export function armWatchdog(): () => void {
  const d = deadline;
  if (!d) return () => {};
  Atomics.store(d, 0, BigInt(Date.now() + timeoutMs));
  return () => void Atomics.store(d, 0, 0n);
}
