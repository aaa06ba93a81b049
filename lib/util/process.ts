/**
 * This process's host and other processes' liveness: what locks and temporary-file names record, and what
 * decides that a lock or a temporary file left by a killed process may be taken over.
 *
 * @module
 */

/**
 * This machine's host name, or `"unknown"` without `--allow-sys`.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { hostname } from "./process.ts";
 * assert(hostname().length > 0);
 * ```
 */
export function hostname(): string {
  try {
    return Deno.hostname();
  } catch {
    return "unknown";
  }
}

/**
 * Whether process `pid` is alive on this host (Linux: /proc, a zombie counts as exited; elsewhere assumed
 * alive, so nothing is taken over early).
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { processAlive } from "./process.ts";
 * assert(processAlive(Deno.pid));
 * ```
 */
export function processAlive(pid: number): boolean {
  if (pid === Deno.pid) return true;
  try {
    Deno.statSync(`/proc/${pid}`);
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return !/^\d+ \(.*\) [ZX] /.test(stat); // a zombie has exited
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return Deno.build.os !== "linux";
    return true;
  }
}
