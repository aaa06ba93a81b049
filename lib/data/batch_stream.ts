/**
 * The one batch-stream protocol shared by the data layer and the training loop: an endless stream of
 * batches (`next()`), a JSON-safe position a checkpoint can store (`position()`), and `restore(position)`
 * to continue exactly there. The MLM, seq2seq and classification batchers return a `BatchStream`, and
 * `trainRecords` consumes one.
 *
 * Every batcher derives its randomness from (seed, epoch, batch index) alone, so the position is all it
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

/** An endless, resumable stream of batches (epochs follow one another). */
export interface BatchStream<B> extends Iterable<B> {
  /** The next batch; never ends (epochs follow one another). */
  next(): B;
  /** Position of the batch the next `next()` returns (JSON-safe, for checkpoints). */
  position(): BatchPosition;
  /** Continues from a value `position()` returned; throws naming the bad field if it is not one. */
  restore(position: unknown): void;
  /** Batches per epoch. */
  readonly batchesPerEpoch: number;
}

/** Checks a resume position from a checkpoint; names the bad field. */
export function checkPosition(p: unknown, who: string): BatchPosition {
  if (p === undefined) return { epoch: 0, batch: 0 };
  if (p === null || typeof p !== "object") {
    throw new Error(`${who}: a position must be {epoch, batch}, got ${JSON.stringify(p)}`);
  }
  const q = p as BatchPosition;
  for (const k of ["epoch", "batch"] as const) {
    if (!Number.isInteger(q[k]) || q[k] < 0) {
      throw new Error(`${who}: position.${k} must be a non-negative integer, got ${JSON.stringify(q[k])}`);
    }
  }
  return { epoch: q.epoch, batch: q.batch };
}

/** Checks that `value` (option `name` of `who`) is a positive integer. */
export function checkPositiveInt(value: number, name: string, who: string): number {
  if (!Number.isInteger(value) || value <= 0) {
    throw new Error(`${who}: ${name} must be a positive integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * Builds an endless, resumable stream from `makeBatch(epoch, batch)`, starting at `start`.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { batchStream } from "./batch_stream.ts";
 * const s = batchStream(2, (e, b) => `${e}.${b}`, { epoch: 0, batch: 1 });
 * assert(s.next() === "0.1" && s.next() === "1.0");
 * const saved = s.position();
 * assert(JSON.stringify(saved) === '{"epoch":1,"batch":1}' && s.next() === "1.1");
 * s.restore(saved);
 * assert(s.next() === "1.1");
 * ```
 */
export function batchStream<B>(
  batchesPerEpoch: number,
  makeBatch: (epoch: number, batch: number) => B,
  start?: BatchPosition,
  who = "batchStream",
): BatchStream<B> {
  let epoch = 0, batch = 0;
  const restore = (position: unknown) => {
    const p = checkPosition(position, who);
    if (p.batch >= batchesPerEpoch) {
      throw new Error(
        `${who}: resume position batch ${p.batch} is past the end of an epoch (${batchesPerEpoch} batches); ` +
          `was the checkpoint made with other data or batch options?`,
      );
    }
    [epoch, batch] = [p.epoch, p.batch];
  };
  restore(start);
  const next = () => {
    const value = makeBatch(epoch, batch);
    if (++batch >= batchesPerEpoch) [epoch, batch] = [epoch + 1, 0];
    return value;
  };
  return {
    batchesPerEpoch,
    position: () => ({ epoch, batch }),
    restore,
    next,
    [Symbol.iterator]: () => ({ next: () => ({ value: next(), done: false }) }),
  };
}
