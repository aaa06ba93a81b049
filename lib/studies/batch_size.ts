/**
 * `batchSizeStudy`: the paper's second finding as one notebook cell — past a critical batch size, bigger
 * batches buy little. One `mlm` model size is trained at several batch sizes (gradient accumulation over
 * micro-batches of at most `microBatch` sequences, so any batch fits in memory), the learning rate scaled
 * from a base batch by a rule, each run until a target validation loss or its budget. The cell reports
 * steps and seconds to the target, fits S = S_min (1 + B_noise / B), estimates the gradient noise scale
 * B_simple online from the same runs, and simulates data-parallel wall-clock on N workers.
 *
 * Learning-rate scaling (`lrScaling`, relative to `baseBatchSize` and `baseLr`): "sqrt" (default),
 * lr = baseLr·√(B / B₀), the rule derived for Adam-style optimizers (Malladi et al. 2022, "On the SDEs and
 * Scaling Rules for Adaptive Gradient Algorithms"; Hoffer et al. 2017); "linear", lr = baseLr·B / B₀, the
 * SGD rule (Goyal et al. 2017). Every run warms up linearly over `warmupSteps` steps and then keeps its
 * learning rate constant, so when it stops at the target does not depend on its budget.
 *
 * The presets were fixed before looking at the outcome (see docs/FINDINGS.md for how the targets were set).
 *
 * @module
 */
import type { ModelSize } from "../experiments/kind_config.ts";
import { type MlmData, mlmRun, type MlmRunConfig } from "../experiments/mlm_run.ts";
import type { StepsFit } from "../metrics/batch_scaling.ts";
import type { DataFrame } from "../display/data_frame.ts";
import { runStudy, type StudyResult } from "../study/runner.ts";
import { checkChoice, checkKeys, checkNumber, OptionError } from "../util/options.ts";
import {
  CELL_OPTION_KEYS,
  type CellOptions,
  cellResult,
  resolveScale,
  resolveSeeds,
  type Scale,
  seedLabel,
  studyOptions,
} from "./cell.ts";
import { ETHERNET_10G, type Network } from "./data_parallel.ts";
import { analyzeBatchSizeStudy, type NoiseScaleSummary } from "./batch_size_analysis.ts";
import { batchSizeFigures } from "./batch_size_figures.ts";

/** The fields of a batch-size study a scale presets and any call may override. */
export interface BatchSizeSettings {
  /** The one model size. */
  model: ModelSize;
  /** Global batch sizes B (sequences per optimizer step). */
  batchSizes: number[];
  /** Sequences per micro-batch at most (a batch of B > microBatch accumulates B / microBatch of them;
   * must divide every larger batch size). The noise scale is measured in runs with B > microBatch. */
  microBatch: number;
  /** The batch size at which `baseLr` is the learning rate. */
  baseBatchSize: number;
  /** Peak learning rate at `baseBatchSize`. */
  baseLr: number;
  /** How the learning rate scales with B: "sqrt" (Adam) or "linear" (SGD); see the module doc. */
  lrScaling: "linear" | "sqrt";
  /** Learning-rate sweep: each batch size runs at the rule's rate times each of these; per batch size and
   * seed the one with the fewest steps to the target counts (`best` in `targets`). Default [1]. */
  lrMultipliers: number[];
  /** Warmup steps (linear from 0), then a constant learning rate. */
  warmupSteps: number;
  /** Each run stops at the first evaluation with validation loss at or below this. */
  targetValLoss: number;
  /** Training-seconds budget of each run (a run that never reaches the target stops here). */
  seconds: number;
  /** Evaluations per run budget (one every seconds / evaluations training seconds). */
  evaluations: number;
  /**
   * Evaluate every this many steps instead (null: by seconds, as `evaluations` says). Runs then are
   * step-bounded at `maxSteps`, so every batch size's crossing is resolved to the same number of steps
   * whatever the machine's speed (the demo's evaluations by seconds were up to 55 steps apart at B = 8).
   */
  evalEverySteps: number | null;
  /** With `evalEverySteps`: the step limit of each run (`seconds` still caps it). */
  maxSteps: number;
  /** Tokens per sequence. */
  seqLen: number;
  /** Validation batches … */
  validationBatches: number;
  /** … of this many sequences: the same validation set for every batch size. */
  validationBatchSize: number;
  /** The corpus (WordNet with a BPE of `vocabSize`, or a tokenized corpus directory `path`). */
  data: MlmData;
  /** EMA decay per record of the noise-scale estimator (see `noiseScaleEstimate`). */
  noiseDecay: number;
  /** Worker counts N of the simulated data-parallel wall-clock. */
  workers: number[];
  /** The simulated all-reduce network (bytes/s, seconds per message). */
  network: Network;
}

