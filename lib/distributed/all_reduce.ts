/**
 * Sums a record of tensors over all ranks as one flat float32 buffer: one device read, one all-reduce,
 * one upload per tensor. Extra numbers (a loss, a flag) ride along in the same buffer at no extra cost.
 *
 * @module
 */
import { tf } from "../backend/tf.ts";
import type { Tensor } from "../backend/tf.ts";
import type { Communicator } from "./communicator.ts";

/** What `allReduceTensors` returns; the caller disposes `tensors`. */
export interface Reduced {
  /** The element-wise sums over ranks, keyed and shaped like the input. */
  tensors: Record<string, Tensor>;
  /** The sums of the extra numbers, in order. */
  extra: number[];
}

/**
 * Sums `tensors` (float32, same names and shapes on every rank) and `extra` over all ranks; the inputs are
 * left as they are. A collective: every rank must call it with the same names, shapes and extra count.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { tf } from "../backend/tf.ts";
 * import { allReduceTensors } from "./all_reduce.ts";
 * import { singleProcess } from "./communicator.ts";
 * const g = { w: tf.tensor2d([[1, 2], [3, 4]]) };
 * const { tensors, extra } = await allReduceTensors(singleProcess(), g, [0.5]);
 * assert((await tensors.w.data())[3] === 4 && tensors.w.shape[0] === 2 && extra[0] === 0.5);
 * tf.dispose([g.w, tensors.w]);
 * ```
 */
export async function allReduceTensors(
  comm: Communicator,
  tensors: Record<string, Tensor>,
  extra: readonly number[] = [],
): Promise<Reduced> {
  const names = Object.keys(tensors);
  const sizes = names.map((n) => tensors[n].size);
  const total = sizes.reduce((a, b) => a + b, 0);
  const flat = new Float32Array(total + extra.length);
  if (total > 0) {
    // (total): every tensor flattened and concatenated on the device, then read back once.
    const joined = tf.tidy(() => tf.concat(names.map((n) => tf.reshape(tensors[n], [-1]))));
    flat.set(await joined.data() as Float32Array);
    joined.dispose();
  }
  flat.set(extra, total);
  comm.allReduce(flat, "sum");
  const out: Record<string, Tensor> = {};
  let offset = 0;
  names.forEach((n, i) => {
    out[n] = tf.tensor(flat.subarray(offset, offset + sizes[i]), tensors[n].shape, "float32");
    offset += sizes[i];
  });
  return { tensors: out, extra: Array.from(flat.subarray(total)) };
}
