/**
 * Sum and Mean over a contiguous block of axes, without the transpose tfjs-backend-cpu makes first, and
 * Max over the last axis.
 *
 * The input is viewed as (P, R, Q): P outer positions, R reduced, Q inner. Q = 1 (a row reduction, e.g.
 * LayerNorm statistics) sums each row here in a float64 accumulator (no SIMD kernel sums rows); Q > 1 (e.g.
 * a bias gradient summing over the batch) is the SIMD kernel `col_sum` on each (R, Q) block. Axes that are
 * not contiguous, and non-float32 dtypes, go to the cpu kernels.
 *
 * @module
 */
import { tf } from "../tf.ts";
import { type NativeArgs, nativeKernel, runKernel, valuesOf } from "./native_backend.ts";

function reduce(name: "Sum" | "Mean"): tf.KernelConfig {
  return nativeKernel(name, ({ inputs, backend, attrs }: NativeArgs) => {
    const x = inputs.x;
    const shape = x.shape;
    const axes = tf.util.parseAxisParam(attrs.axis as number | number[], shape).sort((a, b) => a - b);
    const contiguous = axes.every((a, i) => i === 0 || a === axes[i - 1] + 1);
    if (x.dtype !== "float32" || !contiguous) return runKernel(name, backend, inputs, attrs, "cpu");
    const lo = axes.length ? axes[0] : 0, hi = axes.length ? axes[axes.length - 1] + 1 : 0;
    const p = tf.util.sizeFromShape(shape.slice(0, lo));
    const r = tf.util.sizeFromShape(shape.slice(lo, hi));
    const q = tf.util.sizeFromShape(shape.slice(hi));
    const xv = valuesOf(backend, x) as Float32Array;
    const out = backend.pool.take(p * q);
    const scale = name === "Mean" ? 1 / r : 1;
    if (axes.length === 0) {
      for (let i = 0; i < xv.length; i++) out[i] = xv[i];
    } else if (q === 1) {
      for (let i = 0; i < p; i++) {
        let s = 0;
        const base = i * r;
        for (let j = 0; j < r; j++) s += xv[base + j];
        out[i] = s * scale;
      }
    } else {
      backend.inArena((at) => {
        const px = at.read(xv), pout = at.write(out);
        for (let i = 0; i < p; i++) backend.simd.col_sum(px + i * r * q * 4, pout + i * q * 4, r, q, scale);
      });
    }
    const outShape = attrs.keepDims
      ? shape.map((d, i) => (i >= lo && i < hi ? 1 : d))
      : [...shape.slice(0, lo), ...shape.slice(hi)];
    return backend.makeTensorInfo(outShape, "float32", out);
  });
}

/** Max over the last axis (log-softmax's row maximum); other axes go to the cpu kernel. */
function max({ inputs, backend, attrs }: NativeArgs): tf.TensorInfo {
  const x = inputs.x;
  const shape = x.shape, rank = shape.length;
  const axes = tf.util.parseAxisParam(attrs.reductionIndices as number | number[], shape);
  if (x.dtype !== "float32" || axes.length !== 1 || axes[0] !== rank - 1 || shape[rank - 1] === 0) {
    return runKernel("Max", backend, inputs, attrs, "cpu");
  }
  const xv = valuesOf(backend, x) as Float32Array;
  const r = shape[rank - 1], p = xv.length / r;
  const out = backend.pool.take(p);
  for (let i = 0; i < p; i++) {
    let m = -Infinity;
    for (let j = i * r; j < (i + 1) * r; j++) {
      const v = xv[j];
      if (v > m || v !== v) m = v; // NaN wins, as on cpu
    }
    out[i] = m;
  }
  const outShape = attrs.keepDims ? [...shape.slice(0, -1), 1] : shape.slice(0, -1);
  return backend.makeTensorInfo(outShape, "float32", out);
}

/** The reduction kernels. */
export const REDUCE_KERNELS: tf.KernelConfig[] = [reduce("Sum"), reduce("Mean"), nativeKernel("Max", max)];
