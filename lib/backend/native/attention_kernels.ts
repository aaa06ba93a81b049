/**
 * Multi-head attention's core as two native kernels: softmax(scale·QKᵀ + bias)·V forward, and its
 * gradients with respect to Q, K and V.
 *
 * Q (B·Tq, C), K and V (B·Tk, C) stay in the projections' layout: head h of sequence b is the column block
 * [h·D, (h+1)·D) of rows [b·T, (b+1)·T), which BLAS addresses with a leading dimension of C. So there is no
 * head split or merge (4 transposes forward and 4 backward per layer in the composite version), and the
 * scale, bias, softmax, dropout and the softmax gradient are each one pass inside the per-head loop: the
 * SIMD kernels of `simd/wat.ts` (`softmax_rows`, `mul`, `softmax_grad_rows`), between BLAS products. The
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

function attention({ inputs, backend, attrs }: NativeArgs): tf.TensorInfo[] {
  const { q, k, v, bias, mask } = inputs;
  const { b, h, scale, c, tq, tk, d } = sizes(q, k, attrs);
  const qv = f32(backend, q)!, kv = f32(backend, k)!, vv = f32(backend, v)!;
  const bv = f32(backend, bias), mv = f32(backend, mask);
  const biasBatch = bias ? bias.shape[0] : 0, biasRows = bias ? bias.shape[2] : 0;
  const probs = backend.pool.take(b * h * tq * tk), ctx = backend.pool.take(b * tq * c);
  const { blas, simd } = backend;
  backend.inArena((at) => {
    // The softmax runs in place on BLAS's output, so both address the same arena array.
    const pa = at.view(probs), pBias = bv ? at.read(bv) : 0, pMask = mv ? at.read(mv) : 0;
    const dropped = mv ? at.scratch(tq * tk) : null;
    for (let bi = 0; bi < b; bi++) {
      for (let hi = 0; hi < h; hi++) {
        const pOff = (bi * h + hi) * tq * tk, p = pa.subarray(pOff, pOff + tq * tk);
        const qOff = bi * tq * c + hi * d, kOff = bi * tk * c + hi * d;
        blas.sgemm(false, true, tq, tk, d, scale, qv.subarray(qOff), kv.subarray(kOff), 0, p, c, c, tk);
        // The bias row of each query row; no bias is pointer 0 with stride 0 (the kernel moves the pointer on).
        const biasAt = bv ? pBias + (biasBatch === 1 ? 0 : bi) * biasRows * tk * 4 : 0;
        simd.softmax_rows(p.byteOffset, biasAt, bv && biasRows !== 1 ? tk * 4 : 0, tq, tk);
        // The probabilities after dropout: P̃ = P ⊙ mask.
        if (dropped) simd.mul(p.byteOffset, pMask + pOff * 4, dropped.byteOffset, tq * tk);
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
  });
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
  const { blas, simd } = backend;
  backend.inArena((at) => {
    const pp = at.read(pv), pMask = mv ? at.read(mv) : 0;
    const dp = at.scratch(tq * tk), dropped = mv ? at.scratch(tq * tk) : null;
    for (let bi = 0; bi < b; bi++) {
      for (let hi = 0; hi < h; hi++) {
        const pOff = (bi * h + hi) * tq * tk, p = pv.subarray(pOff, pOff + tq * tk);
        const qOff = bi * tq * c + hi * d, kOff = bi * tk * c + hi * d;
        const dyBlock = dyv.subarray(qOff);
        if (dropped) simd.mul(pp + pOff * 4, pMask + pOff * 4, dropped.byteOffset, tq * tk);
        // dV = P̃ᵀ·dY and dP̃ = dY·Vᵀ, with P̃ the probabilities after dropout.
        blas.sgemm(true, false, tk, d, tq, 1, dropped ?? p, dyBlock, 0, dv.subarray(kOff), tk, c, c);
        blas.sgemm(false, true, tq, tk, d, 1, dyBlock, vv.subarray(kOff), 0, dp, c, c, tk);
        // Softmax gradient, in place: dS = P ⊙ (dP − Σⱼ dP·P) with dP = dP̃ ⊙ mask.
        if (mv) simd.mul(dp.byteOffset, pMask + pOff * 4, dp.byteOffset, tq * tk);
        simd.softmax_grad_rows(dp.byteOffset, pp + pOff * 4, tq, tk);
        // S = scale·QKᵀ, so dQ = scale·dS·K and dK = scale·dSᵀ·Q.
        blas.sgemm(false, false, tq, d, tk, scale, dp, kv.subarray(kOff), 0, dq.subarray(qOff), tk, c, c);
        blas.sgemm(true, false, tk, d, tq, scale, dp, qv.subarray(qOff), 0, dk.subarray(kOff), tk, c, c);
      }
    }
  });
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
