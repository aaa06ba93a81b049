/**
 * One optimisation step: forward, backward, global-norm clipping, AdamW update, all inside one `tf.tidy`.
 *
 * Nothing is read back from the device: the loss and gradient norm come back as scalars for the caller to
 * read asynchronously (or accumulate) and dispose.
 *
 * @module
 */
import { checkKeys } from "../util/options.ts";
import { tf } from "../backend/tf.ts";
import { sumSquares } from "../backend/native/mod.ts";
import type { Scalar, Tensor } from "../backend/tf.ts";
import type { Params } from "../model/params.ts";
import { type AdamW, adamwUpdate } from "./adamw.ts";

/** Options of `trainStep`. */
export interface TrainStepOptions {
  /** Learning rate for this step (from a schedule). */
  lr: number;
  /** Clip the global L2 norm of the gradient to this value; 0 or undefined disables clipping. */
  maxGradNorm?: number;
  /**
   * `trainStep` only: also return the squared gradient norms the gradient noise scale is estimated from
   * (McCandlish et al. 2018, App. A): `gradSqSmall`, the mean over micro-batches of |g_i|², and
   * `gradSqBig`, |mean g_i|² (both before clipping). Costs one squared norm per micro-batch. Default false.
   */
  noiseScale?: boolean;
}

/** What one step returns; the caller disposes both scalars. */
export interface StepResult {
  /** Mean of the micro-batch losses (before the update). */
  loss: Scalar;
  /** Global L2 norm of the averaged gradient, before clipping. */
  gradNorm: Scalar;
  /** With `noiseScale`: mean over the micro-batches of their gradient's squared L2 norm, |G_small|². */
  gradSqSmall?: Scalar;
  /** With `noiseScale`: squared L2 norm of the averaged gradient, |G_big|² (= gradNorm²). */
  gradSqBig?: Scalar;
}

/**
 * Runs one step. `loss` builds the scalar training loss from the current parameters; pass an array of such
 * functions to accumulate gradients over micro-batches (their gradients are averaged, as one batch of
 * their union would be when each returns a mean over equally many items).
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { tf } from "../backend/tf.ts";
 * import { createAdamW, disposeAdamW } from "./adamw.ts";
 * import { trainStep } from "./train_step.ts";
 * const params = { w: tf.variable(tf.tensor1d([3])) };
 * const opt = createAdamW(params, { weightDecay: 0 });
 * const { loss, gradNorm } = trainStep(params, opt, () => tf.sum(tf.square(params.w)), { lr: 0.5 });
 * assert((await loss.data())[0] === 9 && (await gradNorm.data())[0] === 6);
 * assert(Math.abs((await params.w.data())[0] - 2.5) < 1e-5);
 * tf.dispose([loss, gradNorm]);
 * disposeAdamW(opt);
 * params.w.dispose();
 * ```
 */
export function trainStep(
  params: Params,
  optimizer: AdamW,
  loss: (() => Scalar) | Array<() => Scalar>,
  options: TrainStepOptions,
): StepResult {
  checkKeys("trainStep", options, ["lr", "maxGradNorm", "noiseScale"]);
  const losses = Array.isArray(loss) ? loss : [loss];
  if (losses.length === 0) throw new Error("trainStep: no loss functions given");
  checkLr(options.lr);
  return tf.tidy((): StepResult & Record<string, Scalar | undefined> => {
    if (!options.noiseScale) {
      const { loss, grads } = stepGradients(params, losses);
      return { loss, gradNorm: applyGradients(params, optimizer, grads, options) };
    }
    // One micro-batch at a time, so each gradient's squared norm is read before they are averaged.
    const parts = losses.map((f) => stepGradients(params, [f]));
    const k = parts.length;
    const mean = (xs: Tensor[]) => tf.div(xs.reduce((a, b) => tf.add(a, b)), k) as Scalar;
    const squared = (g: Record<string, Tensor>) =>
      Object.values(g).map((t) => sumSquares(t)).reduce((a, b) => tf.add(a, b), tf.scalar(0));
    const grads: Record<string, Tensor> = {};
    for (const name of new Set(parts.flatMap((p) => Object.keys(p.grads)))) {
      grads[name] = mean(parts.flatMap((p) => (name in p.grads ? [p.grads[name]] : [])));
    }
    const gradNorm = applyGradients(params, optimizer, grads, options);
    return {
      loss: mean(parts.map((p) => p.loss)),
      gradNorm,
      gradSqSmall: mean(parts.map((p) => squared(p.grads))),
      gradSqBig: tf.square(gradNorm) as Scalar,
    };
  });
}

