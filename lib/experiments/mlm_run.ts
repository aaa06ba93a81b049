/**
 * The `mlm` run kind: masked-LM pretraining of a RoBERTa-style encoder under a wall-clock budget (or a step
 * count), on the bundled WordNet corpus or a tokenized corpus on disk. Its final weights and tokenizer stay
 * in the run directory, so `classify` runs can finetune from it.
 *
 * A corpus on disk is a directory with `tokenizer.json` (HF byte-level BPE), `train.txt` and
 * `validation.txt` (one document per line).
 *
 * @module
 */
import { loadTextDocuments } from "../data/text_files.ts";
import type { BpeTokenizer } from "../data/bpe_tokenizer.ts";
import { mlmBatches, mlmValidationBatches } from "../data/mlm_batches.ts";
import { tokenizeCached, type TokenizedDocs } from "../data/token_cache.ts";
import { loadTokenizer, saveTokenizer } from "../data/tokenizer_json.ts";
import { WORDNET_CORPUS_VERSION } from "../data/wordnet.ts";
import { loadWordNetTokenized } from "../data/wordnet_tokenized.ts";
import { type EncoderConfig, encoderConfig } from "../model/config.ts";
import { initEncoder } from "../model/encoder.ts";
import { disposeParams } from "../model/params.ts";
import { flopsPerToken, paramCount } from "../model/size.ts";
import { createAdamW, disposeAdamW } from "../train/adamw.ts";
import { mlmTask } from "../train/task.ts";
import { checkKeys, checkNumber, describe, OptionError } from "../util/options.ts";
import { keepLast } from "../util/keep_last.ts";
import { schedule } from "../train/schedule.ts";
import { filesFingerprint } from "./file_fingerprint.ts";
import {
  checkPathOrNull,
  checkTrainingLength,
  mergeConfig,
  type ModelSize,
  modelSizeShape,
  type TrainingLength,
} from "./kind_config.ts";
import type { Json, RunKind } from "./run_kind.ts";
import { runTraining } from "./run_training.ts";

/** Where an `mlm` run's text comes from. */
export type MlmData = {
  /** Vocabulary of the BPE trained on WordNet's pretraining split (ignored with `path`). */
  vocabSize: number;
  /** Seed of WordNet's pretraining/downstream split (a `classify` child must use the same). */
  splitSeed: number;
  /** A tokenized corpus directory (`tokenizer.json`, `train.txt`, `validation.txt`); null: WordNet. */
  path: string | null;
};

/** Config of an `mlm` run. */
export type MlmRunConfig = TrainingLength & {
  /** Encoder size. */
  model: ModelSize;
  /** Sequences per step. */
  batchSize: number;
  /** Tokens per sequence, `<s>` included (also the position table's length). */
  seqLen: number;
  /** Validation batches (fixed masking) behind `valLoss`. */
  validationBatches: number;
  /** The corpus. */
  data: MlmData;
  // Optional fields for batch-size studies: a field at its default is left out of the merged config, so
  // the identity (hash) of every run that does not use them is the one it had before they existed.
  /** Sequences per micro-batch: gradients are accumulated over batchSize / microBatch of them per step
   * (a divisor of batchSize). Default: batchSize (no accumulation). */
  microBatch?: number;
  /** Stop at the first evaluation whose validation loss is at or below this. Default: none. */
  targetValLoss?: number;
  /** Record the gradient noise scale's squared norms (`gradSqSmall`, `gradSqBig`, `microBatches`; see
   * `trainRecords`); needs microBatch < batchSize. Default false. */
  noiseScale?: boolean;
  /** Linear warmup over this many steps, then a constant learning rate at peakLr (no decay), so a run that
   * stops at a target does not depend on its budget. Default: the budget schedule (see `runSchedule`). */
  warmupSteps?: number;
  /** Sequences per validation batch. Default batchSize; fix it to compare runs of different batch sizes on
   * one validation set (the masks are drawn per batch). */
  validationBatchSize?: number;
};

const EXTRA_KEYS = [
  "microBatch",
  "targetValLoss",
  "noiseScale",
  "warmupSteps",
  "validationBatchSize",
] as const;