/** Options of {@linkcode batchSizeStudy}: any setting, the study's name, and the common cell options. */
export interface BatchSizeStudyOptions
  extends CellOptions, Partial<Omit<BatchSizeSettings, "model" | "data">> {
  /** Model size overrides (layers, width, heads, ffn). */
  model?: Partial<ModelSize>;
  /** Corpus overrides. */
  data?: Partial<MlmData>;
  /** The study's name (its store is `runs/<name>`). Default `batch-size-<scale>`. */
  name?: string;
}

/** What {@linkcode batchSizeStudy} returns: a `StudyResult` plus its analysis (targets, fit, noise scale, data-parallel). */
export interface BatchSizeStudyResult extends StudyResult {
  /** One row per run: batch size, seed, learning rate, steps/seconds/examples to target, B_simple, … */
  targets: DataFrame;
  /** The S(B) fit over the runs that reached the target (null with fewer than two batch sizes). */
  fit: StepsFit | null;
  /** B_simple over the runs that measured it (inverse-variance weighted), or null. */
  noiseScale: NoiseScaleSummary | null;
  /** The simulated data-parallel time to target: one row per (B, N). */
  dataParallel: DataFrame;
  /** The settings the study ran with (preset plus overrides). */
  settings: BatchSizeSettings;
}

const COMMON = {
  lrScaling: "sqrt" as const,
  lrMultipliers: [1],
  evalEverySteps: null,
  maxSteps: 2000,
  noiseDecay: 0.9,
  network: ETHERNET_10G,
};

/**
 * The presets: smoke (< 1 min, tests), demo (≤ 10 min on 2 CPU cores for one seed), full (paper-like, GPU
 * or cluster; its target is a starting point to set from a pilot run on your corpus).
 */
export const BATCH_SIZE_PRESETS: Readonly<Record<Scale, Readonly<BatchSizeSettings>>> = Object.freeze({
  smoke: Object.freeze({
    ...COMMON,
    model: { layers: 1, width: 32, heads: null, ffn: null },
    batchSizes: [4, 8, 16],
    microBatch: 4,
    baseBatchSize: 8,
    baseLr: 3e-3,
    warmupSteps: 2,
    targetValLoss: 5.9, // reached in a few seconds by all three (from 6.3 at initialisation, ln 512 = 6.24)
    seconds: 8,
    evaluations: 8,
    seqLen: 32,
    validationBatches: 2,
    validationBatchSize: 8,
    data: { vocabSize: 512, splitSeed: 0, path: null },
    workers: [1, 2, 4],
  }),
  demo: Object.freeze({
    ...COMMON,
    // 2 × 64 (0.24M parameters): the size that makes most steps per second on 2 cores (SCIENCE notes)
    model: { layers: 2, width: 64, heads: null, ffn: null },
    batchSizes: [8, 16, 32, 64, 128, 256],
    microBatch: 32,
    baseBatchSize: 32,
    baseLr: 1e-3, // the mlm kind's default peak at its default batch of 32
    warmupSteps: 5, // short: the largest batches reach the target in tens of steps
    // Early in training (perplexity 735): what a 10-minute budget on 2 shared cores reaches at every batch
    // size; see docs/FINDINGS.md for how it was set and what it means for B_noise.
    targetValLoss: 6.6,
    seconds: 120,
    evaluations: 40,
    seqLen: 64,
    validationBatches: 8,
    validationBatchSize: 32,
    data: { vocabSize: 2048, splitSeed: 0, path: null },
    workers: [1, 2, 4, 8, 16, 32],
  }),
  full: Object.freeze({
    ...COMMON,
    model: { layers: 6, width: 512, heads: null, ffn: null },
    batchSizes: [32, 64, 128, 256, 512, 1024, 2048, 4096],
    microBatch: 128,
    baseBatchSize: 256,
    baseLr: 6e-4, // RoBERTa-base's peak learning rate: a starting point, check it with a short sweep
    warmupSteps: 500,
    targetValLoss: 4.0,
    seconds: 4 * 3600,
    evaluations: 100,
    seqLen: 128,
    validationBatches: 16,
    validationBatchSize: 128,
    data: { vocabSize: 8192, splitSeed: 0, path: null },
    workers: [1, 4, 16, 64, 256],
  }),
});