function checkLr(lr: number): void {
  if (!(lr >= 0 && Number.isFinite(lr))) {
    throw new Error(`trainStep: lr must be a finite number ≥ 0, got ${lr}`);
  }
}

/** A step's loss and gradients before the update (the caller disposes them, or runs inside a tidy). */
export interface StepGradients {
  /** The (weighted) mean of the losses. */
  loss: Scalar;
  /** Gradients keyed like the parameters; parameters the losses do not depend on are absent. */
  grads: Record<string, Tensor>;
}

/**
 * The first half of `trainStep`: loss and gradients, averaged over `losses`, or weighted by `weights`
 * (one per loss) when given — data-parallel ranks weight each micro-batch by its share of the predictions.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { tf } from "../backend/tf.ts";
 * import { stepGradients } from "./train_step.ts";
 * const params = { w: tf.variable(tf.scalar(3)) };
 * const { loss, grads } = stepGradients(params, [() => tf.square(params.w)], [0.5]);
 * assert((await loss.data())[0] === 4.5 && (await grads.w.data())[0] === 3);
 * tf.dispose([loss, grads.w, params.w]);
 * ```
 */
export function stepGradients(
  params: Params,
  losses: Array<() => Scalar>,
  weights?: readonly number[],
): StepGradients {
  if (weights && weights.length !== losses.length) {
    throw new Error(`stepGradients: ${weights.length} weights for ${losses.length} loss functions`);
  }
  const names = Object.keys(params);
  const vars = names.map((n) => params[n]);
  return tf.tidy(() => {
    let total: Scalar | null = null;
    const sums: Record<string, Tensor> = {};
    losses.forEach((f, j) => {
      let { value, grads } = tf.variableGrads(f, vars);
      if (weights) [value, grads] = [tf.mul(value, weights[j]), tf.tidy(() => scaleAll(grads, weights[j]))];
      total = total === null ? value : tf.add(total, value);
      names.forEach((name, i) => {
        const g = grads[vars[i].name];
        if (g !== undefined) sums[name] = name in sums ? tf.add(sums[name], g) : g;
      });
    });
    const k = losses.length;
    const grads: Record<string, Tensor> = {};
    for (const [name, g] of Object.entries(sums)) grads[name] = k === 1 || weights ? g : tf.div(g, k);
    const loss = total === null ? tf.scalar(0) : weights || k === 1 ? total : tf.div(total, k);
    return { loss: loss as Scalar, grads };
  });
}

function scaleAll(grads: Record<string, Tensor>, w: number): Record<string, Tensor> {
  return Object.fromEntries(Object.entries(grads).map(([n, g]) => [n, tf.mul(g, w)]));
}

/**
 * The second half of `trainStep`: global-norm clipping and the AdamW update. Returns the gradient norm
 * before clipping (the caller disposes it, or runs inside a tidy).
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { tf } from "../backend/tf.ts";
 * import { createAdamW, disposeAdamW } from "./adamw.ts";
 * import { applyGradients } from "./train_step.ts";
 * const params = { w: tf.variable(tf.tensor1d([3])) };
 * const opt = createAdamW(params, { weightDecay: 0 });
 * const norm = tf.tidy(() => applyGradients(params, opt, { w: tf.tensor1d([-4]) }, { lr: 0.5 }));
 * assert((await norm.data())[0] === 4 && Math.abs((await params.w.data())[0] - 3.5) < 1e-5);
 * tf.dispose([norm, params.w]);
 * disposeAdamW(opt);
 * ```
 */
export function applyGradients(
  params: Params,
  optimizer: AdamW,
  grads: Record<string, Tensor>,
  options: TrainStepOptions,
): Scalar {
  checkLr(options.lr);
  return tf.tidy(() => {
    const clipped = { ...grads };
    // A chain of adds, not tf.addN: tfjs-webgpu 4.22's AddN returns wrong sums for more than 4 inputs.
    const squares = Object.values(clipped).map((g) => sumSquares(g));
    const gradNorm = tf.sqrt(squares.reduce((a, b) => tf.add(a, b))) as Scalar;
    if (options.maxGradNorm && options.maxGradNorm > 0) {
      // torch.nn.utils.clip_grad_norm_: scale by min(1, max / (norm + 1e-6)).
      const scale = tf.minimum(1, tf.div(options.maxGradNorm, tf.add(gradNorm, 1e-6)));
      for (const name of Object.keys(clipped)) clipped[name] = tf.mul(clipped[name], scale);
    }
    adamwUpdate(params, optimizer, clipped, options.lr);
    return gradNorm;
  });
}
