/**
 * Where a run was executed: library version and commit, Deno version, the tfjs backend (and BLAS threads),
 * host, operating system, cores and memory. Recorded in each run's `status.json`, shown in reports, and
 * compared by `reproduce`.
 *
 * @module
 */
import { VERSION } from "../version.ts";

/** A run's execution environment (flat, JSON-safe). */
export interface Environment {
  /** trainlarge version. */
  version: string;
  /** Git commit of the library's checkout, when it is one (else null). */
  commit: string | null;
  /** Deno version. */
  deno: string;
  /** Active tfjs backend name, when one has started. */
  backend: string | null;
  /** `TRAINLARGE_THREADS`, when set. */
  threads: string | null;
  /** Host name. */
  host: string;
  /** Operating system, release and architecture. */
  os: string;
  /** Logical cores. */
  cores: number;
  /** Total memory in GiB. */
  memoryGiB: number;
}

let commitCache: string | null | undefined;

/** The library checkout's git commit (cached), or null when it is not a git checkout. */
export function libraryCommit(): string | null {
  if (commitCache !== undefined) return commitCache;
  try {
    const dir = new URL("../../", import.meta.url);
    if (dir.protocol !== "file:") return (commitCache = null);
    const out = new Deno.Command("git", { args: ["rev-parse", "HEAD"], cwd: dir.pathname, stderr: "null" })
      .outputSync();
    commitCache = out.success ? new TextDecoder().decode(out.stdout).trim() : null;
  } catch {
    commitCache = null;
  }
  return commitCache;
}

function safe<T>(f: () => T, fallback: T): T {
  try {
    return f();
  } catch {
    return fallback;
  }
}

/**
 * Describes this process's environment; `backend` is the active tfjs backend's name (null before one starts).
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { describeEnvironment } from "./environment.ts";
 * const env = describeEnvironment(null);
 * assert(env.cores >= 1 && env.deno.length > 0 && env.version.length > 0);
 * ```
 */
export function describeEnvironment(backend: string | null): Environment {
  return {
    version: VERSION,
    commit: libraryCommit(),
    deno: Deno.version.deno,
    backend,
    threads: safe(() => Deno.env.get("TRAINLARGE_THREADS") ?? null, null),
    host: safe(() => Deno.hostname(), "unknown"),
    os: `${Deno.build.os} ${safe(() => Deno.osRelease(), "")} ${Deno.build.arch}`.replace(/\s+/g, " "),
    cores: safe(() => navigator.hardwareConcurrency, 0),
    memoryGiB: safe(() => Math.round(Deno.systemMemoryInfo().total / 2 ** 30 * 10) / 10, 0),
  };
}
