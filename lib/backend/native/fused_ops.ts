/**
 * Fused ops for a Transformer step — exact GELU, LayerNorm over the last axis, the AdamW update — that run
 * as single native kernels on the `native` backend and as the equivalent composite tfjs ops elsewhere.
 *
 * The model calls these instead of composing `tf.mul`/`tf.erf`/`tf.mean`…: on `native` each saves 10–30
 * passes over the activations per layer (see `fused_kernels.ts`); on every other backend the result is the
 * same composite math as before, so numbers agree across backends within float32 rounding.
 *
 * @module
 */
import { tf } from "../tf.ts";
import type { Scalar, Tensor, Tensor1D, Tensor2D } from "../tf.ts";
import {
  ADAMW,
  DROPOUT,
  GELU,
  GELU_GRAD,
  LAYER_NORM,
  LAYER_NORM_GRAD,
  LOG_SOFTMAX,
  LOG_SOFTMAX_GRAD,
  onNative,
  SUM_SQUARES,
} from "./names.ts";
import { dropoutMask } from "./philox.ts";

let gradientsRegistered = false;

/** Registers the gradients of the fused kernels (once; harmless on backends without them). */
export function registerFusedGradients(): void {
  if (gradientsRegistered) return;
  gradientsRegistered = true;
  tf.registerGradient({
    kernelName: GELU,
    inputsToSave: ["x"],
    gradFunc: (dy, saved) => ({
      x: () => tf.engine().runKernel(GELU_GRAD, { dy: dy as Tensor, x: saved[0] }, {}) as Tensor,
    }),
  });
  tf.registerGradient({
    kernelName: LOG_SOFTMAX,
    outputsToSave: [true],
    gradFunc: (dy, saved) => ({
      x: () => tf.engine().runKernel(LOG_SOFTMAX_GRAD, { dy: dy as Tensor, y: saved[0] }, {}) as Tensor,
    }),
  });
  tf.registerGradient({
    kernelName: LAYER_NORM,
    inputsToSave: ["x", "gamma"],
    gradFunc: (dy, saved, attrs) => {
      // One kernel computes all three gradients, eagerly: the engine's outer tidy disposes any that no
      // input asks for.
      const [dx, dgamma, dbeta] = tf.engine().runKernel(
        LAYER_NORM_GRAD,
        { dy: dy as Tensor, x: saved[0], gamma: saved[1] },
        attrs as unknown as tf.NamedAttrMap,
      ) as Tensor[];
      return { x: () => dx, gamma: () => dgamma, beta: () => dbeta };
    },
  });
}

/**
 * Exact GELU `x·Φ(x) = ½x(1 + erf(x/√2))` (PyTorch's default), one kernel forward and backward on
 * `native`. The caller owns the result.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { tf } from "../tf.ts";
 * import { gelu } from "./fused_ops.ts";
 * const y = gelu(tf.tensor1d([1]));
 * assert(Math.abs((await y.data())[0] - 0.8413447) < 1e-5);
 * ```
 */
export function gelu<T extends Tensor>(x: T): T {
  if (x.dtype === "float32" && onNative()) {
    registerFusedGradients();
    return tf.engine().runKernel(GELU, { x }, {}) as T;
  }
  return tf.tidy(() => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2))))) as T;
}

/**
 * Inverted dropout with Philox4x32-10 masks (`philox.ts`): a seed gives the same mask on every backend. On
 * `native` one kernel makes the mask and the product in one pass (split over its threads), and the gradient
 * multiplies by the saved mask; elsewhere the mask is made in JavaScript and multiplied in (`tf.mul`, whose
 * gradient is the same product). Kept elements are scaled by float32(1 / (1 − rate)).
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { tf } from "../tf.ts";
 * import { dropout } from "./fused_ops.ts";
 * const y = dropout(tf.ones([1000]), 0.25, 7);
 * const kept = (await y.data()).filter((v) => v !== 0);
 * assert(kept.every((v) => Math.abs(v - 4 / 3) < 1e-6) && Math.abs(kept.length - 750) < 60);
 * ```
 */
