/**
 * ScatterNd (summing duplicate indices) as one pass over the updates: the gradient of an embedding lookup.
 *
 * tfjs-backend-cpu computes every element through a `TensorBuffer` with index arithmetic; here each update
 * row is added to its output row in a tight loop. Other dtypes go to the cpu kernel; out-of-range indices
 * are the same error as on cpu.
 *
 * @module
 */
import { tf } from "../tf.ts";
import { type NativeArgs, nativeKernel, runKernel, valuesOf } from "./native_backend.ts";

function scatterNd({ inputs, backend, attrs }: NativeArgs): tf.TensorInfo {
  const { indices, updates } = inputs;
  const shape = attrs.shape as number[];
  if (updates.dtype !== "float32" || indices.dtype !== "int32") {
    return runKernel("ScatterNd", backend, inputs, attrs, "cpu");
  }
  const { sliceRank, numUpdates, sliceSize, strides, outputSize } = tf.backend_util.calculateShapes(
    updates as tf.Tensor,
    indices as tf.Tensor,
    shape,
  );
  const iv = valuesOf(backend, indices) as Int32Array, uv = valuesOf(backend, updates) as Float32Array;
  const out = backend.pool.takeZeroed(outputSize);
  const rows = outputSize / sliceSize;
  for (let i = 0; i < numUpdates; i++) {
    let row = 0;
    for (let j = 0; j < sliceRank; j++) row += iv[i * sliceRank + j] * strides[j];
    if (!(row >= 0 && row < rows)) {
      const index = Array.from(iv.subarray(i * sliceRank, (i + 1) * sliceRank));
      throw new Error(`Invalid indices: ${index} does not index into ${shape}`);
    }
    const o = row * sliceSize, u = i * sliceSize;
    for (let k = 0; k < sliceSize; k++) out[o + k] += uv[u + k];
  }
  return backend.makeTensorInfo(shape, "float32", out);
}

/** The scatter kernel. */
export const SCATTER_KERNELS: tf.KernelConfig[] = [nativeKernel("ScatterNd", scatterNd)];
