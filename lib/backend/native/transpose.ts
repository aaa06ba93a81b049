/**
 * Transpose as strided copies: adjacent axes that stay adjacent are merged first, so the attention
 * transposes (B, T, H, hs) ↔ (B, H, T, hs) become copies of contiguous hs-long runs.
 *
 * @module
 */
import { tf } from "../tf.ts";
import { type NativeArgs, nativeKernel, runKernel, valuesOf } from "./native_backend.ts";

/** Merges input axes that stay neighbours under `perm`; returns the smaller shape and permutation. */
export function collapsePerm(shape: number[], perm: number[]): { shape: number[]; perm: number[] } {
  const keep = perm.filter((p) => shape[p] !== 1);
  // Size-1 axes are dropped; rank[p] is axis p's position among the kept axes in input order.
  const rank = new Map([...keep].sort((a, b) => a - b).map((p, i) => [p, i]));
  // Groups of consecutive kept input axes, in output order.
  const groups: number[][] = [];
  for (const p of keep) {
    const last = groups[groups.length - 1];
    if (last && rank.get(last[last.length - 1]) === rank.get(p)! - 1) last.push(p);
    else groups.push([p]);
  }
  const byInput = [...groups].sort((a, b) => a[0] - b[0]);
  const newShape = byInput.map((g) => g.reduce((s, p) => s * shape[p], 1));
  const newPerm = groups.map((g) => byInput.indexOf(g));
  return { shape: newShape.length ? newShape : [1], perm: newPerm.length ? newPerm : [0] };
}

function transpose({ inputs, backend, attrs }: NativeArgs): tf.TensorInfo {
  const x = inputs.x;
  const perm = attrs.perm as number[];
  const outShape = perm.map((p) => x.shape[p]);
  if (x.dtype !== "float32" && x.dtype !== "int32") {
    return runKernel("Transpose", backend, inputs, attrs, "cpu");
  }
  const xv = valuesOf(backend, x) as Float32Array | Int32Array;
  const out = x.dtype === "float32" ? backend.pool.take(xv.length) : new Int32Array(xv.length);
  const c = collapsePerm(x.shape, perm);
  const r = c.shape.length;
  const inStrides = new Array<number>(r);
  for (let d = r - 1, acc = 1; d >= 0; d--) {
    inStrides[d] = acc;
    acc *= c.shape[d];
  }
  const dims = c.perm.map((p) => c.shape[p]); // output dims
  const st = c.perm.map((p) => inStrides[p]); // input stride of each output dim
  const n = dims[r - 1], s = st[r - 1];
  const rows = xv.length / n;
  const idx = new Array<number>(r).fill(0);
  let off = 0;
  for (let row = 0; row < rows; row++) {
    const o = row * n;
    if (s === 1) { for (let i = 0; i < n; i++) out[o + i] = xv[off + i]; }
    else for (let i = 0; i < n; i++) out[o + i] = xv[off + i * s];
    for (let d = r - 2; d >= 0; d--) {
      off += st[d];
      if (++idx[d] < dims[d]) break;
      off -= st[d] * dims[d];
      idx[d] = 0;
    }
  }
  return backend.makeTensorInfo(outShape, x.dtype, out);
}

function softmax({ inputs, backend, attrs }: NativeArgs): tf.TensorInfo {
  const logits = inputs.logits;
  const rank = logits.shape.length;
  const dim = attrs.dim as number;
  if (logits.dtype !== "float32" || (dim !== -1 && dim !== rank - 1)) {
    return runKernel("Softmax", backend, inputs, attrs, "cpu");
  }
  const xv = valuesOf(backend, logits) as Float32Array;
  const n = logits.shape[rank - 1];
  const out = backend.pool.take(xv.length);
  out.set(xv);
  // The SIMD kernel that attention uses, in place on the copy, with no bias.
  if (n > 0) backend.inArena((at) => backend.simd.softmax_rows(at.update(out), 0, 0, xv.length / n, n));
  return backend.makeTensorInfo(logits.shape, "float32", out);
}

function gatherV2({ inputs, backend, attrs }: NativeArgs): tf.TensorInfo {
  const { x, indices } = inputs;
  const axis = tf.util.parseAxisParam(attrs.axis as number, x.shape)[0];
  if (axis !== 0 || (attrs.batchDims ?? 0) !== 0 || x.dtype !== "float32" || indices.dtype !== "int32") {
    return runKernel("GatherV2", backend, inputs, attrs, "cpu");
  }
  const xv = valuesOf(backend, x) as Float32Array, iv = valuesOf(backend, indices) as Int32Array;
  const rows = x.shape[0], width = tf.util.sizeFromShape(x.shape.slice(1));
  const out = backend.pool.take(iv.length * width);
  for (let i = 0; i < iv.length; i++) {
    const r = iv[i];
    if (!(r >= 0 && r < rows)) {
      throw new Error(`GatherV2: index ${r} at position ${i} is not in [0, ${rows})`);
    }
    out.set(xv.subarray(r * width, (r + 1) * width), i * width);
  }
  return backend.makeTensorInfo([...indices.shape, ...x.shape.slice(1)], "float32", out);
}

/** Transpose, the softmax over the last axis and the row gather. */
export const LAYOUT_KERNELS: tf.KernelConfig[] = [
  nativeKernel("Transpose", transpose),
  nativeKernel("Softmax", softmax),
  nativeKernel("GatherV2", gatherV2),
];