/** Frozen defaults of an `mlm` run: the S benchmark shape, which makes hundreds of steps a minute on 2 cores. */
export const MLM_RUN_DEFAULTS: Readonly<MlmRunConfig> = Object.freeze({
  model: Object.freeze({ layers: 2, width: 128, heads: null, ffn: null }), // 0.69M params with a 2k vocabulary
  seconds: 60, // the smallest budget at which sizes separate on a CPU (docs/SCIENCE: 410 vs 520 vs 643 ppl)
  maxSteps: null, // seconds-bounded; set it (and seconds: null) for runs that must replay exactly after a resume
  batchSize: 32,
  seqLen: 64, // WordNet glosses are short: 64 tokens hold several per row
  peakLr: 1e-3, // small models tolerate (and need, in minutes) a higher peak than RoBERTa-base's 6e-4
  evaluations: 12,
  validationBatches: 16, // 512 sequences: validation loss noise well below the differences between sizes
  seed: 0,
  data: Object.freeze({ vocabSize: 2048, splitSeed: 0, path: null }), // a 2k BPE keeps the tied output layer cheap
}) as Readonly<MlmRunConfig>;

function mlmConfig(overrides?: Partial<MlmRunConfig>): MlmRunConfig {
  checkKeys("mlm", overrides, [...Object.keys(MLM_RUN_DEFAULTS), ...EXTRA_KEYS]);
  const { microBatch, targetValLoss, noiseScale, warmupSteps, validationBatchSize, ...rest } = overrides ??
    {};
  const c: MlmRunConfig = mergeConfig("mlm", MLM_RUN_DEFAULTS, rest, ["model", "data"]);
  checkTrainingLength("mlm", c);
  modelSizeShape("mlm", c.model);
  checkNumber("mlm", "batchSize", c.batchSize, { min: 1, integer: true });
  checkNumber("mlm", "seqLen", c.seqLen, { min: 2, integer: true });
  checkNumber("mlm", "validationBatches", c.validationBatches, { min: 1, integer: true });
  checkNumber("mlm", "data.vocabSize", c.data.vocabSize, { min: 300, integer: true });
  checkNumber("mlm", "data.splitSeed", c.data.splitSeed, { min: 0, integer: true });
  checkPathOrNull("mlm", "data.path", c.data.path);
  if (microBatch !== undefined && microBatch !== c.batchSize) {
    checkNumber("mlm", "microBatch", microBatch, { min: 1, integer: true });
    if (c.batchSize % microBatch !== 0) {
      throw new OptionError(
        "mlm",
        "microBatch",
        `microBatch ${microBatch} does not divide batchSize ${c.batchSize}; give a divisor of it`,
      );
    }
    c.microBatch = microBatch;
  }
  if (targetValLoss !== undefined) {
    checkNumber("mlm", "targetValLoss", targetValLoss);
    c.targetValLoss = targetValLoss;
  }
  if (noiseScale !== undefined && noiseScale !== false) {
    if (noiseScale !== true) {
      throw new OptionError(
        "mlm",
        "noiseScale",
        `noiseScale must be true or false, got ${describe(noiseScale)}`,
      );
    }
    if (c.microBatch === undefined) {
      throw new OptionError(
        "mlm",
        "noiseScale",
        "noiseScale needs two batch sizes in one step: give a microBatch smaller than batchSize",
      );
    }
    c.noiseScale = true;
  }
  if (warmupSteps !== undefined) {
    checkNumber("mlm", "warmupSteps", warmupSteps, { min: 0, integer: true });
    c.warmupSteps = warmupSteps;
  }
  if (validationBatchSize !== undefined && validationBatchSize !== c.batchSize) {
    checkNumber("mlm", "validationBatchSize", validationBatchSize, { min: 1, integer: true });
    c.validationBatchSize = validationBatchSize;
  }
  return c;
}

/** The encoder an `mlm` config trains, for a vocabulary of `vocabSize`. */
export function mlmEncoderConfig(c: MlmRunConfig, vocabSize: number): EncoderConfig {
  return encoderConfig({ ...modelSizeShape("mlm", c.model), maxPositions: c.seqLen, vocabSize });
}

const corpusFiles = (path: string) =>
  ["tokenizer.json", "train.txt", "validation.txt"].map((f) => `${path}/${f}`);

/** A corpus as `mlmCorpus` returns it. */
export interface MlmCorpus {
  /** The BPE tokenizer. */
  tokenizer: BpeTokenizer;
  /** Training documents as ids. */
  train: TokenizedDocs;
  /** Validation documents as ids. */
  validation: TokenizedDocs;
}

