/**
 * BLAS thread count of the native backend.
 *
 * @module
 */
import { loadBlas } from "./blas.ts";

/**
 * Sets how many threads the system BLAS uses for the native backend's matmuls (OpenBLAS and MKL; on
 * Accelerate set `VECLIB_MAXIMUM_THREADS` before start) and returns the count now in effect. Also set by
 * the `TRAINLARGE_THREADS` environment variable when the backend starts.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { tryLoadBlas } from "./provider.ts";
 * import { setNativeThreads } from "./threads.ts";
 * if (!("missing" in tryLoadBlas())) { // BLAS is optional: nothing to show where none is installed
 *   const n = setNativeThreads(1);
 *   assert(n >= 1);
 *   setNativeThreads(navigator.hardwareConcurrency);
 * }
 * ```
 */
export function setNativeThreads(threads: number): number {
  return loadBlas().setThreads(threads);
}
