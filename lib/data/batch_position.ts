/**
 * Where a batch iterator is in its data, as a JSON-safe record a checkpoint can store.
 *
 * Every batcher derives its randomness from (seed, epoch, batch index) alone, so this position is all it
 * needs to resume exactly: no generator state has to be saved.
 *
 * @module
 */

/** Position of the next batch: epoch (from 0) and batch index within that epoch. */
export interface BatchPosition {
  /** Epoch number, counted from 0. */
  epoch: number;
  /** Batch index within the epoch, counted from 0. */
  batch: number;
}

/** An endless batch iterator (epochs follow one another) that can report where it is. */
export interface BatchIterator<B> extends Iterable<B> {
  /** The next batch; never done (epochs follow one another). */
  next(): IteratorYieldResult<B>;
  /** Returns the iterator itself, so it can be used in `for … of`. */
  [Symbol.iterator](): BatchIterator<B>;
  /** Position of the batch the next `next()` returns. */
  position(): BatchPosition;
  /** Batches per epoch. */
  readonly batchesPerEpoch: number;
}

/** Checks a resume position from a checkpoint; names the bad field. */
export function checkPosition(p: BatchPosition | undefined, who: string): BatchPosition {
  if (p === undefined) return { epoch: 0, batch: 0 };
  for (const k of ["epoch", "batch"] as const) {
    if (!Number.isInteger(p[k]) || p[k] < 0) {
      throw new Error(`${who}: start.${k} must be a non-negative integer, got ${JSON.stringify(p[k])}`);
    }
  }
  return { ...p };
}

/** Checks that `value` (option `name` of `who`) is a positive integer. */
export function checkPositiveInt(value: number, name: string, who: string): number {
  if (!Number.isInteger(value) || value <= 0) {
    throw new Error(`${who}: ${name} must be a positive integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * Builds an endless iterator from `makeBatch(epoch, batch)`.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { batchIterator } from "./batch_position.ts";
 * const it = batchIterator(2, (e, b) => `${e}.${b}`, { epoch: 0, batch: 1 });
 * assert(it.next().value === "0.1" && it.next().value === "1.0");
 * assert(JSON.stringify(it.position()) === '{"epoch":1,"batch":1}');
 * ```
 */
export function batchIterator<B>(
  batchesPerEpoch: number,
  makeBatch: (epoch: number, batch: number) => B,
  start: BatchPosition = { epoch: 0, batch: 0 },
): BatchIterator<B> {
  let { epoch, batch } = start;
  if (batch >= batchesPerEpoch) {
    throw new Error(
      `resume position batch ${batch} is past the end of an epoch (${batchesPerEpoch} batches)`,
    );
  }
  const it: BatchIterator<B> = {
    batchesPerEpoch,
    position: () => ({ epoch, batch }),
    next() {
      const value = makeBatch(epoch, batch);
      if (++batch >= batchesPerEpoch) [epoch, batch] = [epoch + 1, 0];
      return { value, done: false };
    },
    [Symbol.iterator]() {
      return it;
    },
  };
  return it;
}