/** The tokenizer and tokenized splits an `mlm` config reads (the last one is kept in memory). */
export const mlmCorpus: (data: MlmData) => Promise<MlmCorpus> = keepLast(readCorpus);

async function readCorpus(data: MlmData): Promise<MlmCorpus> {
  if (data.path === null) {
    return await loadWordNetTokenized({ seed: data.splitSeed, vocabSize: data.vocabSize });
  }
  const [tokenizerPath, trainPath, validationPath] = corpusFiles(data.path);
  const tokenizer = await loadTokenizer(tokenizerPath);
  const key = `corpus-${await filesFingerprint(corpusFiles(data.path))}`;
  return {
    tokenizer,
    train: await tokenizeCached(await loadTextDocuments(trainPath), tokenizer, { key: `${key}-train` }),
    validation: await tokenizeCached(await loadTextDocuments(validationPath), tokenizer, {
      key: `${key}-validation`,
    }),
  };
}

/** Fingerprint of an `mlm` (or `classify`) run's corpus. */
export async function mlmDataFingerprint(data: MlmData): Promise<string> {
  return data.path === null
    ? `${WORDNET_CORPUS_VERSION}/split${data.splitSeed}/bpe${data.vocabSize}`
    : `corpus/${await filesFingerprint(corpusFiles(data.path))}`;
}

/**
 * Masked-LM pretraining. Records: the loop's (`step, seconds, tokens, trainLoss, valLoss, valPerplexity,
 * lr, gradNorm, evalSeconds, …`); summary: the loop's result plus `params`, `flopsPerToken` and the final
 * `valLoss`/`valPerplexity`. The run directory keeps `checkpoint/` (weights with the MLM head, config
 * `{ model: EncoderConfig }`) and `tokenizer.json`.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { useBackend } from "../backend/use_backend.ts";
 * import { mlmRun } from "./mlm_run.ts";
 * await useBackend("cpu");
 * const config = mlmRun.config({ model: { layers: 1, width: 16, heads: 1, ffn: 32 }, maxSteps: 4, evaluations: 2,
 *   batchSize: 4, seqLen: 16, validationBatches: 1, data: { vocabSize: 300, splitSeed: 0, path: null } });
 * const run = mlmRun.run(config, { dir: await Deno.makeTempDir(), parents: {} });
 * let r = await run.next();
 * while (!r.done) r = await run.next();
 * assert(r.value.status === "max_steps" && r.value.step === 4 && (r.value.valLoss as number) > 0);
 * ```
 */
export const mlmRun: RunKind<MlmRunConfig> = {
  name: "mlm",
  defaults: MLM_RUN_DEFAULTS,
  config: mlmConfig,
  fingerprint: (c) => mlmDataFingerprint(c.data),
  parents: () => ({}),
  async *run(config, context) {
    const c = mlmConfig(config);
    const data = await mlmCorpus(c.data);
    const tok = data.tokenizer;
    await saveTokenizer(tok, `${context.dir}/tokenizer.json`);
    const model = mlmEncoderConfig(c, tok.vocabSize);
    const batch = { batchSize: c.batchSize, seqLen: c.seqLen };
    const micro = c.microBatch ?? c.batchSize;
    const params = initEncoder(model, c.seed);
    const optimizer = createAdamW(params);
    try {
      return yield* runTraining({
        length: c,
        context,
        task: mlmTask(params, model),
        optimizer,
        source: mlmBatches(data.train, tok, { ...batch, batchSize: micro, seed: c.seed }),
        accumulate: c.batchSize / micro,
        targetValLoss: c.targetValLoss,
        noiseScale: c.noiseScale,
        schedule: c.warmupSteps === undefined ? undefined : schedule({
          peakLr: c.peakLr,
          unit: "steps",
          warmup: c.warmupSteps,
          total: 1,
          decay: "constant",
        }),
        validation: mlmValidationBatches(
          data.validation,
          tok,
          { ...batch, batchSize: c.validationBatchSize ?? c.batchSize, seed: 1 },
          c.validationBatches,
        ),
        model: model as unknown as Json,
        params: paramCount(model),
        flopsPerToken: flopsPerToken(model, { seqLen: c.seqLen }),
      });
    } finally {
      disposeAdamW(optimizer);
      disposeParams(params);
    }
  },
};
