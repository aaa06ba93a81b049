/**
 * `compressionStudy`: the paper's third finding as one notebook cell. Several model sizes, pretrained for the
 * same wall-clock budget (the `mlm` runs of `pretrainSweep` are reused from its store when the configs
 * match), are finetuned on the bundled WordNet supersense task (or labelled files), then pruned (global
 * magnitude pruning of the linear weights over a sparsity grid; one-shot, or with a short finetune) and
 * quantized (per-channel symmetric, over a bits grid), and evaluated on the test split.
 *
 * Three studies run in turn, each cached and resumable in its own store under `store`: `finetune`,
 * `prune` and `quantize`. The result's `records` hold one row per evaluated compressed model (its size,
 * method, setting, accuracy with interval, nonzero parameters and size in bits), `runs` the finetuned
 * baselines, and `winners` the most accurate model under each inference budget.
 *
 * @module
 */
import type { DataFrame } from "../display/data_frame.ts";
import { CLASSIFY_RUN_DEFAULTS, classifyRun, type ClassifyRunConfig } from "../experiments/classify_run.ts";
import { mlmRun, type MlmRunConfig } from "../experiments/mlm_run.ts";
import { PRUNE_RUN_DEFAULTS, pruneRun, type PruneRunConfig } from "../experiments/prune_run.ts";
import { quantizeRun, type QuantizeRunConfig } from "../experiments/quantize_run.ts";
import type { Json } from "../experiments/run_kind.ts";
import type { Config } from "../study/definition.ts";
import { runStudy, type StudyResult } from "../study/runner.ts";
import { rowsToFrame } from "../study/tables.ts";
import { checkKeys, checkNumber, OptionError } from "../util/options.ts";
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
import {
  type CompressionPoint,
  frontierFigure,
  pruningFigure,
  quantizationFigure,
  winnersTable,
} from "./compression_figures.ts";
import { PRETRAIN_SWEEP_PRESETS, type SweepSize } from "./pretrain_sweep.ts";
import { sizeLabel } from "./size_figures.ts";

/**
 * A model size of the compression study: layers × width (heads and feed-forward derived unless given), and
 * optionally finetuning fields for this size alone (e.g. its own learning rate), applied over the preset's
 * `finetune` and under the call's `finetune` option.
 */
export type CompressionSize = SweepSize & { finetune?: Partial<ClassifyRunConfig> };

/** Options of {@linkcode compressionStudy}. */
export interface CompressionStudyOptions extends CellOptions {
  /** Model sizes (default: the scale's preset). */
  sizes?: CompressionSize[];
  /** Fields of the `mlm` pretraining runs (default: `pretrainSweep`'s preset, so its runs are reused). */
  pretrain?: Partial<MlmRunConfig>;
  /** Fields of the `classify` finetuning runs. */
  finetune?: Partial<ClassifyRunConfig>;
  /** Sparsities of the linear weights to prune to (0 is the unpruned baseline). */
  sparsities?: number[];
  /** Fields of the `prune` runs (`seconds: 0` prunes one-shot, without finetuning). */
  prune?: Partial<PruneRunConfig>;
  /** Bits per linear weight to quantize to. */
  bits?: number[];
  /** Where to look for finished pretraining runs besides `store`'s siblings (default `runs/`). */
  pretrainStores?: string[];
  /** Test examples each compressed model is evaluated on; null: the whole split (default: the preset's). */
  evalExamples?: number | null;
  /** The study's name. Default `compression-<scale>`. */
  name?: string;
}

/** What {@linkcode compressionStudy} returns: a `StudyResult` plus the winners table. */
export interface CompressionStudyResult extends StudyResult {
  /** For inference budgets in powers of two (MiB), the most accurate compressed model that fits. */
  winners: DataFrame;
}

/** A scale's settings. */
export interface CompressionPreset {
  /** Model sizes, with their own finetuning learning rates where the preset chose them. */
  sizes: CompressionSize[];
  /** Pretraining fields. */
  pretrain: Partial<MlmRunConfig>;
  /** Finetuning fields. */
  finetune: Partial<ClassifyRunConfig>;
  /** Sparsity grid. */
  sparsities: number[];
  /** Pruning fields. */
  prune: Partial<PruneRunConfig>;
  /** Bits grid. */
  bits: number[];
  /** Test examples each compressed model is evaluated on (null: the whole split). */
  evalExamples?: number | null;
}

