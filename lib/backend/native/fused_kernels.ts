/**
 * Fused Transformer kernels for the native backend: exact GELU and LayerNorm over the last axis, each
 * forward and backward in one pass over the data, and the AdamW update of one parameter.
 *
 * A composite tfjs GELU costs ~5 passes forward and ~11 backward over the (B·T, 4C) activations, a
 * composite LayerNorm ~9 and ~20; these do 1 and 1 (LayerNorm backward: 2 per row). Shapes: x is
 * (N, C) viewed as rows of the last axis. The ops that use them are in `fused_ops.ts`.
 *
 * @module
 */
import type { tf } from "../tf.ts";
import { float32Values, type NativeArgs, nativeKernel } from "./native_backend.ts";
import { fastExp } from "./fast_exp.ts";
import { erf } from "./erf.ts";
import { dropoutKey, dropoutMask, keepThreshold } from "./philox.ts";

import {
  ADAMW,
  DROPOUT,
  GELU,
  GELU_GRAD,
  LAYER_NORM,
  LAYER_NORM_GRAD,
  LOG_SOFTMAX,
  LOG_SOFTMAX_GRAD,
  SUM_SQUARES,
} from "./names.ts";

const INV_SQRT2 = Math.SQRT1_2, INV_SQRT_2PI = 0.3989422804014327;

function f32(backend: NativeArgs["backend"], t: tf.TensorInfo): Float32Array {
  return float32Values(backend, t, "fused kernel");
}

function gelu({ inputs: { x }, backend }: NativeArgs): tf.TensorInfo {
  const xv = f32(backend, x), out = backend.pool.take(xv.length);
  if (backend.simdReady(xv, out)) {
    backend.simd!.gelu(xv.byteOffset, out.byteOffset, xv.length);
    return backend.makeTensorInfo(x.shape, "float32", out);
  }
  for (let i = 0; i < xv.length; i++) {
    const v = xv[i];
    out[i] = 0.5 * v * (1 + erf(v * INV_SQRT2));
  }
  return backend.makeTensorInfo(x.shape, "float32", out);
}

function geluGrad({ inputs: { dy, x }, backend }: NativeArgs): tf.TensorInfo {
  const xv = f32(backend, x), gv = f32(backend, dy), out = backend.pool.take(xv.length);
  if (backend.simdReady(xv, gv, out)) {
    backend.simd!.gelu_grad(gv.byteOffset, xv.byteOffset, out.byteOffset, xv.length);
    return backend.makeTensorInfo(x.shape, "float32", out);
  }
  for (let i = 0; i < xv.length; i++) {
    const v = xv[i];
    // d/dx x·Φ(x) = Φ(x) + x·φ(x), Φ(x) = ½(1 + erf(x/√2)), φ(x) = exp(−x²/2)/√(2π)
    out[i] = gv[i] * (0.5 * (1 + erf(v * INV_SQRT2)) + v * INV_SQRT_2PI * fastExp(-0.5 * v * v));
  }
  return backend.makeTensorInfo(x.shape, "float32", out);
}

// Mean and 1/√(biased variance + eps) of the row xv[base, base + c), written to `stats` (two passes, as
// PyTorch computes them, for accuracy on rows with a large mean).
const stats = new Float64Array(2);
function rowStats(xv: Float32Array, base: number, c: number, eps: number): void {
  let mean = 0;
  for (let j = 0; j < c; j++) mean += xv[base + j];
  mean /= c;
  let variance = 0;
  for (let j = 0; j < c; j++) {
    const d = xv[base + j] - mean;
    variance += d * d;
  }
  stats[0] = mean;
  stats[1] = 1 / Math.sqrt(variance / c + eps);
}

