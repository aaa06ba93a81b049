/**
 * Concat on float32 as block copies: the decoder's key/value cache grows by one position per generated
 * token, a concatenation along the first axis each step.
 *
 * tfjs-backend-cpu copies element by element (and reads every input into a fresh array first); here each
 * input's contiguous block per outer index is one `set` into the output. Other dtypes (and mixed ones) go to
 * the cpu kernel.
 *
 * @module
 */
import { tf } from "../tf.ts";
import { type NativeArgs, nativeKernel, runKernel, valuesOf } from "./native_backend.ts";

function concat({ inputs, backend, attrs }: NativeArgs): tf.TensorInfo {
  const tensors = Object.values(inputs);
  if (tensors.length === 0 || tensors.some((t) => t.dtype !== "float32")) {
    return runKernel("Concat", backend, inputs, attrs, "cpu");
  }
  const rank = tensors[0].shape.length;
  const axis = tf.util.parseAxisParam(attrs.axis as number, tensors[0].shape)[0];
  tf.backend_util.assertParamsConsistent(tensors.map((t) => t.shape), axis);
  const outShape = tf.backend_util.computeOutShape(tensors.map((t) => t.shape), axis);
  const outer = tf.util.sizeFromShape(outShape.slice(0, axis));
  const out = backend.pool.take(tf.util.sizeFromShape(outShape));
  // Input i's block per outer index: its elements from `axis` on, placed after the earlier inputs' blocks.
  const blocks = tensors.map((t) => tf.util.sizeFromShape(t.shape.slice(axis)));
  const row = blocks.reduce((a, b) => a + b, 0);
  let at = 0;
  tensors.forEach((t, i) => {
    const values = valuesOf(backend, t) as Float32Array, n = blocks[i];
    if (n > 0) {
      for (let o = 0; o < outer; o++) out.set(values.subarray(o * n, (o + 1) * n), o * row + at);
    }
    at += n;
  });
  return backend.makeTensorInfo(rank === 0 ? [] : outShape, "float32", out);
}

/** The concat kernel. */
export const CONCAT_KERNELS: tf.KernelConfig[] = [nativeKernel("Concat", concat)];