export function dropout<T extends Tensor>(x: T, rate: number, seed: number): T {
  if (rate === 0) return tf.clone(x);
  if (!(x.dtype === "float32" && rate > 0 && rate < 1 && onNative())) {
    return tf.tidy(() =>
      tf.mul(x, tf.tensor(dropoutMask(new Float32Array(x.size), rate, seed), x.shape))
    ) as T;
  }
  const run = tf.customGrad(
    ((xi: Tensor, save: tf.GradSaveFunc) => {
      const [y, mask] = tf.engine().runKernel(DROPOUT, { x: xi }, { rate, seed }) as Tensor[];
      save([mask]);
      mask.dispose(); // the saved copy lives until the backward pass
      return { value: y, gradFunc: (dy: Tensor, saved: Tensor[]) => tf.mul(dy, saved[0]) };
    }) as unknown as Parameters<typeof tf.customGrad>[0],
  );
  return run(x) as T;
}

/**
 * A linear layer, `x · weightᵀ + bias` with `weight` in PyTorch's (out, in) layout. On `native` it is one
 * `_FusedMatMul` whose bias is written into the output before BLAS accumulates onto it; elsewhere a matMul
 * and an add (tfjs-wasm 4.22's `_FusedMatMul` mis-broadcasts a bias with `transposeB`).
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { tf } from "../tf.ts";
 * import { affine } from "./fused_ops.ts";
 * const y = affine(tf.tensor2d([[3, 4]]), tf.tensor2d([[1, 2], [0, 1]]), tf.tensor1d([1, -1]));
 * assert((await y.data()).join() === "12,3");
 * ```
 */
export function affine(x: Tensor2D, weight: Tensor2D, bias: Tensor1D): Tensor2D {
  if (onNative()) {
    return tf.fused.matMul({ a: x, b: weight, transposeB: true, bias }) as Tensor2D;
  }
  return tf.tidy(() => tf.add(tf.matMul(x, weight, false, true), bias) as Tensor2D);
}

/**
 * log-softmax over the last axis, `x − log Σ exp(x)` per row: one kernel forward and one backward on
 * `native` (tfjs composes it from 6 ops forward and 4 backward), `tf.logSoftmax` elsewhere.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { tf } from "../tf.ts";
 * import { logSoftmax } from "./fused_ops.ts";
 * const y = logSoftmax(tf.tensor2d([[0, 0]]));
 * assert(Math.abs((await y.data())[0] - Math.log(0.5)) < 1e-6);
 * ```
 */
export function logSoftmax<T extends Tensor>(x: T): T {
  if (x.dtype === "float32" && x.rank >= 1 && onNative()) {
    registerFusedGradients();
    return tf.engine().runKernel(LOG_SOFTMAX, { x }, {}) as T;
  }
  return tf.logSoftmax(x) as T;
}

/**
 * Σ x² over all elements as a scalar (no gradient): one pass on `native`, `sum(square(x))` elsewhere. The
 * global gradient norm for clipping is the square root of these summed over the parameters.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { tf } from "../tf.ts";
 * import { sumSquares } from "./fused_ops.ts";
 * assert((await sumSquares(tf.tensor1d([3, 4])).data())[0] === 25);
 * ```
 */
export function sumSquares(x: Tensor): Scalar {
  if (x.dtype === "float32" && onNative()) {
    return tf.engine().runKernel(SUM_SQUARES, { x }, {}) as Scalar;
  }
  return tf.tidy(() => tf.sum(tf.square(x)));
}

/**
 * LayerNorm over the last axis, `(x − mean)/√(var + eps)·gamma + beta` with the biased variance (as
 * PyTorch); one kernel forward and one backward on `native`. The caller owns the result.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { tf } from "../tf.ts";
 * import { layerNorm } from "./fused_ops.ts";
 * const y = layerNorm(tf.tensor2d([[1, 3]]), tf.ones([2]), tf.zeros([2]), 0);
 * assert(Math.abs((await y.data())[1] - 1) < 1e-6);
 * ```
 */