function layerNorm({ inputs: { x, gamma, beta }, backend, attrs }: NativeArgs): tf.TensorInfo {
  const xv = f32(backend, x), g = f32(backend, gamma), b = f32(backend, beta);
  const c = x.shape[x.shape.length - 1], eps = attrs.eps as number;
  const out = backend.pool.take(xv.length);
  if (c % 4 === 0 && backend.simdReady(xv, g, b, out)) {
    backend.simd!.layer_norm(
      xv.byteOffset,
      g.byteOffset,
      b.byteOffset,
      out.byteOffset,
      xv.length / c,
      c,
      eps,
    );
    return backend.makeTensorInfo(x.shape, "float32", out);
  }
  for (let base = 0; base < xv.length; base += c) {
    rowStats(xv, base, c, eps);
    const mean = stats[0], rstd = stats[1];
    for (let j = 0; j < c; j++) out[base + j] = (xv[base + j] - mean) * rstd * g[j] + b[j];
  }
  return backend.makeTensorInfo(x.shape, "float32", out);
}

function layerNormGrad({ inputs: { dy, x, gamma }, backend, attrs }: NativeArgs): tf.TensorInfo[] {
  const xv = f32(backend, x), gv = f32(backend, dy), g = f32(backend, gamma);
  const c = x.shape[x.shape.length - 1], eps = attrs.eps as number;
  const dx = backend.pool.take(xv.length);
  const dgamma = new Float64Array(c), dbeta = new Float64Array(c);
  const args = { xv, gv, g, dx, dgamma, dbeta, c, eps };
  if (c % 4 === 0 && backend.simdReady(xv, gv, g, dx)) simdLayerNormGrad(backend, args);
  else layerNormGradJs(args);
  return [
    backend.makeTensorInfo(x.shape, "float32", dx),
    backend.makeTensorInfo(gamma.shape, "float32", Float32Array.from(dgamma)),
    backend.makeTensorInfo(gamma.shape, "float32", Float32Array.from(dbeta)),
  ];
}

// Rows per SIMD call: dγ and dβ are summed in float32 over this many rows, then in float64 across chunks.
const LN_CHUNK = 32;

/** The arrays and sizes of one LayerNorm backward: dx is written, dγ and dβ are added into. */
interface LayerNormGradArgs {
  xv: Float32Array;
  gv: Float32Array;
  g: Float32Array;
  dx: Float32Array;
  dgamma: Float64Array;
  dbeta: Float64Array;
  c: number;
  eps: number;
}

function simdLayerNormGrad(
  backend: NativeArgs["backend"],
  { xv, gv, g, dx, dgamma, dbeta, c, eps }: LayerNormGradArgs,
): void {
  const dg = backend.pool.take(c), db = backend.pool.take(c), rows = xv.length / c;
  for (let r0 = 0; r0 < rows; r0 += LN_CHUNK) {
    const off = r0 * c * 4;
    dg.fill(0);
    db.fill(0);
    backend.simd!.layer_norm_grad(
      gv.byteOffset + off,
      xv.byteOffset + off,
      g.byteOffset,
      dx.byteOffset + off,
      dg.byteOffset,
      db.byteOffset,
      Math.min(LN_CHUNK, rows - r0),
      c,
      eps,
    );
    for (let j = 0; j < c; j++) {
      dgamma[j] += dg[j];
      dbeta[j] += db[j];
    }
  }
  backend.pool.giveBack(dg);
  backend.pool.giveBack(db);
}

function layerNormGradJs({ xv, gv, g, dx, dgamma, dbeta, c, eps }: LayerNormGradArgs): void {
  const xhat = new Float64Array(c);
  for (let base = 0; base < xv.length; base += c) {
    rowStats(xv, base, c, eps);
    const mean = stats[0], rstd = stats[1];
    // dx = rstd·(dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂)) with dx̂ = dy·γ
    let sumD = 0, sumDX = 0;
    for (let j = 0; j < c; j++) {
      const h = (xv[base + j] - mean) * rstd, d = gv[base + j] * g[j];
      xhat[j] = h;
      sumD += d;
      sumDX += d * h;
      dgamma[j] += gv[base + j] * h;
      dbeta[j] += gv[base + j];
    }
    sumD /= c;
    sumDX /= c;
    for (let j = 0; j < c; j++) dx[base + j] = rstd * (gv[base + j] * g[j] - sumD - xhat[j] * sumDX);
  }
}

