/**
 * Exact k-smallest selection over float magnitudes, and Python's `round()`.
 *
 * `torch.nn.utils.prune` prunes exactly `round(amount × n)` entries (Python's round: halves to even) chosen by
 * `torch.topk(|w|, k, largest=False)`. This file reproduces that count and selects the k smallest with an
 * O(n) quickselect instead of a full sort (20M-parameter records). Ties at the threshold magnitude are broken
 * by lower flat index first; torch.topk's tie order is unspecified, so parity tests use tie-free data.
 *
 * @module
 */

/**
 * Python 3 `round(x)`: nearest integer, halves to even.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { roundHalfEven } from "./select_k.ts";
 * assert(roundHalfEven(2.5) === 2 && roundHalfEven(3.5) === 4 && roundHalfEven(-0.5) === 0);
 * ```
 */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f; // exact for doubles
  if (d < 0.5) return f;
  if (d > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}

/**
 * Number of entries torch prunes for `amount` of `n` (fraction in [0, 1]).
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { pruneCount } from "./select_k.ts";
 * assert(pruneCount(0.5, 5) === 2 && pruneCount(0.5, 7) === 4);
 * ```
 */
export function pruneCount(amount: number, n: number): number {
  if (!(amount >= 0 && amount <= 1)) throw new Error(`sparsity must be in [0, 1], got ${amount}`);
  return roundHalfEven(amount * n);
}

/**
 * The k-th smallest value (1-based k) of `values`; reorders a copy, never `values`.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { kthSmallest } from "./select_k.ts";
 * assert(kthSmallest(new Float32Array([5, 1, 4, 2]), 2) === 2);
 * ```
 */
export function kthSmallest(values: Float32Array, k: number): number {
  if (k < 1 || k > values.length) throw new Error(`kthSmallest: k=${k} outside 1..${values.length}`);
  const a = values.slice();
  let lo = 0, hi = a.length - 1;
  const target = k - 1;
  while (lo < hi) {
    // median of three as pivot
    const mid = (lo + hi) >>> 1;
    const x = a[lo], y = a[mid], z = a[hi];
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : (x < z ? x : y < z ? z : y);
    let i = lo, j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else return a[target];
  }
  return a[target];
}

/**
 * Keep-mask (1 = keep, 0 = pruned) zeroing exactly the `k` smallest of `scores` (global pruning passes all
 * tensors' scores concatenated). Ties at the threshold go to the lower index.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { smallestKMasks } from "./select_k.ts";
 * assert(smallestKMasks(new Float32Array([3, 1, 1, 2]), 2).join() === "1,0,0,1");
 * ```
 */
export function smallestKMasks(scores: Float32Array, k: number): Uint8Array {
  const keep = new Uint8Array(scores.length).fill(1);
  if (k === 0) return keep;
  const threshold = kthSmallest(scores, k);
  let below = 0;
  for (let i = 0; i < scores.length; i++) if (scores[i] < threshold) below++;
  let equalToPrune = k - below;
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i];
    if (s < threshold) keep[i] = 0;
    else if (s === threshold && equalToPrune > 0) {
      keep[i] = 0;
      equalToPrune--;
    }
  }
  return keep;
}
