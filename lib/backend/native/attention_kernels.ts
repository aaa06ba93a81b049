/**
 * Multi-head attention's core as two native kernels: softmax(scale·QKᵀ + bias)·V forward, and its
 * gradients with respect to Q, K and V.
 *
 * Q (B·Tq, C), K and V (B·Tk, C) stay in the projections' layout: head h of sequence b is the column block
 * [h·D, (h+1)·D) of rows [b·T, (b+1)·T), which BLAS addresses with a leading dimension of C. So there is no
 * head split or merge (4 transposes forward and 4 backward per layer in the composite version), and the
 * scale, bias, softmax, dropout and the softmax gradient are each one pass inside the per-head loop. The
 * probabilities (B, H, Tq, Tk) are the second output, which the backward pass reads.
 *
 * Inputs: `q`, `k`, `v`; optional `bias` of shape (1 or B, 1, 1 or Tq, Tk) added to the scores (padding and
 * causal masks); optional `mask` (B, H, Tq, Tk), multiplied into the probabilities after the softmax
 * (inverted dropout). Attributes: `batchSize`, `numHeads`, `scale`.
 *
 * @module
 */
import type { tf } from "../tf.ts";
import { float32Values, type NativeArgs, nativeKernel } from "./native_backend.ts";
import { softmaxRow } from "./fast_exp.ts";

import { ATTENTION, ATTENTION_GRAD } from "./names.ts";

function f32(backend: NativeArgs["backend"], t: tf.TensorInfo | undefined): Float32Array | null {
  return t === undefined ? null : float32Values(backend, t, "attention");
}

/** Sizes shared by both kernels, checked against the inputs. */
function sizes(q: tf.TensorInfo, k: tf.TensorInfo, attrs: Record<string, unknown>) {
  const b = attrs.batchSize as number, h = attrs.numHeads as number, scale = attrs.scale as number;
  const c = q.shape[1], tq = q.shape[0] / b, tk = k.shape[0] / b, d = c / h;
  if (!(Number.isInteger(tq) && Number.isInteger(tk) && Number.isInteger(d) && k.shape[1] === c)) {
    throw new Error(
      `native attention: q ${q.shape} and k ${k.shape} do not split into ${b} sequences of ${h} heads`,
    );
  }
  return { b, h, scale, c, tq, tk, d };
}

// The probabilities after dropout: dropped = p ⊙ mask[maskOff, maskOff + p.length).
function applyMask(dropped: Float32Array, p: Float32Array, mask: Float32Array, maskOff: number): void {
  for (let i = 0; i < p.length; i++) dropped[i] = p[i] * mask[maskOff + i];
}

function attention({ inputs, backend, attrs }: NativeArgs): tf.TensorInfo[] {
  const { q, k, v, bias, mask } = inputs;
  const { b, h, scale, c, tq, tk, d } = sizes(q, k, attrs);
  const qv = f32(backend, q)!, kv = f32(backend, k)!, vv = f32(backend, v)!;
  const bv = f32(backend, bias), mv = f32(backend, mask);
  const biasBatch = bias ? bias.shape[0] : 0, biasRows = bias ? bias.shape[2] : 0;
  const probs = backend.pool.take(b * h * tq * tk), ctx = backend.pool.take(b * tq * c);
  const dropped = mv ? new Float32Array(tq * tk) : null;
  const blas = backend.blas;
  // The SIMD softmax needs rows of a multiple of 4 in the arena (the bias too, when there is one).
  const simd = tk % 4 === 0 && backend.simdReady(probs, ...(bv ? [bv] : [])) ? backend.simd! : undefined;
  for (let bi = 0; bi < b; bi++) {
    for (let hi = 0; hi < h; hi++) {
      const pOff = (bi * h + hi) * tq * tk, p = probs.subarray(pOff, pOff + tq * tk);
      const qOff = bi * tq * c + hi * d, kOff = bi * tk * c + hi * d;
      blas.sgemm(false, true, tq, tk, d, scale, qv.subarray(qOff), kv.subarray(kOff), 0, p, c, c, tk);
      if (simd) {
        const bias = bv ? bv.byteOffset + (biasBatch === 1 ? 0 : bi) * biasRows * tk * 4 : 0;
        simd.softmax_rows(p.byteOffset, bias, biasRows === 1 ? 0 : tk * 4, tq, tk);
      } else {
        for (let i = 0; i < tq; i++) {
          const row = i * tk;
          if (bv) {
            const bRow = ((biasBatch === 1 ? 0 : bi) * biasRows + (biasRows === 1 ? 0 : i)) * tk;
            for (let j = 0; j < tk; j++) p[row + j] += bv[bRow + j];
          }
          softmaxRow(p, p, row, tk);
        }
      }
      if (dropped) applyMask(dropped, p, mv!, pOff);
      blas.sgemm(
        false,
        false,
        tq,
        d,
        tk,
        1,
        dropped ?? p,
        vv.subarray(kOff),
        0,
        ctx.subarray(qOff),
        tk,
        c,
        c,
      );
    }
  }
  return [
    backend.makeTensorInfo([b * tq, c], "float32", ctx),
    backend.makeTensorInfo([b, h, tq, tk], "float32", probs),
  ];
}