function adamw({ inputs: { param, grad, m, v }, backend, attrs }: NativeArgs): tf.TensorInfo[] {
  const pv = f32(backend, param), gv = f32(backend, grad), mv = f32(backend, m), vv = f32(backend, v);
  const { lr, beta1, beta2, epsilon, weightDecay, c1, c2 } = attrs as Record<string, number>;
  const p2 = backend.pool.take(pv.length),
    m2 = backend.pool.take(pv.length),
    v2 = backend.pool.take(pv.length);
  // PyTorch's operation order: p ← p·(1 − lr·λ) − (lr / c1) · m' / (√v' / √c2 + ε).
  const shrink = 1 - lr * weightDecay, stepSize = lr / c1, invSqrtC2 = 1 / Math.sqrt(c2);
  if (backend.simdReady(pv, gv, mv, vv, p2, m2, v2)) {
    backend.simd!.adamw(
      pv.byteOffset,
      gv.byteOffset,
      mv.byteOffset,
      vv.byteOffset,
      p2.byteOffset,
      m2.byteOffset,
      v2.byteOffset,
      pv.length,
      beta1,
      beta2,
      shrink,
      stepSize,
      invSqrtC2,
      epsilon,
    );
  } else adamwJs(pv, gv, mv, vv, p2, m2, v2, beta1, beta2, shrink, stepSize, invSqrtC2, epsilon);
  return [
    backend.makeTensorInfo(param.shape, "float32", p2),
    backend.makeTensorInfo(param.shape, "float32", m2),
    backend.makeTensorInfo(param.shape, "float32", v2),
  ];
}

function adamwJs(
  pv: Float32Array,
  gv: Float32Array,
  mv: Float32Array,
  vv: Float32Array,
  p2: Float32Array,
  m2: Float32Array,
  v2: Float32Array,
  beta1: number,
  beta2: number,
  shrink: number,
  stepSize: number,
  invSqrtC2: number,
  epsilon: number,
): void {
  for (let i = 0; i < pv.length; i++) {
    const g = gv[i];
    const mi = beta1 * mv[i] + (1 - beta1) * g;
    const vi = beta2 * vv[i] + (1 - beta2) * g * g;
    m2[i] = mi;
    v2[i] = vi;
    p2[i] = pv[i] * shrink - stepSize * mi / (Math.sqrt(vi) * invSqrtC2 + epsilon);
  }
}

// log-softmax over the last axis: x − max − log Σ exp(x − max), the sum in float64.
function logSoftmax({ inputs: { x }, backend }: NativeArgs): tf.TensorInfo {
  const xv = f32(backend, x), n = x.shape[x.shape.length - 1], out = backend.pool.take(xv.length);
  const rows = xv.length / n;
  if (n % 4 === 0 && backend.simdReady(xv, out)) {
    // Max and Σ exp per row in SIMD, the shift max + log Σ here, the subtraction in SIMD.
    const stats = backend.pool.take(2 * rows);
    backend.simd!.row_max_sumexp(xv.byteOffset, stats.byteOffset, rows, n);
    for (let r = 0; r < rows; r++) stats[r] = stats[2 * r] + Math.log(stats[2 * r + 1]);
    backend.simd!.sub_rows(xv.byteOffset, stats.byteOffset, out.byteOffset, rows, n);
    backend.pool.giveBack(stats);
    return backend.makeTensorInfo(x.shape, "float32", out);
  }
  for (let base = 0; base < xv.length; base += n) {
    let max = -Infinity;
    for (let j = 0; j < n; j++) if (xv[base + j] > max) max = xv[base + j];
    let sum = 0;
    for (let j = 0; j < n; j++) sum += fastExp(xv[base + j] - max);
    const shift = max + Math.log(sum);
    for (let j = 0; j < n; j++) out[base + j] = xv[base + j] - shift;
  }
  return backend.makeTensorInfo(x.shape, "float32", out);
}

