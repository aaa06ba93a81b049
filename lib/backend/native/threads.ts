/**
 * BLAS thread count of the native backend.
 *
 * @module
 */
import { tf } from "../tf.ts";
import { type Blas, loadBlas } from "./blas.ts";
import { NATIVE } from "./names.ts";

/** What this file needs of a `NativeBackend` (named structurally, so that importing this loads none). */
interface Threaded {
  blas: Blas;
  threads: { threads: number };
}

/**
 * Sets how many threads the native backend's matmuls use — the system BLAS's (OpenBLAS and MKL; on
 * Accelerate set `VECLIB_MAXIMUM_THREADS` before start) or the built-in GEMM's worker threads — and returns
 * the count now in effect. Also set by the `TRAINLARGE_THREADS` environment variable when the backend starts.
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
  // Only a registered native backend is found (this file does not load it: see names.ts).
  const backend = tf.findBackend(NATIVE) as unknown as Threaded | null;
  if (backend === null) return loadBlas().setThreads(threads);
  backend.threads.threads = threads;
  return backend.blas.setThreads(threads);
}