function attentionGrad({ inputs, backend, attrs }: NativeArgs): tf.TensorInfo[] {
  const { dy, q, k, v, probs, mask } = inputs;
  const { b, h, scale, c, tq, tk, d } = sizes(q, k, attrs);
  const dyv = f32(backend, dy)!, qv = f32(backend, q)!, kv = f32(backend, k)!, vv = f32(backend, v)!;
  const pv = f32(backend, probs)!, mv = f32(backend, mask);
  // Every element of the outputs is written: each (sequence, head) block covers its rows' D columns.
  const dq = backend.pool.take(b * tq * c),
    dk = backend.pool.take(b * tk * c),
    dv = backend.pool.take(b * tk * c);
  const dp = backend.pool.take(tq * tk), dropped = mv ? new Float32Array(tq * tk) : null;
  const blas = backend.blas;
  const simd = tk % 4 === 0 && backend.simdReady(dp, pv) ? backend.simd! : undefined;
  for (let bi = 0; bi < b; bi++) {
    for (let hi = 0; hi < h; hi++) {
      const pOff = (bi * h + hi) * tq * tk, p = pv.subarray(pOff, pOff + tq * tk);
      const qOff = bi * tq * c + hi * d, kOff = bi * tk * c + hi * d;
      const dyBlock = dyv.subarray(qOff);
      if (dropped) applyMask(dropped, p, mv!, pOff);
      // dV = P̃ᵀ·dY and dP̃ = dY·Vᵀ, with P̃ the probabilities after dropout.
      blas.sgemm(true, false, tk, d, tq, 1, dropped ?? p, dyBlock, 0, dv.subarray(kOff), tk, c, c);
      blas.sgemm(false, true, tq, tk, d, 1, dyBlock, vv.subarray(kOff), 0, dp, c, c, tk);
      // Softmax gradient, in place: dS = P ⊙ (dP − Σⱼ dP·P) with dP = dP̃ ⊙ mask.
      if (mv) { for (let i = 0; i < tq * tk; i++) dp[i] *= mv[pOff + i]; }
      if (simd) simd.softmax_grad_rows(dp.byteOffset, p.byteOffset, tq, tk);
      else {
        for (let i = 0; i < tq; i++) {
          const row = i * tk;
          let dot = 0;
          for (let j = 0; j < tk; j++) dot += dp[row + j] * p[row + j];
          for (let j = 0; j < tk; j++) dp[row + j] = p[row + j] * (dp[row + j] - dot);
        }
      }
      // S = scale·QKᵀ, so dQ = scale·dS·K and dK = scale·dSᵀ·Q.
      blas.sgemm(false, false, tq, d, tk, scale, dp, kv.subarray(kOff), 0, dq.subarray(qOff), tk, c, c);
      blas.sgemm(true, false, tk, d, tq, scale, dp, qv.subarray(qOff), 0, dk.subarray(kOff), tk, c, c);
    }
  }
  backend.pool.giveBack(dp);
  return [
    backend.makeTensorInfo(q.shape, "float32", dq),
    backend.makeTensorInfo(k.shape, "float32", dk),
    backend.makeTensorInfo(v.shape, "float32", dv),
  ];
}

/** The attention kernels. */
export const ATTENTION_KERNELS: tf.KernelConfig[] = [
  nativeKernel(ATTENTION, attention),
  nativeKernel(ATTENTION_GRAD, attentionGrad),
];
