/**
 * PadV2 on float32 as row copies: the gradient of a slice (e.g. of the position-embedding table).
 *
 * tfjs-backend-cpu converts every element's index to coordinates and back; here the output is filled
 * with the constant once and each contiguous input row is copied to its place. Other dtypes go to the cpu
 * kernel.
 *
 * @module
 */
import { tf } from "../tf.ts";
import { type NativeArgs, nativeKernel, runKernel, valuesOf } from "./native_backend.ts";

function padV2({ inputs, backend, attrs }: NativeArgs): tf.TensorInfo {
  const { x } = inputs;
  const paddings = attrs.paddings as Array<[number, number]>, constant = attrs.constantValue as number;
  if (x.dtype !== "float32" || x.shape.length === 0) return runKernel("PadV2", backend, inputs, attrs, "cpu");
  const shape = x.shape, rank = shape.length;
  const outShape = shape.map((d, i) => paddings[i][0] + d + paddings[i][1]);
  const xv = valuesOf(backend, x) as Float32Array;
  const out = backend.pool.take(tf.util.sizeFromShape(outShape)).fill(constant);
  const row = shape[rank - 1], rows = xv.length / Math.max(row, 1);
  const outStrides = tf.util.computeStrides(outShape);
  const idx = new Array<number>(rank - 1).fill(0);
  for (let r = 0; r < rows && row > 0; r++) {
    // Output offset of input row `idx` (every outer coordinate shifted by its leading padding).
    let o = paddings[rank - 1][0];
    for (let d = 0; d < rank - 1; d++) o += (idx[d] + paddings[d][0]) * outStrides[d];
    out.set(xv.subarray(r * row, (r + 1) * row), o);
    for (let d = rank - 2; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
  return backend.makeTensorInfo(outShape, "float32", out);
}

/** The pad kernel. */
export const PAD_KERNELS: tf.KernelConfig[] = [nativeKernel("PadV2", padV2)];
