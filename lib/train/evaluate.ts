/**
 * Validation loss: the prediction-weighted mean of a task's loss over a list of batches, read back once.
 *
 * @module
 */
import { tf } from "../backend/tf.ts";
import type { Scalar } from "../backend/tf.ts";
import type { Task } from "./task.ts";

/**
 * Mean loss per prediction over `batches` (dropout off). One asynchronous read at the end; no tensors
 * are left behind.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { tf } from "../backend/tf.ts";
 * import { evaluate } from "./evaluate.ts";
 * // A fake task whose loss is the batch's value: weighted mean (1·1 + 4·3) / 4 = 3.25.
 * const task = { params: {}, loss: (b: number[]) => tf.scalar(b[0]), tokens: () => 0, predictions: (b: number[]) => b[1] };
 * assert(await evaluate(task, [[1, 1], [4, 3]]) === 3.25);
 * ```
 */
export async function evaluate<B>(task: Task<B>, batches: readonly B[]): Promise<number> {
  if (batches.length === 0) throw new Error("evaluate: no validation batches given");
  let total = 0;
  const parts: Scalar[] = [];
  for (const batch of batches) {
    const n = task.predictions(batch);
    total += n;
    parts.push(tf.tidy(() => tf.mul(task.loss(batch, { training: false }), n)));
  }
  // A chain of adds, not tf.addN: tfjs-webgpu 4.22's AddN returns wrong sums for more than 4 inputs.
  const sum = tf.tidy(() => parts.reduce((a, b) => tf.add(a, b), tf.scalar(0)));
  tf.dispose(parts);
  const value = (await sum.data())[0];
  sum.dispose();
  return value / total;
}
