/**
 * A per-kernel timer for the native backend: where a training step's time goes, kernel by kernel.
 *
 * Off by default (one boolean test per kernel call). Kernels run synchronously on the CPU, so wall time
 * between entry and exit is the kernel's own time; a kernel that calls another kernel counts the callee's
 * time as its own.
 *
 * @module
 */

/** Time spent in one kernel. */
export interface KernelTime {
  /** tfjs kernel name (`"BatchMatMul"`, `"Softmax"`, …). */
  kernel: string;
  /** Calls while profiling was on. */
  calls: number;
  /** Total milliseconds. */
  ms: number;
}

const totals = new Map<string, { calls: number; ms: number }>();
let enabled = false;
let depth = 0;

/**
 * Starts (or stops) timing native kernels; starting clears earlier totals.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { kernelProfile, profileKernels } from "./profile.ts";
 * profileKernels(true);
 * assert(kernelProfile().length === 0);
 * profileKernels(false);
 * ```
 */
export function profileKernels(on: boolean): void {
  if (on) totals.clear();
  enabled = on;
}

/**
 * The kernel times collected since `profileKernels(true)`, slowest first.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { kernelProfile } from "./profile.ts";
 * assert(Array.isArray(kernelProfile()));
 * ```
 */
export function kernelProfile(): KernelTime[] {
  return [...totals].map(([kernel, t]) => ({ kernel, ...t })).sort((a, b) => b.ms - a.ms);
}

/** Wraps a kernel function so that it is timed while profiling is on. */
export function timed<F extends (...args: never[]) => unknown>(kernel: string, f: F): F {
  return ((...args: Parameters<F>) => {
    if (!enabled || depth > 0) return f(...args);
    const t0 = performance.now();
    depth++;
    try {
      return f(...args);
    } finally {
      depth--;
      const t = totals.get(kernel) ?? { calls: 0, ms: 0 };
      t.calls++;
      t.ms += performance.now() - t0;
      totals.set(kernel, t);
    }
  }) as F;
}