// dx = dy − softmax(x)·Σ dy per row, with softmax(x) = exp(y) from the saved output y.
function logSoftmaxGrad({ inputs: { dy, y }, backend }: NativeArgs): tf.TensorInfo {
  const gv = f32(backend, dy), yv = f32(backend, y), n = y.shape[y.shape.length - 1];
  const out = backend.pool.take(yv.length);
  if (n % 4 === 0 && backend.simdReady(gv, yv, out)) {
    backend.simd!.log_softmax_grad_rows(gv.byteOffset, yv.byteOffset, out.byteOffset, yv.length / n, n);
    return backend.makeTensorInfo(y.shape, "float32", out);
  }
  for (let base = 0; base < yv.length; base += n) {
    let sum = 0;
    for (let j = 0; j < n; j++) sum += gv[base + j];
    for (let j = 0; j < n; j++) out[base + j] = gv[base + j] - fastExp(yv[base + j]) * sum;
  }
  return backend.makeTensorInfo(y.shape, "float32", out);
}

// Σ x² over every element, in float64 (the gradient-norm pieces): one read, no squared copy.
function sumSquares({ inputs: { x }, backend }: NativeArgs): tf.TensorInfo {
  const xv = f32(backend, x);
  if (backend.simdReady(xv)) {
    return backend.makeTensorInfo(
      [],
      "float32",
      Float32Array.of(backend.simd!.sum_squares(xv.byteOffset, xv.length)),
    );
  }
  let sum = 0;
  for (let i = 0; i < xv.length; i++) sum += xv[i] * xv[i];
  return backend.makeTensorInfo([], "float32", Float32Array.of(sum));
}

// Inverted dropout in one pass with Philox masks (`philox.ts`): the SIMD kernel (split over the threads)
// where the arrays are in the arena, else the JavaScript generator; both give the same mask bit for bit.
function dropout({ inputs: { x }, backend, attrs }: NativeArgs): tf.TensorInfo[] {
  const xv = f32(backend, x), rate = attrs.rate as number, seed = attrs.seed as number;
  const out = backend.pool.take(xv.length), mask = backend.pool.take(xv.length);
  if (backend.simdReady(xv, out, mask)) {
    const [k0, k1] = dropoutKey(seed);
    backend.simd!.dropout(
      xv.byteOffset,
      out.byteOffset,
      mask.byteOffset,
      xv.length,
      keepThreshold(rate),
      Math.fround(1 / (1 - rate)),
      k0,
      k1,
      0,
    );
  } else {
    dropoutMask(mask, rate, seed);
    for (let i = 0; i < xv.length; i++) out[i] = xv[i] * mask[i];
  }
  return [
    backend.makeTensorInfo(x.shape, "float32", out),
    backend.makeTensorInfo(x.shape, "float32", mask),
  ];
}

/** The fused kernels. */
export const FUSED_KERNELS: tf.KernelConfig[] = [
  nativeKernel(GELU, gelu),
  nativeKernel(GELU_GRAD, geluGrad),
  nativeKernel(LAYER_NORM, layerNorm),
  nativeKernel(LAYER_NORM_GRAD, layerNormGrad),
  nativeKernel(ADAMW, adamw),
  nativeKernel(LOG_SOFTMAX, logSoftmax),
  nativeKernel(LOG_SOFTMAX_GRAD, logSoftmaxGrad),
  nativeKernel(SUM_SQUARES, sumSquares),
  nativeKernel(DROPOUT, dropout),
];