/** The presets: smoke (< 1 min, tests), demo (≤ 10 min on 2 CPU cores when pretraining is reused), full. */
export const COMPRESSION_PRESETS: Readonly<Record<Scale, CompressionPreset>> = Object.freeze({
  smoke: {
    sizes: [{ layers: 1, width: 32 }, { layers: 1, width: 64 }],
    pretrain: PRETRAIN_SWEEP_PRESETS.smoke.run,
    finetune: { seconds: 4, maxLen: 32, batchSize: 16, evaluations: 2, evalExamples: 200 },
    sparsities: [0, 0.5, 0.9],
    prune: { seconds: 0 },
    bits: [8, 2],
    evalExamples: 200,
  },
  demo: {
    // the width series of pretrainSweep's demo (reused from its store), finetuned 60 s each at the peak
    // learning rate a validation sweep chose per size (1e-4 … 3e-3, docs/FINDINGS.md); one-shot pruning and
    // quantization are evaluation-only, so the whole grid costs minutes
    sizes: [
      { layers: 2, width: 64, finetune: { peakLr: 3e-3 } },
      { layers: 2, width: 128, finetune: { peakLr: 1e-3 } },
      { layers: 2, width: 256, finetune: { peakLr: 1e-3 } },
    ],
    pretrain: PRETRAIN_SWEEP_PRESETS.demo.run,
    finetune: { seconds: 60, evaluations: 4 },
    sparsities: [0, 0.3, 0.5, 0.7, 0.8, 0.9],
    prune: { seconds: 0 },
    bits: [8, 6, 4, 3, 2],
  },
  full: {
    sizes: [{ layers: 6, width: 256 }, { layers: 6, width: 512 }, { layers: 6, width: 768 }, {
      layers: 12,
      width: 768,
    }],
    pretrain: PRETRAIN_SWEEP_PRESETS.full.run,
    finetune: { seconds: 1800, maxLen: 128, evaluations: 6 },
    sparsities: [0, 0.3, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95],
    prune: { seconds: 600 },
    bits: [8, 6, 5, 4, 3, 2],
  },
});

const OWN_KEYS = [
  "sizes",
  "pretrain",
  "finetune",
  "sparsities",
  "prune",
  "bits",
  "pretrainStores",
  "evalExamples",
  "name",
];

function num(v: unknown): number {
  return typeof v === "bigint" ? Number(v) : v as number;
}

/**
 * Pretrains (or reuses), finetunes, prunes and quantizes each model size, evaluates every compressed model
 * on the test split, and returns the points, the baselines, four figures (pruning, quantization, the
 * frontier) and the winners table.
 *
 * @example
 * ```ts ignore
 * import { compressionStudy, show } from "trainlarge";
 * const study = await compressionStudy({ scale: "demo" });
 * for (const figure of study.figures) await show(figure);
 * await show(study.winners);
 * ```
 */
