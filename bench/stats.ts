/**
 * Summary statistics the benchmarks share.
 *
 * @module
 */

/**
 * The middle value of `xs` (the mean of the two middle ones for an even count).
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { median } from "./stats.ts";
 * assert(median([5, 1, 3]) === 3 && median([4, 1, 3, 2]) === 2.5);
 * ```
 */
export function median(xs: number[]): number {
  if (xs.length === 0) throw new Error("median of no values");
  const s = [...xs].sort((a, b) => a - b), m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
