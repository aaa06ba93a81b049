/**
 * `translationSweep`: the paper's translation finding as one notebook cell — encoder-decoder Transformers
 * of several depths and widths, every run under the same wall-clock budget, on the bundled English→French
 * generator (or any parallel files, `data.srcPath` / `data.tgtPath`). At every evaluation point the
 * validation set is decoded (greedy by default, beam search with `decode.beamSize` > 1; both with the
 * key/value cache) and scored with sacreBLEU's corpus BLEU (13a); decoding time is excluded from the budget
 * and recorded (`decodeSeconds`).
 *
 * The presets were chosen before looking at the outcome; they are not tuned to produce the paper's ordering.
 *
 * @module
 */
import { SEQ2SEQ_RUN_DEFAULTS, seq2seqRun, type Seq2SeqRunConfig } from "../experiments/seq2seq_run.ts";
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
import { BLEU, sizeSweepFigures } from "./size_figures.ts";

/** An encoder-decoder size: encoder and decoder layers × width (heads and feed-forward derived). */
export type TranslationSize = { encoderLayers: number; decoderLayers: number; width: number };

/** Options of {@linkcode translationSweep}: its own, any `seq2seq` run field, and the common cell options. */
export interface TranslationSweepOptions
  extends CellOptions, Partial<Omit<Seq2SeqRunConfig, "model" | "seed">> {
  /** Model sizes (default: the scale's preset: a deeper series and a wider series through one size). */
  sizes?: TranslationSize[];
  /** The study's name (its store is `runs/<name>`). Default `translation-<scale>`. */
  name?: string;
}

/** The sizes and run fields of a scale. */
export interface TranslationPreset {
  /** Model sizes. */
  sizes: TranslationSize[];
  /** Fields of every `seq2seq` run. */
  run: Partial<Seq2SeqRunConfig>;
}

const size = (encoderLayers: number, decoderLayers: number, width: number) => ({
  encoderLayers,
  decoderLayers,
  width,
});

/** The presets: smoke (< 1 min, tests), demo (≤ 10 min on 2 CPU cores), full (paper-like, GPU or cluster). */
export const TRANSLATION_SWEEP_PRESETS: Readonly<Record<Scale, TranslationPreset>> = Object.freeze({
  smoke: {
    sizes: [size(1, 1, 32), size(2, 2, 32), size(1, 1, 64)],
    run: {
      seconds: 5,
      maxTokens: 256,
      evaluations: 2,
      data: { train: 2000, validation: 20, vocabSize: 400, corpusSeed: 0, srcPath: null, tgtPath: null },
      decode: { beamSize: 1, lengthPenalty: 1, batchSize: 20 },
    },
  },
  demo: {
    // deeper (1+1 → 2+2 at width 128) and wider (128 → 256 at 2+2): three runs of 180 s plus decoding,
    // about 9.5 minutes on 2 cores. 180 s, not 90: on a quiet 2-core machine no model reached 3 BLEU in 90 s
    // (greedy BLEU takes off only after ~500 steps; docs/FINDINGS.md), so a 90 s budget shows nothing.
    sizes: [size(1, 1, 128), size(2, 2, 128), size(2, 2, 256)],
    run: { seconds: 180, evaluations: 6 },
  },
  full: {
    // Transformer-base-like shapes (Vaswani et al. 2017: 6+6 × 512), for a GPU or a cluster
    sizes: [size(3, 3, 512), size(6, 6, 512), size(12, 12, 512), size(6, 6, 256), size(6, 6, 1024)],
    run: {
      seconds: 3600,
      maxTokens: 8192,
      evaluations: 12,
      data: {
        train: 200_000,
        validation: 1000,
        vocabSize: 8000,
        corpusSeed: 0,
        srcPath: null,
        tgtPath: null,
      },
      decode: { beamSize: 4, lengthPenalty: 1, batchSize: 100 },
    },
  },
});

const RUN_KEYS = Object.keys(SEQ2SEQ_RUN_DEFAULTS).filter((k) => k !== "model" && k !== "seed");

/**
 * Trains each encoder-decoder size under the same wall-clock budget and returns the study: `records` (one
 * row per evaluation: seconds, step, valLoss, bleu, decodeSeconds, model.*, seed, …), `runs` (params, FLOPs
 * per token, final BLEU) and three figures — BLEU against seconds, against steps, and final BLEU against
 * parameters (deeper and wider panels). Cached and resumable through the store.
 *
 * @example
 * ```ts ignore
 * import { show, translationSweep } from "trainlarge";
 * const study = await translationSweep({ scale: "demo", decode: { beamSize: 4, lengthPenalty: 1, batchSize: 50 } });
 * for (const figure of study.figures) await show(figure);
 * ```
 */
export async function translationSweep(options: TranslationSweepOptions = {}): Promise<StudyResult> {
  const where = "translationSweep";
  checkKeys(where, options, [...CELL_OPTION_KEYS, "sizes", "name", ...RUN_KEYS]);
  const scale = resolveScale(where, options.scale);
  const seeds = resolveSeeds(where, options.seeds);
  const preset = TRANSLATION_SWEEP_PRESETS[scale];
  const sizes = options.sizes ?? preset.sizes;
  if (!Array.isArray(sizes) || sizes.length === 0) {
    throw new OptionError(
      where,
      "sizes",
      "`sizes` must be a non-empty list of { encoderLayers, decoderLayers, width }",
    );
  }
  sizes.forEach((s, i) => {
    checkKeys(where, s, ["encoderLayers", "decoderLayers", "width"], `sizes[${i}].`);
    for (const k of ["encoderLayers", "decoderLayers", "width"] as const) {
      checkNumber(where, `sizes[${i}].${k}`, s[k], { integer: true, min: 1 });
    }
  });
  const run = presetRun(preset.run, options, RUN_KEYS);
  const name = options.name ?? `translation-${scale}`;
  return await cellResult(runStudy({
    name,
    kind: seq2seqRun,
    base: run as Partial<Seq2SeqRunConfig>,
    runs: sizes.map((s) => ({ model: { ...s, heads: null, ffn: null } })),
    seeds,
    label: (c) =>
      `${c.model.encoderLayers}+${c.model.decoderLayers}×${c.model.width}` + seedLabel(seeds, c.seed),
    figures: ({ records, runs }) => sizeSweepFigures(records, runs, BLEU),
  }, studyOptions(options, name)));
}
