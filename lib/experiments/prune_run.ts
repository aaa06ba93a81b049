/**
 * The `prune` run kind: gradual magnitude pruning with finetuning (Zhu & Gupta 2017) of a finished
 * `classify` run, through the same wall-clock loop as every other kind. The Transformer's linear-layer
 * weights (`roberta.encoder.*`, rank 2; not the embeddings nor the classifier head, as in the paper) are
 * pruned by global magnitude along the cubic schedule, whose ramp ends at `rampFraction` of the run (in steps
 * for a step-bounded run, else in training seconds); the masks are re-applied after every update, so pruned
 * weights stay exactly 0 while the rest finetune. With nothing to train (`seconds` 0 or `maxSteps` 0) it is
 * one-shot pruning: the final sparsity at once, then one evaluation.
 *
 * @module
 */
import { tf } from "../backend/tf.ts";
import type { Params } from "../model/params.ts";
import { applyMasks, magnitudeMasks } from "../compress/magnitude_prune.ts";
import { type CubicSchedule, cubicSparsity } from "../compress/schedule.ts";
import type { SelectOptions, TensorRecord } from "../compress/select.ts";
import { sparsityReport } from "../compress/sparsity_report.ts";
import type { EvalHook } from "../train/loop.ts";
import { checkNumber, OptionError } from "../util/options.ts";
import {
  checkClassifyData,
  type ClassifyData,
  classifyDataFingerprint,
  type EvalSplit,
} from "./classification_data.ts";
import { isLinearWeight } from "./classifier_eval.ts";
import { loadClassifierParent, trainClassifier } from "./classifier_training.ts";
import { classifyAncestor, classifyRun } from "./classify_run.ts";
import {
  checkOneOf,
  checkParentRef,
  checkTrainingLength,
  fullParentRef,
  mergeConfig,
  type TrainingLength,
} from "./kind_config.ts";
import type { ParentRef, RunKind } from "./run_kind.ts";

/** Config of a `prune` run. */
export type PruneRunConfig = TrainingLength & EvalSplit & {
  /** The finished `classify` run whose final weights are pruned (required). */
  init: ParentRef | null;
  /** Final fraction of the linear-layer weights set to 0, in [0, 1). */
  sparsity: number;
  /** One magnitude threshold over all linear weights (`"global"`, the paper's) or one per tensor. */
  scope: string;
  /** n: pruning events of the cubic ramp (fewer if the ramp has fewer steps). */
  pruneEvents: number;
  /** Where the ramp ends, as a fraction of the run; the rest finetunes at the final sparsity. */
  rampFraction: number;
  /** Examples per finetuning step. */
  batchSize: number;
};

/** Frozen defaults of a `prune` run. */
export const PRUNE_RUN_DEFAULTS: Readonly<PruneRunConfig> = Object.freeze({
  init: null,
  sparsity: 0.5,
  scope: "global", // torch's global_unstructured: what the paper uses
  pruneEvents: 10, // Zhu & Gupta prune every Δt steps; 10 events keep each cut small
  rampFraction: 0.75, // Zhu & Gupta end the ramp well before training ends, to recover at the final sparsity
  seconds: 30,
  maxSteps: null,
  batchSize: 32,
  peakLr: 1e-4, // a finetuning rate, as the parent's
  evaluations: 4,
  seed: 0,
  evalSplit: "validation",
  evalExamples: null,
}) as Readonly<PruneRunConfig>;

function pruneConfig(overrides?: Partial<PruneRunConfig>): PruneRunConfig {
  const c = mergeConfig("prune", PRUNE_RUN_DEFAULTS, overrides);
  if (c.init === null) throw new OptionError("prune", "init", "`init` must name the classify run to prune");
  c.init = fullParentRef("prune", "init", checkParentRef("prune", "init", c.init, ["classify"], false)!, {
    classify: classifyRun,
  });
  checkTrainingLength("prune", c);
  checkNumber("prune", "sparsity", c.sparsity, { min: 0, below: 1 });
  checkOneOf("prune", "scope", c.scope, ["global", "per-tensor"]);
  checkNumber("prune", "pruneEvents", c.pruneEvents, { min: 1, integer: true });
  checkNumber("prune", "rampFraction", c.rampFraction, { min: 0, max: 1 });
  checkNumber("prune", "batchSize", c.batchSize, { min: 1, integer: true });
  checkClassifyData("prune", parentData(c), c);
  return c;
}

const parentData = (c: PruneRunConfig): ClassifyData => classifyAncestor(c.init!, "prune").data;

/** What `prune` (and `quantize`) select: the Transformer's linear-layer weights. */
export const LINEAR_WEIGHTS: SelectOptions = Object.freeze({
  include: (name: string, t: { rank: number }) => isLinearWeight(name, t.rank),
});

