/**
 * The `quantize` run kind: an evaluate-only run. It quantizes a finished `classify` or `prune` run's
 * linear-layer weights (`roberta.encoder.*`, rank 2) to k bits, symmetric, one scale per output channel,
 * with PyTorch's arithmetic (`fakeQuantizeRecord`, lib/compress), then evaluates accuracy through the same
 * loop as every other kind (a run with nothing to train yields one record). It reports the model's size in
 * bits, all parameters and linear layers only (the tied embedding is a large share of a small model and
 * stays float32), and its nonzero parameters.
 *
 * @module
 */
import { tf } from "../backend/tf.ts";
import { fakeQuantizeRecord } from "../compress/quantize_record.ts";
import { sparsityReport } from "../compress/sparsity_report.ts";
import type { Params } from "../model/params.ts";
import { checkNumber, OptionError } from "../util/options.ts";
import { checkClassifyData, classifyDataFingerprint, type EvalSplit } from "./classification_data.ts";
import { loadClassifierParent, trainClassifier } from "./classifier_training.ts";
import { classifyAncestor, classifyRun } from "./classify_run.ts";
import { checkParentRef, fullParentRef, mergeConfig } from "./kind_config.ts";
import { LINEAR_WEIGHTS, pruneRun } from "./prune_run.ts";
import type { ParentRef, RunKind } from "./run_kind.ts";

/** Config of a `quantize` run. */
export type QuantizeRunConfig = EvalSplit & {
  /** The finished `classify` or `prune` run whose final weights are quantized (required). */
  init: ParentRef | null;
  /** Bits per linear-layer weight, 2..8. */
  bits: number;
  /** Examples per evaluation batch. */
  batchSize: number;
};

/** Frozen defaults of a `quantize` run. */
export const QUANTIZE_RUN_DEFAULTS: Readonly<QuantizeRunConfig> = Object.freeze({
  init: null,
  bits: 8, // docs/SCIENCE: 8 bits costs nothing measurable at 2 × 128; sweep 8/4/2 for the curve
  batchSize: 64,
  evalSplit: "validation",
  evalExamples: null,
}) as Readonly<QuantizeRunConfig>;

function quantizeConfig(overrides?: Partial<QuantizeRunConfig>): QuantizeRunConfig {
  const c = mergeConfig("quantize", QUANTIZE_RUN_DEFAULTS, overrides);
  if (c.init === null) {
    throw new OptionError("quantize", "init", "`init` must name the classify or prune run to quantize");
  }
  c.init = fullParentRef(
    "quantize",
    "init",
    checkParentRef("quantize", "init", c.init, ["classify", "prune"], false)!,
    {
      classify: classifyRun,
      prune: pruneRun,
    },
  );
  checkNumber("quantize", "bits", c.bits, { min: 2, max: 8, integer: true });
  checkNumber("quantize", "batchSize", c.batchSize, { min: 1, integer: true });
  checkClassifyData("quantize", classifyAncestor(c.init, "quantize").data, c);
  return c;
}

/** Replaces the linear weights of `params` by their k-bit per-channel symmetric fake quantization. */
async function quantizeInPlace(params: Params, bits: number) {
  const q = await fakeQuantizeRecord(params, {
    ...LINEAR_WEIGHTS,
    bits,
    scheme: "symmetric",
    granularity: "per-channel",
  });
  for (const row of q.rows) if (row.bits > 0) params[row.name].assign(q.params[row.name]);
  tf.dispose(Object.values(q.params));
  const linear = q.rows.filter((r) => r.bits > 0);
  return {
    modelBits: q.totalBits,
    denseBits: q.denseBits,
    linearBits: linear.reduce((s, r) => s + r.storageBits, 0),
    linearParams: linear.reduce((s, r) => s + r.numel, 0),
  };
}

/**
 * Quantize, then evaluate. One record: the loop's fields (no training: `step` 0, `trainLoss` null), accuracy
 * with its interval, and `modelBits` (all parameters as stored: k-bit codes plus a 32-bit scale and
 * zero point per channel for the linear weights, 32 bits for the rest), `denseBits` (all float32),
 * `linearBits`, `linearParams`, `nonzeroParams`.
 *
 * @example
 * ```ts
 * import { assert, assertThrows } from "@std/assert";
 * import { quantizeRun } from "./quantize_run.ts";
 * assert(quantizeRun.defaults.bits === 8);
 * assertThrows(() => quantizeRun.config({ bits: 8 }), Error, "init");
 * ```
 */
export const quantizeRun: RunKind<QuantizeRunConfig> = {
  name: "quantize",
  defaults: QUANTIZE_RUN_DEFAULTS,
  config: quantizeConfig,
  fingerprint: (c) => classifyDataFingerprint(classifyAncestor(quantizeConfig(c).init!, "quantize").data),
  parents: (c): Record<string, ParentRef> => (c.init ? { init: c.init } : {}),
  async *run(config, context) {
    const c = quantizeConfig(config);
    const root = classifyAncestor(c.init!, "quantize");
    const start = await loadClassifierParent(context, root.data, "quantize");
    let size: Record<string, number> = {};
    return yield* trainClassifier({
      ...start,
      context,
      length: { seconds: 0, maxSteps: 0, peakLr: 1, evaluations: 1, seed: 0 },
      split: c,
      batchSize: c.batchSize,
      maxLen: root.maxLen,
      prepare: async () => {
        const bits = await quantizeInPlace(start.params, c.bits);
        size = { ...bits, nonzeroParams: (await sparsityReport(start.params, LINEAR_WEIGHTS)).totalNonzero };
      },
      evalHooks: [() => Promise.resolve(size)],
    });
  },
};
