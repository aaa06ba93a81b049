/**
 * Fused Transformer kernels for the native backend: exact GELU and LayerNorm over the last axis, each
 * forward and backward in one pass over the data, log-softmax, the AdamW update of one parameter, the sum
 * of squares and dropout.
 *
 * A composite tfjs GELU costs ~5 passes forward and ~11 backward over the (B·T, 4C) activations, a
 * composite LayerNorm ~9 and ~20; these do 1 and 1 (LayerNorm backward: 2 per row). Shapes: x is
 * (N, C) viewed as rows of the last axis. Each kernel here only places its arrays in the arena and calls
 * the WebAssembly SIMD kernel of `simd/wat.ts`, the one native implementation of the op's math (the
 * composite in `fused_ops.ts` is the other, on every other backend).
 *
 * @module
 */
import type { tf } from "../tf.ts";
import { float32Values, type NativeArgs, nativeKernel } from "./native_backend.ts";
import { dropoutKey, keepThreshold } from "./philox.ts";
import { LN_CHUNK } from "./simd/layer_norm_chunks.ts";
import { SPLIT_MIN_ELEMENTS } from "./simd/parallel.ts";
import type { PoolTask } from "./simd/thread_pool.ts";

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

function f32(backend: NativeArgs["backend"], t: tf.TensorInfo): Float32Array {
  return float32Values(backend, t, "fused kernel");
}

function gelu({ inputs: { x }, backend }: NativeArgs): tf.TensorInfo {
  const xv = f32(backend, x), out = backend.pool.take(xv.length);
  backend.inArena((at) => backend.simd.gelu(at.read(xv), at.write(out), xv.length));
  return backend.makeTensorInfo(x.shape, "float32", out);
}

function geluGrad({ inputs: { dy, x }, backend }: NativeArgs): tf.TensorInfo {
  const xv = f32(backend, x), gv = f32(backend, dy), out = backend.pool.take(xv.length);
  backend.inArena((at) => backend.simd.gelu_grad(at.read(gv), at.read(xv), at.write(out), xv.length));
  return backend.makeTensorInfo(x.shape, "float32", out);
}

function layerNorm({ inputs: { x, gamma, beta }, backend, attrs }: NativeArgs): tf.TensorInfo {
  const xv = f32(backend, x), g = f32(backend, gamma), b = f32(backend, beta);
  const c = x.shape[x.shape.length - 1], eps = attrs.eps as number;
  const out = backend.pool.take(xv.length);
  backend.inArena((at) =>
    backend.simd.layer_norm(at.read(xv), at.read(g), at.read(b), at.write(out), xv.length / c, c, eps)
  );
  return backend.makeTensorInfo(x.shape, "float32", out);
}

function layerNormGrad({ inputs: { dy, x, gamma }, backend, attrs }: NativeArgs): tf.TensorInfo[] {
  const xv = f32(backend, x), gv = f32(backend, dy), g = f32(backend, gamma);
  const c = x.shape[x.shape.length - 1], eps = attrs.eps as number, rows = xv.length / c;
  const dx = backend.pool.take(xv.length);
  const dgamma = new Float64Array(c), dbeta = new Float64Array(c);
  const chunks = Math.ceil(rows / LN_CHUNK);
  backend.inArena((at) => {
    const partials = at.scratch(chunks * 2 * c).fill(0);
    const args = [at.read(gv), at.read(xv), at.read(g), at.write(dx), partials.byteOffset, rows, c, eps];
    // Ranges of chunks over the pool's threads where the rows are worth a dispatch.
    const parts = Math.min(backend.threads.ready, chunks, Math.floor(xv.length / SPLIT_MIN_ELEMENTS)) || 1;
    const per = Math.ceil(chunks / parts), tasks: PoolTask[] = [];
    for (let from = 0; from < chunks; from += per) {
      tasks.push({ fn: "layer_norm_grad_chunks", args: [...args, from, Math.min(chunks, from + per)] });
    }
    backend.threads.run(tasks); // one task runs here, on the calling thread
    for (let chunk = 0; chunk < chunks; chunk++) {
      const slot = chunk * 2 * c;
      for (let j = 0; j < c; j++) {
        dgamma[j] += partials[slot + j];
        dbeta[j] += partials[slot + c + j];
      }
    }
  });
  return [
    backend.makeTensorInfo(x.shape, "float32", dx),
    backend.makeTensorInfo(gamma.shape, "float32", Float32Array.from(dgamma)),
    backend.makeTensorInfo(gamma.shape, "float32", Float32Array.from(dbeta)),
  ];
}