/**
 * The sparsity schedule of a `prune` config as a function of training progress `t` (steps for a
 * step-bounded run, else milliseconds of training): Zhu & Gupta's cubic ramp from 0 to `sparsity`, ending at
 * `rampFraction` of the run; the final sparsity at once when there is no ramp.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { pruneSchedule } from "./prune_run.ts";
 * const s = pruneSchedule({ sparsity: 0.8, pruneEvents: 4, rampFraction: 0.5, maxSteps: 80, seconds: 60 });
 * assert(s(0) === 0 && s(40) === 0.8 && s(79) === 0.8);
 * assert(Math.abs(s(25) - 0.8 * (1 - 0.125)) < 1e-12); // latest event at step 20 of a 40-step ramp
 * assert(pruneSchedule({ sparsity: 0.3, pruneEvents: 4, rampFraction: 0.5, maxSteps: 0, seconds: 60 })(0) === 0.3);
 * ```
 */
export function pruneSchedule(
  c: Pick<PruneRunConfig, "sparsity" | "pruneEvents" | "rampFraction" | "maxSteps" | "seconds">,
): (t: number) => number {
  const total = c.maxSteps !== null ? c.maxSteps : c.seconds! * 1000;
  const rampEnd = Math.floor(c.rampFraction * total);
  if (rampEnd < 1) return () => c.sparsity;
  const pruneSteps = Math.min(c.pruneEvents, rampEnd);
  const s: CubicSchedule = {
    finalSparsity: c.sparsity,
    pruneSteps,
    frequency: Math.floor(rampEnd / pruneSteps),
  };
  return (t) => cubicSparsity(t, s);
}

/** Masks that follow the schedule: recomputed when the target rises, re-applied after every update. */
function pruner(params: Params, c: PruneRunConfig) {
  const target = pruneSchedule(c);
  const progress = (step: number, seconds: number) => c.maxSteps !== null ? step : Math.floor(seconds * 1000);
  let masks: TensorRecord | null = null, current = 0;
  const select = { ...LINEAR_WEIGHTS, scope: c.scope as "global" | "per-tensor" };
  return {
    /** Prunes to the schedule's sparsity at (step, seconds), then applies the masks. */
    async update(step: number, seconds: number) {
      const s = target(progress(step, seconds));
      if (s > current) {
        const next = await magnitudeMasks(params, { ...select, sparsity: s, previous: masks ?? undefined });
        if (masks) tf.dispose(Object.values(masks));
        [masks, current] = [next, s];
      }
      if (masks) applyMasks(params, masks);
    },
    /** After a resume: the masks are the checkpoint's zeros, the sparsity the schedule's at that point. */
    resume(step: number, seconds: number) {
      if (masks) tf.dispose(Object.values(masks));
      [masks, current] = [null, target(progress(step, seconds))];
      if (current === 0) return;
      masks = {};
      for (const name of Object.keys(params)) {
        const p = params[name];
        if (isLinearWeight(name, p.rank)) masks[name] = tf.tidy(() => tf.cast(tf.notEqual(p, 0), "float32"));
      }
    },
    dispose() {
      if (masks) tf.dispose(Object.values(masks));
    },
  };
}

/** An evaluation hook reporting the model's size after pruning: nonzero parameters, all and linear-only. */
export function sparsityHook(): EvalHook {
  return async ({ params }) => {
    const r = await sparsityReport(params, LINEAR_WEIGHTS);
    return {
      linearSparsity: r.overall.sparsity, // measured; `sparsity` is the config's target
      linearNonzero: r.overall.nonzero,
      linearParams: r.overall.numel,
      nonzeroParams: r.totalNonzero,
    };
  };
}

/**
 * Gradual (or one-shot) magnitude pruning with finetuning. Records: the loop's fields, accuracy with its
 * interval, and `linearSparsity` (measured, of the linear weights), `linearNonzero`, `linearParams`, `nonzeroParams`; the
 * run directory keeps the pruned classifier and the tokenizer (a `quantize` run can start from it).
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { pruneRun } from "./prune_run.ts";
 * assert(pruneRun.defaults.sparsity === 0.5 && pruneRun.defaults.scope === "global");
 * ```
 */
export const pruneRun: RunKind<PruneRunConfig> = {
  name: "prune",
  defaults: PRUNE_RUN_DEFAULTS,
  config: pruneConfig,
  fingerprint: (c) => classifyDataFingerprint(parentData(pruneConfig(c))),
  parents: (c): Record<string, ParentRef> => (c.init ? { init: c.init } : {}),
  async *run(config, context) {
    const c = pruneConfig(config);
    const start = await loadClassifierParent(context, parentData(c), "prune");
    const masks = pruner(start.params, c);
    try {
      return yield* trainClassifier({
        ...start,
        context,
        length: c,
        split: c,
        batchSize: c.batchSize,
        maxLen: classifyAncestor(c.init!, "prune").maxLen,
        prepare: () => masks.update(0, 0), // the first cut (the whole cut, one-shot), unless resuming overrides it
        evalHooks: [sparsityHook()],
        afterStep: (step, seconds) => masks.update(step, seconds),
        onResume: (state) => masks.resume(state.step, state.seconds),
      });
    } finally {
      masks.dispose();
    }
  },
};
