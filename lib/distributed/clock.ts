/**
 * One clock for all ranks: every read returns rank 0's clock, broadcast. Ranks then take identical
 * time-based decisions (learning rate of a time-based schedule, wall-clock budget, evaluation times), which
 * they must, since a rank that stops or evaluates alone leaves the others waiting in a collective.
 *
 * Each read is a collective of 8 bytes (microseconds on one machine or a fast network); every rank must
 * read it the same number of times, which the training loop does because its decisions are identical.
 *
 * @module
 */
import type { Communicator } from "./communicator.ts";

/**
 * A clock (milliseconds) that reads `clock` on rank 0 and gives that value to every rank.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { agreedClock } from "./clock.ts";
 * import { singleProcess } from "./communicator.ts";
 * let t = 0;
 * const clock = agreedClock(singleProcess(), () => (t += 5));
 * assert(clock() === 5 && clock() === 10);
 * ```
 */
export function agreedClock(comm: Communicator, clock: () => number): () => number {
  if (comm.size === 1) return clock;
  const value = new Float64Array(1);
  return () => {
    value[0] = comm.rank === 0 ? clock() : 0;
    comm.broadcast(value, 0);
    return value[0];
  };
}