const SETTING_KEYS = Object.keys(BATCH_SIZE_PRESETS.demo);

function positiveInts(where: string, name: string, v: unknown): number[] {
  if (!Array.isArray(v) || v.length === 0) {
    throw new OptionError(
      where,
      name,
      `\`${name}\` must be a non-empty list of integers ≥ 1, got ${JSON.stringify(v)}`,
    );
  }
  v.forEach((x, i) => checkNumber(where, `${name}[${i}]`, x, { integer: true, min: 1 }));
  return [...v] as number[];
}

/** The settings of a call: the scale's preset with the options' overrides, validated. */
export function batchSizeSettings(options: BatchSizeStudyOptions = {}): BatchSizeSettings {
  const where = "batchSizeStudy";
  checkKeys(where, options, [...CELL_OPTION_KEYS, ...SETTING_KEYS, "name"]);
  const preset = BATCH_SIZE_PRESETS[resolveScale(where, options.scale)];
  const given = Object.fromEntries(
    Object.entries(options).filter(([k, v]) => SETTING_KEYS.includes(k) && v !== undefined),
  );
  checkKeys(where, options.model, ["layers", "width", "heads", "ffn"], "model.");
  checkKeys(where, options.data, ["vocabSize", "splitSeed", "path"], "data.");
  checkKeys(where, options.network, ["bandwidth", "latency"], "network.");
  const s: BatchSizeSettings = {
    ...preset,
    ...given,
    model: { ...preset.model, ...options.model },
    data: { ...preset.data, ...options.data },
    network: { ...preset.network, ...options.network },
  };
  s.batchSizes = [...new Set(positiveInts(where, "batchSizes", s.batchSizes))].sort((a, b) => a - b);
  s.workers = positiveInts(where, "workers", s.workers);
  if (!Array.isArray(s.lrMultipliers) || s.lrMultipliers.length === 0) {
    throw new OptionError(
      where,
      "lrMultipliers",
      `\`lrMultipliers\` must be a non-empty list of numbers > 0`,
    );
  }
  s.lrMultipliers.forEach((m, i) => checkNumber(where, `lrMultipliers[${i}]`, m, { above: 0 }));
  s.lrMultipliers = [...new Set(s.lrMultipliers)];
  checkNumber(where, "microBatch", s.microBatch, { integer: true, min: 1 });
  for (const b of s.batchSizes) {
    if (b > s.microBatch && b % s.microBatch !== 0) {
      throw new OptionError(
        where,
        "microBatch",
        `microBatch ${s.microBatch} does not divide batch size ${b}; give a divisor of every batch size above it`,
      );
    }
  }
  checkNumber(where, "baseBatchSize", s.baseBatchSize, { above: 0 });
  checkNumber(where, "baseLr", s.baseLr, { above: 0 });
  checkChoice(where, "lrScaling", s.lrScaling, ["linear", "sqrt"]);
  checkNumber(where, "warmupSteps", s.warmupSteps, { integer: true, min: 0 });
  checkNumber(where, "targetValLoss", s.targetValLoss, { above: 0 });
  checkNumber(where, "seconds", s.seconds, { above: 0 });
  checkNumber(where, "evaluations", s.evaluations, { integer: true, min: 1 });
  if (s.evalEverySteps !== null) {
    checkNumber(where, "evalEverySteps", s.evalEverySteps, { integer: true, min: 1 });
  }
  checkNumber(where, "maxSteps", s.maxSteps, { integer: true, min: 1 });
  checkNumber(where, "noiseDecay", s.noiseDecay, { min: 0, max: 1 });
  checkNumber(where, "network.bandwidth", s.network.bandwidth, { above: 0 });
  checkNumber(where, "network.latency", s.network.latency, { min: 0 });
  return s;
}