function adamw({ inputs: { param, grad, m, v }, backend, attrs }: NativeArgs): tf.TensorInfo[] {
  const pv = f32(backend, param), gv = f32(backend, grad), mv = f32(backend, m), vv = f32(backend, v);
  const { lr, beta1, beta2, epsilon, weightDecay, c1, c2 } = attrs as Record<string, number>;
  const p2 = backend.pool.take(pv.length),
    m2 = backend.pool.take(pv.length),
    v2 = backend.pool.take(pv.length);
  // PyTorch's operation order: p ← p·(1 − lr·λ) − (lr / c1) · m' / (√v' / √c2 + ε).
  const shrink = 1 - lr * weightDecay, stepSize = lr / c1, invSqrtC2 = 1 / Math.sqrt(c2);
  backend.inArena((at) =>
    backend.simd.adamw(
      at.read(pv),
      at.read(gv),
      at.read(mv),
      at.read(vv),
      at.write(p2),
      at.write(m2),
      at.write(v2),
      pv.length,
      beta1,
      beta2,
      shrink,
      stepSize,
      invSqrtC2,
      epsilon,
    )
  );
  return [
    backend.makeTensorInfo(param.shape, "float32", p2),
    backend.makeTensorInfo(param.shape, "float32", m2),
    backend.makeTensorInfo(param.shape, "float32", v2),
  ];
}

// log-softmax over the last axis: x − (max + log Σ exp(x − max)) per row. Max and Σ exp per row in SIMD,
// the shift max + log Σ here (float64), the subtraction in SIMD.
function logSoftmax({ inputs: { x }, backend }: NativeArgs): tf.TensorInfo {
  const xv = f32(backend, x), n = x.shape[x.shape.length - 1], out = backend.pool.take(xv.length);
  const rows = xv.length / n;
  backend.inArena((at) => {
    const px = at.read(xv), stats = at.scratch(2 * rows);
    backend.simd.row_max_sumexp(px, stats.byteOffset, rows, n);
    for (let r = 0; r < rows; r++) stats[r] = stats[2 * r] + Math.log(stats[2 * r + 1]);
    backend.simd.sub_rows(px, stats.byteOffset, at.write(out), rows, n);
  });
  return backend.makeTensorInfo(x.shape, "float32", out);
}

// dx = dy − softmax(x)·Σ dy per row, with softmax(x) = exp(y) from the saved output y.
function logSoftmaxGrad({ inputs: { dy, y }, backend }: NativeArgs): tf.TensorInfo {
  const gv = f32(backend, dy), yv = f32(backend, y), n = y.shape[y.shape.length - 1];
  const out = backend.pool.take(yv.length);
  backend.inArena((at) =>
    backend.simd.log_softmax_grad_rows(at.read(gv), at.read(yv), at.write(out), yv.length / n, n)
  );
  return backend.makeTensorInfo(y.shape, "float32", out);
}

// Σ x² over every element, in float64 (the gradient-norm pieces): one read, no squared copy.
function sumSquares({ inputs: { x }, backend }: NativeArgs): tf.TensorInfo {
  const xv = f32(backend, x);
  const sum = backend.inArena((at) => backend.simd.sum_squares(at.read(xv), xv.length));
  return backend.makeTensorInfo([], "float32", Float32Array.of(sum));
}

// Inverted dropout in one pass with Philox masks (`philox.ts`, whose JavaScript generator gives the same
// mask bit for bit), split over the threads.
function dropout({ inputs: { x }, backend, attrs }: NativeArgs): tf.TensorInfo[] {
  const xv = f32(backend, x), rate = attrs.rate as number, seed = attrs.seed as number;
  const out = backend.pool.take(xv.length), mask = backend.pool.take(xv.length);
  const [k0, k1] = dropoutKey(seed);
  backend.inArena((at) =>
    backend.simd.dropout(
      at.read(xv),
      at.write(out),
      at.write(mask),
      xv.length,
      keepThreshold(rate),
      Math.fround(1 / (1 - rate)),
      k0,
      k1,
      0,
    )
  );
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