export async function compressionStudy(
  options: CompressionStudyOptions = {},
): Promise<CompressionStudyResult> {
  const where = "compressionStudy";
  checkKeys(where, options, [...CELL_OPTION_KEYS, ...OWN_KEYS]);
  const scale = resolveScale(where, options.scale);
  const seeds = resolveSeeds(where, options.seeds);
  const preset = COMPRESSION_PRESETS[scale];
  const sizes = options.sizes ?? preset.sizes;
  if (!Array.isArray(sizes) || sizes.length === 0) {
    throw new OptionError(where, "sizes", "`sizes` must be a non-empty list of { layers, width }");
  }
  const sparsities = options.sparsities ?? preset.sparsities;
  sparsities.forEach((s, i) => checkNumber(where, `sparsities[${i}]`, s, { min: 0, below: 1 }));
  const evalExamples = options.evalExamples !== undefined
    ? options.evalExamples
    : preset.evalExamples ?? null;
  if (evalExamples !== null) checkNumber(where, "evalExamples", evalExamples, { integer: true, min: 1 });
  const bits = options.bits ?? preset.bits;
  bits.forEach((b, i) => checkNumber(where, `bits[${i}]`, b, { integer: true, min: 2, max: 8 }));
  const name = options.name ?? `compression-${scale}`;
  const root = (options.store ?? `runs/${name}`).replace(/\/+$/, "");
  const parentStores = options.pretrainStores ?? ["runs"];
  const common = (stage: string) => ({
    ...studyOptions({ ...options, store: `${root}/${stage}` }, name),
    parentStores,
  });

  // finetune: one classify run per size and seed, each starting from its pretrained mlm run
  const classifyConfigs: Config[] = [];
  for (const seed of seeds) {
    for (const s of sizes) {
      const mlm = mlmRun.config({
        ...(preset.pretrain as Partial<MlmRunConfig>),
        ...(options.pretrain ?? {}),
        model: { layers: s.layers, width: s.width, heads: s.heads ?? null, ffn: s.ffn ?? null },
        seed,
      });
      const finetune = {
        ...preset.finetune,
        ...(s.finetune ?? {}),
        ...(options.finetune ?? {}),
      } as Partial<ClassifyRunConfig>;
      classifyConfigs.push(classifyRun.config({
        evalSplit: "test",
        ...finetune,
        init: { kind: "mlm", config: mlm as unknown as Config },
        seed,
        data: {
          ...CLASSIFY_RUN_DEFAULTS.data,
          ...(finetune.data ?? {}),
          vocabSize: mlm.data.vocabSize,
          splitSeed: mlm.data.splitSeed,
        },
      }) as unknown as Config);
    }
  }
  const sizeOf = (c: Config) => {
    const init = c.init as { config: { model: { layers: number; width: number } } };
    return sizeLabel(init.config.model.layers, init.config.model.width);
  };
  const finetuned = await cellResult(runStudy({
    name: `${name}-finetune`,
    kind: classifyRun,
    runs: classifyConfigs as Partial<ClassifyRunConfig>[],
    label: (c) => sizeOf(c as unknown as Config) + seedLabel(seeds, c.seed),
  }, common("finetune")));

  const baselines = finetuned.runs.toRecords() as Record<string, unknown>[];
  const finished = classifyConfigs.filter((_, i) =>
    ["budget", "max_steps", "target"].includes(String(baselines[i]?.status))
  );
  const parentOf = (c: Config) => ({ kind: "classify", config: c });
  const pruneBase = { ...PRUNE_RUN_DEFAULTS, ...preset.prune, ...(options.prune ?? {}) };
  const pruned = await cellResult(runStudy({
    name: `${name}-prune`,
    kind: pruneRun,
    runs: finished.flatMap((c) =>
      sparsities.map((sparsity) => ({
        ...pruneBase,
        init: parentOf(c),
        sparsity,
        evalSplit: "test",
        evalExamples,
        seed: c.seed as number,
      }))
    ) as unknown as Partial<PruneRunConfig>[],
    label: (c) =>
      `${sizeOf((c.init as unknown as { config: Config }).config)} sparsity ${c.sparsity}` +
      seedLabel(seeds, c.seed),
  }, common("prune")));
  const quantized = await cellResult(runStudy({
    name: `${name}-quantize`,
    kind: quantizeRun,
    runs: finished.flatMap((c) =>
      bits.map((b) => ({
        init: parentOf(c),
        bits: b,
        evalSplit: "test",
        evalExamples,
      }))
    ) as unknown as Partial<
      QuantizeRunConfig
    >[],
    label: (c) => {
      const parent = (c.init as unknown as { config: Config }).config;
      return `${sizeOf(parent)} ${c.bits} bits` + seedLabel(seeds, parent.seed as number);
    },
  }, common("quantize")));

  const paramsOf = new Map(classifyConfigs.map((c, i) => [sizeOf(c), num(baselines[i]?.params ?? 0)]));
  const lastRows = (df: DataFrame) => {
    const last = new Map<string, Record<string, unknown>>();
    for (const r of df.toRecords() as Record<string, unknown>[]) {
      if (typeof r.accuracy === "number") last.set(String(r.run), r);
    }
    return [...last.values()];
  };
  // A run's last evaluated record as a point; the label starts with the size.
  const point = (
    r: Record<string, unknown>,
    how: Pick<CompressionPoint, "method" | "sparsity" | "bits" | "sizeBits">,
  ): CompressionPoint => {
    const size = String(r.label).split(" ")[0];
    return {
      size,
      params: paramsOf.get(size) ?? 0,
      method: how.method,
      sparsity: how.sparsity,
      bits: how.bits,
      accuracy: num(r.accuracy),
      accuracyLow: num(r.accuracyLow),
      accuracyHigh: num(r.accuracyHigh),
      nonzeroParams: num(r.nonzeroParams),
      sizeBits: how.sizeBits,
      // the finetuned parent's seed (prune and quantize runs both start from a classify run)
      seed: num(r["init.config.seed"] ?? 0),
    };
  };
  const points: CompressionPoint[] = [
    ...lastRows(pruned.records).map((r) =>
      point(r, {
        method: "prune",
        sparsity: num(r["config.sparsity"] ?? r.sparsity),
        bits: 32,
        sizeBits: num(r.nonzeroParams) * 32,
      })
    ),
    ...lastRows(quantized.records).map((r) =>
      point(r, { method: "quantize", sparsity: 0, bits: num(r.bits), sizeBits: num(r.modelBits) })
    ),
  ];
  const records = rowsToFrame(points as unknown as Record<string, Json>[] as never, [
    "size",
    "method",
    "sparsity",
    "bits",
    "accuracy",
  ]);
  return {
    name,
    dir: root,
    records,
    runs: finetuned.runs,
    figures: [pruningFigure(points), quantizationFigure(points), frontierFigure(points)],
    winners: winnersTable(points),
  };
}
