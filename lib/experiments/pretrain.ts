/**
 * One masked-LM pretraining run on the bundled WordNet corpus under a wall-clock budget: the unit that
 * the demo, the notebooks and (later) `pretrainSweep` are made of.
 *
 * @module
 */
import { checkVocabulary, ENCODER_DEFAULTS, type EncoderConfig, encoderConfig } from "../model/config.ts";
import { checkKeys, checkNumber, OptionError } from "../util/options.ts";
import { initEncoder } from "../model/encoder.ts";
import { disposeParams } from "../model/params.ts";
import { paramCount } from "../model/size.ts";
import { type AdamW, createAdamW, disposeAdamW } from "../train/adamw.ts";
import { loadCheckpoint } from "../train/checkpoint.ts";
import { latestCheckpoint } from "../train/checkpoint_store.ts";
import { type TrainerState, type TrainRecord, trainRecords, type TrainResult } from "../train/loop.ts";
import { budgetSchedule } from "../train/schedule.ts";
import { mlmTask } from "../train/task.ts";
import { mlmBatches, mlmValidationBatches } from "../data/mlm_batches.ts";
import { loadWordNetTokenized, type WordNetTokenized } from "../data/wordnet_tokenized.ts";

/** Options of {@linkcode pretrainMlm}; every field has a default. */
export interface PretrainOptions {
  /**
   * Model shape; `vocabSize` is taken from the tokenizer, and `numHeads` / `intermediateSize` follow
   * `hiddenSize` (width / 64 heads, 4 × width) unless given (see `modelShape`).
   */
  model?: Partial<Omit<EncoderConfig, "vocabSize">>;
  /** Training seconds (evaluation excluded). */
  seconds?: number;
  /** Sequences per step. */
  batchSize?: number;
  /** Tokens per sequence, `<s>` included. */
  seqLen?: number;
  /** Peak learning rate of the budget schedule (linear warmup over 6% of the budget, linear decay). */
  peakLr?: number;
  /** Validation batches (fixed masking) evaluated at each log point. */
  validationBatches?: number;
  /** Log points per run. */
  evaluations?: number;
  /** Seed of initialisation, data order, masking and dropout. */
  seed?: number;
  /** Tokenized corpus; WordNet with a `DEMO_VOCAB_SIZE` BPE (cached under `.cache/`) when absent. */
  data?: Pick<WordNetTokenized, "tokenizer" | "train" | "validation">;
  /** Fields folded into every record (run name, sweep coordinates, …). */
  tags?: Record<string, string | number | boolean>;
  /** Stops the run at the next step. */
  signal?: AbortSignal;
  /** Milliseconds clock the budget is measured with; default `performance.now` (tests inject a fake one). */
  clock?: () => number;
  /**
   * A checkpoint directory. The run saves there when it ends or is interrupted (the notebook's stop
   * button: it then throws an `InterruptedError`); a run started on a directory holding a checkpoint
   * continues it, so running an interrupted cell again resumes where it stopped. The options must be the
   * ones the checkpoint was saved with (an error names the first that differs). Default: none.
   */
  checkpoint?: string;
}

/** Vocabulary of the default tokenizer: a 2k BPE keeps the tied output layer cheap on a CPU. */
export const DEMO_VOCAB_SIZE = 2048;

/** Defaults: the S benchmark shape — a model that makes hundreds of steps a minute on 2 CPU cores. */
export const PRETRAIN_DEFAULTS: Readonly<{
  model: Readonly<{
    numLayers: number;
    hiddenSize: number;
    maxPositions: number;
  }>;
  seconds: number;
  batchSize: number;
  seqLen: number;
  peakLr: number;
  validationBatches: number;
  evaluations: number;
  seed: number;
}> = Object.freeze({
  model: Object.freeze({
    numLayers: 2,
    hiddenSize: 128, // 2 heads of 64 and a 512-wide feed-forward, derived by modelShape
    maxPositions: 64,
  }),
  seconds: 60,
  batchSize: 32,
  seqLen: 64,
  peakLr: 1e-3, // small models tolerate (and need, in minutes) a higher peak than RoBERTa-base's 6e-4
  validationBatches: 16,
  evaluations: 12,
  seed: 0,
});

const PRETRAIN_KEYS = [
  "model",
  "seconds",
  "batchSize",
  "seqLen",
  "peakLr",
  "validationBatches",
  "evaluations",
  "seed",
  "data",
  "tags",
  "signal",
  "clock",
  "checkpoint",
];

function checkPretrainOptions(o: PretrainOptions): void {
  const w = "pretrainMlm";
  checkKeys(w, o, PRETRAIN_KEYS);
  checkKeys(w, o.model, Object.keys(ENCODER_DEFAULTS).filter((k) => k !== "vocabSize"), "model.");
  checkNumber(w, "seconds", o.seconds, { above: 0 }); // no step limit here, so no Infinity
  checkNumber(w, "batchSize", o.batchSize, { min: 1, integer: true });
  checkNumber(w, "seqLen", o.seqLen, { min: 2, integer: true });
  checkNumber(w, "peakLr", o.peakLr, { above: 0 });
  checkNumber(w, "validationBatches", o.validationBatches, { min: 1, integer: true });
  checkNumber(w, "evaluations", o.evaluations, { min: 1, integer: true });
  checkNumber(w, "seed", o.seed);
  if (o.checkpoint !== undefined && (typeof o.checkpoint !== "string" || o.checkpoint === "")) {
    throw new OptionError(
      w,
      "checkpoint",
      `checkpoint must be a directory path, got ${JSON.stringify(o.checkpoint)}`,
    );
  }
}

