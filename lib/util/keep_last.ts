/**
 * A one-entry cache for async reads: the runs of a study in one process read the same data one after
 * another, so keeping the last read (by its JSON-serialised argument) saves re-reading and re-tokenizing it
 * without holding every corpus a process has ever seen. A failed read is forgotten, so the next call retries.
 *
 * @module
 */

/**
 * `read` with its last result kept: a call with an argument that serialises (`JSON.stringify`) as the last
 * one's returns the same promise; any other argument replaces it.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { keepLast } from "./keep_last.ts";
 * let reads = 0;
 * const load = keepLast((n: { size: number }) => Promise.resolve(++reads * n.size));
 * assert((await load({ size: 2 })) === 2 && (await load({ size: 2 })) === 2 && reads === 1);
 * assert((await load({ size: 3 })) === 6 && reads === 2);
 * ```
 */
export function keepLast<A, T>(read: (arg: A) => Promise<T>): (arg: A) => Promise<T> {
  let last: { key: string; result: Promise<T> } | null = null;
  return (arg) => {
    const key = JSON.stringify(arg);
    if (last?.key !== key) {
      const result = read(arg);
      last = { key, result };
      result.catch(() => last?.result === result && (last = null));
    }
    return last!.result;
  };
}