export function layerNorm<T extends Tensor>(x: T, gamma: Tensor, beta: Tensor, eps: number): T {
  const c = x.shape[x.rank - 1];
  if (gamma.size !== c || beta.size !== c) {
    throw new Error(
      `layerNorm: gamma and beta must have ${c} entries (the last axis of x), got ${gamma.size}, ${beta.size}`,
    );
  }
  if (x.dtype === "float32" && onNative()) {
    registerFusedGradients();
    return tf.engine().runKernel(LAYER_NORM, { x, gamma, beta }, { eps }) as T;
  }
  return tf.tidy(() => {
    const mean = tf.mean(x, -1, true);
    const centred = tf.sub(x, mean);
    const variance = tf.mean(tf.square(centred), -1, true);
    return tf.add(tf.mul(tf.mul(centred, tf.rsqrt(tf.add(variance, eps))), gamma), beta);
  }) as T;
}

/** Hyper-parameters of one AdamW update; `c1`, `c2` are the bias corrections 1 − β₁ᵗ and 1 − β₂ᵗ. */
export interface AdamWStep {
  /** Learning rate for this update. */
  lr: number;
  /** Decay of the first moment, β₁. */
  beta1: number;
  /** Decay of the second moment, β₂. */
  beta2: number;
  /** Added to √v̂ in the denominator, ε. */
  epsilon: number;
  /** Decoupled weight decay λ for this parameter (0 for biases and LayerNorms). */
  weightDecay: number;
  /** Bias correction of the first moment, 1 − β₁ᵗ. */
  c1: number;
  /** Bias correction of the second moment, 1 − β₂ᵗ. */
  c2: number;
}

/**
 * One AdamW update (decoupled decay): returns the new `[param, m, v]`, which the caller owns (typically
 * `assign`s and disposes). m' = β₁m + (1−β₁)g, v' = β₂v + (1−β₂)g², p' = p·(1 − lr·λ) − (lr/c1)·m'/(√v'/√c2 + ε)
 * (PyTorch's operation order).
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { tf } from "../tf.ts";
 * import { adamwStep } from "./fused_ops.ts";
 * const [p, m, v] = adamwStep(tf.ones([1]), tf.ones([1]), tf.zeros([1]), tf.zeros([1]),
 *   { lr: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 0, weightDecay: 0, c1: 0.1, c2: 0.001 });
 * assert(Math.abs((await p.data())[0] - 0.9) < 1e-6);
 * ```
 */
export function adamwStep(
  param: Tensor,
  grad: Tensor,
  m: Tensor,
  v: Tensor,
  step: AdamWStep,
): [Tensor, Tensor, Tensor] {
  if (param.dtype === "float32" && grad.dtype === "float32" && onNative()) {
    return tf.engine().runKernel(ADAMW, { param, grad, m, v }, { ...step }) as [
      Tensor,
      Tensor,
      Tensor,
    ];
  }
  const { lr, beta1, beta2, epsilon, weightDecay, c1, c2 } = step;
  return tf.tidy(() => {
    const m2 = tf.add(tf.mul(m, beta1), tf.mul(grad, 1 - beta1));
    const v2 = tf.add(tf.mul(v, beta2), tf.mul(tf.square(grad), 1 - beta2));
    const denom = tf.add(tf.mul(tf.sqrt(v2), 1 / Math.sqrt(c2)), epsilon);
    const decayed = weightDecay > 0 ? tf.mul(param, 1 - lr * weightDecay) : param;
    const p2 = tf.sub(decayed, tf.mul(tf.div(m2, denom), lr / c1));
    return [p2, m2, v2] as [Tensor, Tensor, Tensor];
  });
}