/**
 * Trains a fresh RoBERTa-style encoder with masked-LM for `seconds` and yields a flat record per log point
 * (`step, seconds, tokens, trainLoss, valLoss, valPerplexity, lr, …` plus `params` and the tags); the
 * generator returns how the run ended. Tensors are disposed when the generator finishes.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { useBackend } from "../backend/use_backend.ts";
 * import { pretrainMlm } from "./pretrain.ts";
 * import { loadWordNetTokenized } from "../data/wordnet_tokenized.ts";
 * await useBackend("cpu");
 * const data = await loadWordNetTokenized({ vocabSize: 300 });
 * const model = { numLayers: 1, hiddenSize: 16, intermediateSize: 32, maxPositions: 16 }; // 1 head (16 / 64)
 * const run = pretrainMlm({ data, model, seconds: 2, batchSize: 4, seqLen: 16, validationBatches: 2 });
 * let last;
 * for await (const record of run) last = record;
 * assert(last !== undefined && last.valLoss !== null && Number(last.params) > 0);
 * ```
 */
export async function* pretrainMlm(options: PretrainOptions = {}): AsyncGenerator<TrainRecord, TrainResult> {
  checkPretrainOptions(options);
  const o = { ...PRETRAIN_DEFAULTS, ...options };
  const data = o.data ?? await loadWordNetTokenized({ seed: o.seed, vocabSize: DEMO_VOCAB_SIZE });
  const tok = data.tokenizer;
  const config = encoderConfig({
    ...PRETRAIN_DEFAULTS.model,
    maxPositions: Math.max(o.seqLen, o.model?.maxPositions ?? 0),
    ...o.model,
    vocabSize: tok.vocabSize,
  });
  checkVocabulary(config, tok, "pretrainMlm");
  const batchOptions = { batchSize: o.batchSize, seqLen: o.seqLen };
  const validation = mlmValidationBatches(
    data.validation,
    tok,
    { ...batchOptions, seed: 1 },
    o.validationBatches,
  );
  const params = initEncoder(config, o.seed);
  const optimizer = createAdamW(params);
  // What must match for a checkpoint to continue this run.
  const identity = {
    model: config,
    seconds: o.seconds,
    batchSize: o.batchSize,
    seqLen: o.seqLen,
    peakLr: o.peakLr,
    validationBatches: o.validationBatches,
    evaluations: o.evaluations,
    seed: o.seed,
  };
  try {
    const resume = o.checkpoint === undefined
      ? undefined
      : await resumeFrom(o.checkpoint, identity, params, optimizer);
    return yield* trainRecords({
      task: mlmTask(params, config),
      optimizer,
      source: mlmBatches(data.train, tok, { ...batchOptions, seed: o.seed }),
      schedule: budgetSchedule(o.seconds, { peakLr: o.peakLr }),
      validation,
      seconds: o.seconds,
      evalEvery: { seconds: o.seconds / o.evaluations },
      seed: o.seed,
      signal: o.signal,
      clock: o.clock,
      resume,
      checkpoint: o.checkpoint === undefined ? undefined : { dir: o.checkpoint, config: identity },
      tags: {
        params: paramCount(config),
        layers: config.numLayers,
        width: config.hiddenSize,
        heads: config.numHeads,
        intermediateSize: config.intermediateSize,
        batchSize: o.batchSize,
        seqLen: o.seqLen,
        ...o.tags,
      },
    });
  } finally {
    disposeAdamW(optimizer);
    disposeParams(params);
  }
}

/** Loads the newest checkpoint under `root` into `params` and `optimizer`; its trainer state, or undefined. */
async function resumeFrom(
  root: string,
  identity: Record<string, unknown>,
  params: ReturnType<typeof initEncoder>,
  optimizer: AdamW,
): Promise<TrainerState | undefined> {
  const dir = await latestCheckpoint(root);
  if (dir === null) return undefined;
  const saved = await readJson(`${dir}/config.json`);
  for (const [key, value] of Object.entries(identity)) {
    const [was, now] = [JSON.stringify(saved?.[key]), JSON.stringify(value)];
    if (was !== now) {
      throw new Error(
        `pretrainMlm: the checkpoint in ${root} was saved with ${key} ${was} but this call has ${now}; ` +
          `pass the same options to resume, or another checkpoint directory to start afresh`,
      );
    }
  }
  const { trainer } = await loadCheckpoint(dir, { params, optimizer });
  if (!trainer) throw new Error(`pretrainMlm: ${dir} has no trainer_state.json; it cannot be resumed`);
  return trainer;
}

async function readJson(path: string): Promise<Record<string, unknown> | null> {
  try {
    return JSON.parse(await Deno.readTextFile(path));
  } catch (error) {
    throw new Error(`${path}: ${(error as Error).message}`);
  }
}