/**
 * The learning rate of batch size `b` under `settings`' rule.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { scaledLr } from "./batch_size.ts";
 * const base = { baseBatchSize: 32, baseLr: 1e-3 };
 * assert(Math.abs(scaledLr({ ...base, lrScaling: "sqrt" }, 128) - 2e-3) < 1e-15);
 * assert(Math.abs(scaledLr({ ...base, lrScaling: "linear" }, 8) - 2.5e-4) < 1e-15);
 * ```
 */
export function scaledLr(
  settings: Pick<BatchSizeSettings, "baseBatchSize" | "baseLr" | "lrScaling">,
  b: number,
): number {
  const ratio = b / settings.baseBatchSize;
  return settings.baseLr * (settings.lrScaling === "linear" ? ratio : Math.sqrt(ratio));
}

/** The `mlm` run config (overrides) of batch size `b` at `lrMultiplier` times the rule's learning rate. */
export function batchSizeRun(s: BatchSizeSettings, b: number, lrMultiplier = 1): Partial<MlmRunConfig> {
  const micro = Math.min(b, s.microBatch);
  return {
    model: s.model,
    batchSize: b,
    peakLr: scaledLr(s, b) * lrMultiplier,
    seconds: s.seconds,
    ...(s.evalEverySteps === null
      ? { maxSteps: null, evaluations: s.evaluations }
      : { maxSteps: s.maxSteps, evaluations: Math.max(1, Math.round(s.maxSteps / s.evalEverySteps)) }),
    seqLen: s.seqLen,
    validationBatches: s.validationBatches,
    data: s.data,
    microBatch: micro,
    targetValLoss: s.targetValLoss,
    warmupSteps: s.warmupSteps,
    validationBatchSize: s.validationBatchSize,
    ...(micro < b ? { noiseScale: true } : {}),
  };
}

/**
 * Trains one model size at each batch size until the target validation loss (or the budget) and returns the
 * study with its analysis: `targets` (steps, seconds and examples to the target per run, interpolated
 * between evaluations; per-run B_simple ± standard error), the S(B) `fit`, the pooled `noiseScale`, the
 * simulated `dataParallel` table, and three figures (steps to target with the fit and the critical range,
 * measured seconds to target, simulated data-parallel time to target). Cached and resumable.
 *
 * @example
 * ```ts ignore
 * import { batchSizeStudy, show } from "trainlarge";
 * const study = await batchSizeStudy({ scale: "demo", seeds: [0, 1] });
 * await show(study.targets);
 * for (const figure of study.figures) await show(figure);
 * ```
 */
export async function batchSizeStudy(options: BatchSizeStudyOptions = {}): Promise<BatchSizeStudyResult> {
  const where = "batchSizeStudy";
  const settings = batchSizeSettings(options);
  const seeds = resolveSeeds(where, options.seeds);
  const name = options.name ?? `batch-size-${resolveScale(where, options.scale)}`;
  const result = await cellResult(runStudy({
    name,
    kind: mlmRun,
    runs: settings.batchSizes.flatMap((b) => settings.lrMultipliers.map((m) => batchSizeRun(settings, b, m))),
    seeds,
    label: (c) =>
      `B=${c.batchSize}` + (settings.lrMultipliers.length > 1 ? ` lr ${c.peakLr.toPrecision(2)}` : "") +
      seedLabel(seeds, c.seed),
    figures: (tables) => batchSizeFigures(analyzeBatchSizeStudy(tables, settings), settings),
  }, studyOptions(options, name)));
  const analysis = analyzeBatchSizeStudy(result, settings);
  return { ...result, ...analysis, settings };
}
