/**
 * Iterative prune-and-finetune (Zhu & Gupta 2017): magnitude masks grow along the cubic schedule while
 * training continues, and are re-applied after every optimizer update so pruned weights stay exactly 0.
 *
 * The optimizer update is injected (`update(step)`), so this file does not depend on the training loop: it
 * only needs the same `tf.Variable`s the optimizer updates.
 *
 * @module
 */
import { checkKeys, checkNumber, OptionError } from "../util/options.ts";
import { tf, type Variable } from "../backend/tf.ts";
import { applyMasks, magnitudeMasks } from "./magnitude_prune.ts";
import { type CubicSchedule, cubicSparsity, isPruneStep } from "./schedule.ts";
import { SELECT_KEYS, type SelectOptions, type TensorRecord } from "./select.ts";

/** One pruning event, reported through `onPrune` (flat, JSON-safe). */
export interface PruneEvent {
  /** Training step (from 0) at which the masks were recomputed. */
  step: number;
  /** Target sparsity of the selected weights at this step. */
  sparsity: number;
}

/** Options of `pruneFinetune`. */
export interface PruneFinetuneOptions extends SelectOptions {
  /** Number of training steps to run (steps 0 .. steps − 1). */
  steps: number;
  /** One optimizer update of `params`; may be async. */
  update: (step: number) => void | Promise<void>;
  /** When to prune and to what final sparsity (cubic ramp, Zhu & Gupta 2017). */
  schedule: CubicSchedule;
  /** Magnitude threshold scope (default "global"). */
  scope?: "global" | "per-tensor";
  /** Called after each pruning event. */
  onPrune?: (event: PruneEvent) => void;
}

/**
 * Runs `steps` training steps with gradual magnitude pruning. At each pruning step the masks are recomputed
 * at the scheduled sparsity (previously pruned weights stay pruned) and applied before the update; after every
 * update the masks are applied again. Returns the final masks (caller disposes them; `params` keep their
 * pruned values).
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { tf, type Variable } from "../backend/tf.ts";
 * import { pruneFinetune } from "./prune_finetune.ts";
 * const w = tf.variable(tf.tensor2d([[1, -2, 3, -4]]));
 * const opt = tf.train.sgd(0.1);
 * const masks = await pruneFinetune({ w }, {
 *   steps: 3,
 *   schedule: { finalSparsity: 0.5, pruneSteps: 1 },
 *   update: () => {
 *     opt.minimize(() => tf.sum(tf.mul(w, w)).asScalar(), false, [w]);
 *   },
 * });
 * const v = await w.data();
 * assert(v[0] === 0 && v[1] === 0 && v[2] !== 0);
 * tf.dispose([w, ...Object.values(masks)]);
 * opt.dispose();
 * ```
 */
export async function pruneFinetune(
  params: Record<string, Variable>,
  options: PruneFinetuneOptions,
): Promise<TensorRecord> {
  checkKeys("pruneFinetune", options, ["steps", "update", "schedule", "scope", "onPrune", ...SELECT_KEYS]);
  checkNumber("pruneFinetune", "steps", options.steps, { min: 0, integer: true });
  if (options.steps === undefined) throw new OptionError("pruneFinetune", "steps", "`steps` is required");
  let masks: TensorRecord | undefined;
  for (let step = 0; step < options.steps; step++) {
    if (isPruneStep(step, options.schedule)) {
      const sparsity = cubicSparsity(step, options.schedule);
      const next = await magnitudeMasks(params, {
        include: options.include,
        includeEmbeddings: options.includeEmbeddings,
        embeddingPattern: options.embeddingPattern,
        scope: options.scope,
        sparsity,
        previous: masks,
      });
      if (masks) tf.dispose(Object.values(masks));
      masks = next;
      applyMasks(params, masks);
      options.onPrune?.({ step, sparsity });
    }
    await options.update(step);
    if (masks) applyMasks(params, masks);
  }
  return masks ?? {};
}
