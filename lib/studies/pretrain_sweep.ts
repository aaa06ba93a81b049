/**
 * `pretrainSweep`: the paper's first finding as one notebook cell — masked-LM pretraining of Transformers
 * of several depths and widths, every run under the same wall-clock budget, on the bundled WordNet corpus
 * (or any tokenized corpus, `data.path`). Heads = width / 64 and feed-forward = 4 × width unless given.
 *
 * The presets were chosen before looking at the outcome, from the measurements in the project's science
 * notes; they are not tuned to produce the paper's ordering. At CPU scale and small budgets the smaller
 * models often win — the size that wins grows with the budget — which the walkthrough explains.
 *
 * @module
 */
import { MLM_RUN_DEFAULTS, mlmRun, type MlmRunConfig } from "../experiments/mlm_run.ts";
import type { ModelSize } from "../experiments/kind_config.ts";
import { runStudy, type StudyResult } from "../study/runner.ts";
import { checkKeys, checkNumber, OptionError } from "../util/options.ts";
import {
  CELL_OPTION_KEYS,
  type CellOptions,
  cellResult,
  presetRun,
  resolveScale,
  resolveSeeds,
  type Scale,
  seedLabel,
  studyOptions,
} from "./cell.ts";
import { PERPLEXITY, sizeLabel, sizeSweepFigures } from "./size_figures.ts";

/** A model size: layers × width (heads and feed-forward derived unless given). */
export type SweepSize = { layers: number; width: number; heads?: number; ffn?: number };

/** Options of {@linkcode pretrainSweep}: the cell's own, any `mlm` run field, and the common cell options. */
export interface PretrainSweepOptions extends CellOptions, Partial<Omit<MlmRunConfig, "model" | "seed">> {
  /** Model sizes to train (default: the scale's preset; a depth series and a width series through one size). */
  sizes?: SweepSize[];
  /** With `widths`: the full grid of depths × widths instead of `sizes`. */
  layers?: number[];
  /** With `layers`: the full grid of depths × widths instead of `sizes`. */
  widths?: number[];
  /** The study's name (its store is `runs/<name>`). Default `pretrain-<scale>`. */
  name?: string;
}

/** The sizes and run fields of a scale. */
export interface PretrainPreset {
  /** Model sizes (layers × width). */
  sizes: SweepSize[];
  /** Fields of every `mlm` run. */
  run: Partial<MlmRunConfig>;
}

/** The presets: smoke (< 1 min, tests), demo (≤ 10 min on 2 CPU cores), full (paper-like, GPU or cluster). */
export const PRETRAIN_SWEEP_PRESETS: Readonly<Record<Scale, PretrainPreset>> = Object.freeze({
  smoke: {
    // three tiny sizes: a depth pair and a width pair through 1×32
    sizes: [{ layers: 1, width: 32 }, { layers: 2, width: 32 }, { layers: 1, width: 64 }],
    run: {
      seconds: 5,
      batchSize: 8,
      seqLen: 32,
      evaluations: 4,
      validationBatches: 4,
      data: { vocabSize: 512, splitSeed: 0, path: null },
    },
  },
  demo: {
    // a width series (64, 128, 256 at 2 layers) and a depth series (1, 2, 4 layers at width 128): five
    // runs of 90 s, about 8–9 minutes on 2 cores with evaluation
    sizes: [
      { layers: 2, width: 64 },
      { layers: 2, width: 128 },
      { layers: 2, width: 256 },
      { layers: 1, width: 128 },
      { layers: 4, width: 128 },
    ],
    run: { seconds: 90, batchSize: 32, seqLen: 64, evaluations: 12, validationBatches: 16 },
  },
  full: {
    // RoBERTa-like shapes around 6 × 768 (for a GPU or a cluster; give your own corpus with data.path)
    sizes: [
      { layers: 3, width: 768 },
      { layers: 6, width: 768 },
      { layers: 12, width: 768 },
      { layers: 24, width: 768 },
      { layers: 6, width: 256 },
      { layers: 6, width: 512 },
      { layers: 6, width: 1024 },
    ],
    run: {
      seconds: 3600,
      batchSize: 128,
      seqLen: 128,
      evaluations: 24,
      validationBatches: 32,
      data: { vocabSize: 8192, splitSeed: 0, path: null },
    },
  },
});

const OWN_KEYS = ["sizes", "layers", "widths", "name"];
const RUN_KEYS = Object.keys(MLM_RUN_DEFAULTS).filter((k) => k !== "model" && k !== "seed");

function sizeOf(s: SweepSize, i: number): ModelSize {
  const where = "pretrainSweep";
  checkKeys(where, s, ["layers", "width", "heads", "ffn"], `sizes[${i}].`);
  checkNumber(where, `sizes[${i}].layers`, s.layers, { integer: true, min: 1 });
  checkNumber(where, `sizes[${i}].width`, s.width, { integer: true, min: 1 });
  return { layers: s.layers, width: s.width, heads: s.heads ?? null, ffn: s.ffn ?? null };
}

/**
 * Pretrains each model size under the same wall-clock budget and returns the study: `records` (one row per
 * evaluation: seconds, step, valLoss, valPerplexity, model.layers, model.width, seed, …), `runs` (one row
 * per run with params and FLOPs per token) and three figures — perplexity against seconds, against steps,
 * and final perplexity against parameters (depth and width panels). Cached and resumable through the store.
 *
 * @example
 * ```ts ignore
 * import { pretrainSweep, show } from "trainlarge";
 * const study = await pretrainSweep({ scale: "demo" }); // 5 sizes × 90 s
 * for (const figure of study.figures) await show(figure);
 * ```
 */
export async function pretrainSweep(options: PretrainSweepOptions = {}): Promise<StudyResult> {
  const where = "pretrainSweep";
  checkKeys(where, options, [...CELL_OPTION_KEYS, ...OWN_KEYS, ...RUN_KEYS]);
  const scale = resolveScale(where, options.scale);
  const seeds = resolveSeeds(where, options.seeds);
  const preset = PRETRAIN_SWEEP_PRESETS[scale];
  let sizes: ModelSize[];
  if (options.layers !== undefined || options.widths !== undefined) {
    if (options.sizes !== undefined) {
      throw new OptionError(where, "sizes", "give either `sizes` or `layers` × `widths`, not both");
    }
    const layers = options.layers ?? [...new Set(preset.sizes.map((s) => s.layers))];
    const widths = options.widths ?? [...new Set(preset.sizes.map((s) => s.width))];
    sizes = layers.flatMap((l) => widths.map((w) => ({ layers: l, width: w }))).map(sizeOf);
  } else {
    const given = options.sizes ?? preset.sizes;
    if (!Array.isArray(given) || given.length === 0) {
      throw new OptionError(where, "sizes", "`sizes` must be a non-empty list of { layers, width }");
    }
    sizes = given.map(sizeOf);
  }
  const run = presetRun(preset.run, options, RUN_KEYS);
  const name = options.name ?? `pretrain-${scale}`;
  return await cellResult(runStudy({
    name,
    kind: mlmRun,
    base: run as Partial<MlmRunConfig>,
    runs: sizes.map((model) => ({ model })),
    seeds,
    label: (c) => sizeLabel(c.model.layers, c.model.width) + seedLabel(seeds, c.seed),
    figures: ({ records, runs }) => sizeSweepFigures(records, runs, PERPLEXITY),
  }, studyOptions(options, name)));
}
