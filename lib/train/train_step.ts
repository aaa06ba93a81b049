/**
 * One optimisation step: forward, backward, global-norm clipping, AdamW update, all inside one `tf.tidy`.
 *
 * Nothing is read back from the device: the loss and gradient norm come back as scalars for the caller to
 * read asynchronously (or accumulate) and dispose.
 *
 * @module
 */
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
   * Also return the squared gradient norms the gradient noise scale is estimated from (McCandlish et al.
   * 2018, App. A): `gradSqSmall`, the mean over micro-batches of |g_i|², and `gradSqBig`, |mean g_i|² (both
   * before clipping). Costs one squared norm per micro-batch. Default false.
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
 * their union would be when each returns a mean over equally many items). The caller disposes every scalar
 * of the result.
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
  const losses = Array.isArray(loss) ? loss : [loss];
  if (losses.length === 0) throw new Error("trainStep: no loss functions given");
  if (!(options.lr >= 0 && Number.isFinite(options.lr))) {
    throw new Error(`trainStep: lr must be a finite number ≥ 0, got ${options.lr}`);
  }
  const names = Object.keys(params);
  const vars = names.map((n) => params[n]);
  return tf.tidy((): StepResult & Record<string, Scalar | undefined> => {
    let total: Scalar | null = null, smallSq: Scalar | null = null;
    const sums: Record<string, Tensor> = {};
    for (const f of losses) {
      const { value, grads } = tf.variableGrads(f, vars);
      total = total === null ? value : tf.add(total, value);
      if (options.noiseScale) {
        const sq = Object.values(grads).map((g) => sumSquares(g)).reduce((a, b) => tf.add(a, b)) as Scalar;
        smallSq = smallSq === null ? sq : tf.add(smallSq, sq);
      }
      names.forEach((name, i) => {
        const g = grads[vars[i].name];
        if (g !== undefined) sums[name] = name in sums ? tf.add(sums[name], g) : g;
      });
    }
    const k = losses.length;
    const grads: Record<string, Tensor> = {};
    for (const [name, g] of Object.entries(sums)) grads[name] = k === 1 ? g : tf.div(g, k);
    // A chain of adds, not tf.addN: tfjs-webgpu 4.22's AddN returns wrong sums for more than 4 inputs.
    const squares = Object.values(grads).map((g) => sumSquares(g));
    const bigSq = squares.reduce((a, b) => tf.add(a, b)) as Scalar;
    const gradNorm = tf.sqrt(bigSq) as Scalar;
    if (options.maxGradNorm && options.maxGradNorm > 0) {
      // torch.nn.utils.clip_grad_norm_: scale by min(1, max / (norm + 1e-6)).
      const scale = tf.minimum(1, tf.div(options.maxGradNorm, tf.add(gradNorm, 1e-6)));
      for (const name of Object.keys(grads)) grads[name] = tf.mul(grads[name], scale);
    }
    adamwUpdate(params, optimizer, grads, options.lr);
    const loss = tf.div(total!, k) as Scalar;
    if (!options.noiseScale) return { loss, gradNorm };
    return { loss, gradNorm, gradSqSmall: tf.div(smallSq!, k) as Scalar, gradSqBig: bigSq };
  });
}
