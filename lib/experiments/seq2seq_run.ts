/**
 * The `seq2seq` run kind: encoder-decoder translation training under a wall-clock budget (or a step count)
 * on the bundled English→French generator or on line-aligned parallel files. At every evaluation point a
 * hook decodes the validation sources (greedy, or beam search with `decode.beamSize` > 1; both with the
 * key/value cache) and scores the detokenized outputs against the reference text with sacreBLEU's corpus
 * BLEU (13a tokenization); that time is excluded from the budget and recorded as `decodeSeconds`.
 *
 * Parallel files: `data.srcPath` and `data.tgtPath`, line i of one translating line i of the other; the last
 * `data.validation` pairs are held out for validation, and a joint BPE of `data.vocabSize` is trained on the
 * rest.
 *
 * Shapes: B = sentences in a decoding batch, S = longest source + 1 (`</s>`).
 *
 * @module
 */
import type { BpeTokenizer } from "../data/bpe_tokenizer.ts";
import { trainBpe } from "../data/bpe_train.ts";
import { readParallelFiles, type TextPair } from "../data/parallel_files.ts";
import { seq2seqBatches, type TokenizedPair } from "../data/seq2seq_batches.ts";
import { saveTokenizer } from "../data/tokenizer_json.ts";
import { loadTranslationTokenized } from "../data/translation_tokenized.ts";
import { bleu } from "../metrics/bleu.ts";
import { beamSearch, greedyDecode } from "../model/decode.ts";
import { disposeParams, type Params } from "../model/params.ts";
import { paramCount } from "../model/size.ts";
import { initSeq2Seq } from "../model/seq2seq.ts";
import { type Seq2SeqConfig, seq2seqConfig } from "../model/seq2seq_config.ts";
import { createAdamW, disposeAdamW } from "../train/adamw.ts";
import type { EvalHook } from "../train/loop.ts";
import { seq2seqTask } from "../train/task.ts";
import { checkNumber } from "../util/options.ts";
import { keepLast } from "../util/keep_last.ts";
import { filesFingerprint } from "./file_fingerprint.ts";
import {
  checkPathOrNull,
  checkTrainingLength,
  mergeConfig,
  modelSizeShape,
  type TrainingLength,
} from "./kind_config.ts";
import type { Json, RunKind } from "./run_kind.ts";
import { runTraining } from "./run_training.ts";

/** Encoder-decoder size: heads = width / 64 (≥ 1) and ffn = 4 × width unless given. */
export type Seq2SeqSize = {
  /** Encoder layers. */
  encoderLayers: number;
  /** Decoder layers. */
  decoderLayers: number;
  /** Model width C. */
  width: number;
  /** Attention heads; null: width / 64 (at least 1, lowered to a divisor of width; `modelShape`). */
  heads: number | null;
  /** Feed-forward width; null: 4 × width. */
  ffn: number | null;
};

/** Where a `seq2seq` run's sentence pairs come from. */
export type Seq2SeqData = {
  /** Training pairs generated (ignored with files). */
  train: number;
  /** Validation pairs (generated, or held out from the end of the files): BLEU's test set. */
  validation: number;
  /** Joint source/target BPE vocabulary. */
  vocabSize: number;
  /** Seed of the generated corpus. */
  corpusSeed: number;
  /** Source-language file (one sentence a line); null: the bundled generator. */
  srcPath: string | null;
  /** Target-language file, line-aligned with `srcPath`. */
  tgtPath: string | null;
};

/** How the validation set is decoded for BLEU. */
export type Seq2SeqDecode = {
  /** 1: greedy; more: beam search with this many hypotheses. */
  beamSize: number;
  /** α of beam search's length normalisation (fairseq's lenpen). */
  lengthPenalty: number;
  /** Sentences decoded together. */
  batchSize: number;
};

/** Config of a `seq2seq` run. */
export type Seq2SeqRunConfig = TrainingLength & {
  /** Model size. */
  model: Seq2SeqSize;
  /** Tokens per batch, padding counted (fairseq's --max-tokens). */
  maxTokens: number;
  /** Longest side in tokens (longer ones are truncated); also bounds decoding. */
  maxLen: number;
  /** Label smoothing of the training loss (validation loss is plain cross-entropy). */
  labelSmoothing: number;
  /** The sentence pairs. */
  data: Seq2SeqData;
  /** Decoding for BLEU. */
  decode: Seq2SeqDecode;
};

/** Frozen defaults of a `seq2seq` run. */
export const SEQ2SEQ_RUN_DEFAULTS: Readonly<Seq2SeqRunConfig> = Object.freeze({
  model: Object.freeze({ encoderLayers: 2, decoderLayers: 2, width: 128, heads: null, ffn: null }),
  seconds: 120,
  maxSteps: null,
  maxTokens: 2048, // ~100 pairs of ~20 tokens: a CPU step of a few hundred ms at the default size
  maxLen: 48, // generated sentences are far shorter; guards files with very long lines
  peakLr: 1e-3, // small Transformers take a higher peak than Vaswani et al.'s base (7e-4 at 4k warmup)
  labelSmoothing: 0.1, // Vaswani et al. 2017
  evaluations: 6,
  seed: 0,
  data: Object.freeze({
    train: 20_000, // more pairs than a CPU run sees in minutes: no repetition to confound model size
    validation: 200, // decoded at every evaluation: BLEU within ~1 point, decoding a few seconds
    vocabSize: 2000, // the generated corpus has ~3.4k word types; a 2k joint BPE keeps the softmax cheap
    corpusSeed: 0,
    srcPath: null,
    tgtPath: null,
  }),
  decode: Object.freeze({ beamSize: 1, lengthPenalty: 1, batchSize: 50 }),
}) as Readonly<Seq2SeqRunConfig>;

function seq2seqRunConfig(overrides?: Partial<Seq2SeqRunConfig>): Seq2SeqRunConfig {
  const w = "seq2seq";
  const c = mergeConfig(w, SEQ2SEQ_RUN_DEFAULTS, overrides, ["model", "data", "decode"]);
  checkTrainingLength(w, c);
  encoderShape(c);
  checkNumber(w, "model.decoderLayers", c.model.decoderLayers, { min: 1, integer: true });
  checkNumber(w, "maxTokens", c.maxTokens, { min: 2, integer: true });
  checkNumber(w, "maxLen", c.maxLen, { min: 1, max: c.maxTokens - 1, integer: true });
  checkNumber(w, "labelSmoothing", c.labelSmoothing, { min: 0, below: 1 });
  checkNumber(w, "data.train", c.data.train, { min: 1, integer: true });
  checkNumber(w, "data.validation", c.data.validation, { min: 1, integer: true });
  checkNumber(w, "data.vocabSize", c.data.vocabSize, { min: 300, integer: true });
  checkNumber(w, "data.corpusSeed", c.data.corpusSeed, { min: 0, integer: true });
  checkPathOrNull(w, "data.srcPath", c.data.srcPath);
  checkPathOrNull(w, "data.tgtPath", c.data.tgtPath);
  if ((c.data.srcPath === null) !== (c.data.tgtPath === null)) {
    throw new Error(
      "seq2seq: give both data.srcPath and data.tgtPath (parallel files), or neither (generator)",
    );
  }
  checkNumber(w, "decode.beamSize", c.decode.beamSize, { min: 1, integer: true });
  checkNumber(w, "decode.lengthPenalty", c.decode.lengthPenalty, { min: 0 });
  checkNumber(w, "decode.batchSize", c.decode.batchSize, { min: 1, integer: true });
  return c;
}

function encoderShape(c: Seq2SeqRunConfig) {
  const { encoderLayers, ...rest } = c.model;
  return modelSizeShape("seq2seq", { layers: encoderLayers, ...rest }, "model");
}

/** The encoder-decoder a `seq2seq` config trains, for a vocabulary of `vocabSize`. */
export function seq2seqModelConfig(c: Seq2SeqRunConfig, vocabSize: number): Seq2SeqConfig {
  const { numLayers, ...shape } = encoderShape(c);
  return seq2seqConfig({
    ...shape,
    encoderLayers: numLayers,
    decoderLayers: c.model.decoderLayers,
    maxPositions: c.maxLen + 1, // `</s>` after the longest source; `<s>` before the longest target
    vocabSize,
  });
}

/**
 * Estimated training FLOPs per (source or target) token, sources and targets taken as equally long: 6 ×
 * the linear weights each token passes (encoder: 4C² + 2CF per layer; decoder: 8C² + 2CF, with
 * cross-attention), halved between the two sides, plus attention (12·T·C per layer and token, the decoder
 * twice) and the output projection 6·C·V on target tokens, with T = `maxLen` (an upper bound).
 */
export function seq2seqFlopsPerToken(m: Seq2SeqConfig, seqLen: number): number {
  const c = m.hiddenSize, f = m.intermediateSize;
  const encoder = m.encoderLayers * (4 * c * c + 2 * c * f),
    decoder = m.decoderLayers * (8 * c * c + 2 * c * f);
  return 3 * (encoder + decoder) + 6 * seqLen * c * (m.encoderLayers + 2 * m.decoderLayers) +
    3 * c * m.vocabSize;
}

/** Tokenized pairs, the tokenizer, and the validation references as text. */
export interface TranslationData {
  /** The joint BPE. */
  tokenizer: BpeTokenizer;
  /** Training pairs as ids. */
  train: TokenizedPair[];
  /** Validation pairs as ids. */
  validation: TokenizedPair[];
  /** The validation targets as text (BLEU's references). */
  references: string[];
}

/** The pairs a `seq2seq` config reads (the last ones are kept in memory for the next run of a study). */
export const translationData: (d: Seq2SeqData) => Promise<TranslationData> = keepLast(readTranslationData);

async function readTranslationData(d: Seq2SeqData): Promise<TranslationData> {
  if (d.srcPath === null) {
    const t = await loadTranslationTokenized({
      seed: d.corpusSeed,
      train: d.train,
      validation: d.validation,
      test: 0,
      vocabSize: d.vocabSize,
    });
    return {
      tokenizer: t.tokenizer,
      train: t.train,
      validation: t.validation,
      references: t.text.validation.map((p) => p.tgt),
    };
  }
  const pairs: TextPair[] = [];
  for await (const p of readParallelFiles(d.srcPath, d.tgtPath!)) pairs.push(p);
  if (pairs.length <= d.validation) {
    throw new Error(
      `seq2seq: ${d.srcPath} has ${pairs.length} pairs, not more than data.validation (${d.validation}); ` +
        `lower data.validation or give more pairs`,
    );
  }
  const train = pairs.slice(0, pairs.length - d.validation), held = pairs.slice(pairs.length - d.validation);
  const tokenizer = trainBpe(train.flatMap((p) => [p.src, p.tgt]), { vocabSize: d.vocabSize });
  const encode = (ps: typeof pairs) =>
    ps.map((p) => ({ src: tokenizer.encode(p.src), tgt: tokenizer.encode(p.tgt) }));
  return { tokenizer, train: encode(train), validation: encode(held), references: held.map((p) => p.tgt) };
}

/**
 * Decodes the sources of `data.validation` (truncated to `maxLen`, `decode.batchSize` at a time, greedy or
 * beam) and detokenizes the outputs.
 */
export async function decodeSources(
  params: Params,
  model: Seq2SeqConfig,
  data: Pick<TranslationData, "tokenizer" | "validation">,
  decode: Seq2SeqDecode,
  maxLen: number,
): Promise<string[]> {
  const { bos, eos, pad } = data.tokenizer.special;
  const options = { bos, eos, maxLength: maxLen + 1 };
  const hypotheses: string[] = [];
  for (let from = 0; from < data.validation.length; from += decode.batchSize) {
    const rows = data.validation.slice(from, from + decode.batchSize)
      .map((p) => [...Array.from(p.src).slice(0, maxLen), eos]);
    const S = Math.max(...rows.map((r) => r.length));
    const source = {
      batchSize: rows.length,
      srcLen: S,
      srcIds: new Int32Array(rows.length * S).fill(pad), // (B, S)
      srcMask: new Uint8Array(rows.length * S),
    };
    rows.forEach((r, b) => {
      source.srcIds.set(r, b * S);
      source.srcMask.fill(1, b * S, b * S + r.length);
    });
    const ids = decode.beamSize === 1
      ? await greedyDecode(params, source, model, options)
      : await beamSearch(params, source, model, {
        ...options,
        beamSize: decode.beamSize,
        lengthPenalty: decode.lengthPenalty,
      });
    for (const h of ids) hypotheses.push(data.tokenizer.decode(h));
  }
  return hypotheses;
}

/**
 * An evaluation hook decoding the validation sources (`decodeSources`) and scoring them with corpus BLEU
 * (13a) against `data.references`: `{ bleu, decodeSeconds }`.
 */
export function bleuHook(
  model: Seq2SeqConfig,
  data: Pick<TranslationData, "tokenizer" | "validation" | "references">,
  decode: Seq2SeqDecode,
  maxLen: number,
): EvalHook {
  return async ({ params }) => {
    const start = performance.now();
    const hypotheses = await decodeSources(params, model, data, decode, maxLen);
    const score = bleu(hypotheses, [data.references]);
    return { bleu: score.score, decodeSeconds: (performance.now() - start) / 1000 };
  };
}

/**
 * Translation training. Records: the loop's fields plus `bleu` (corpus BLEU of the decoded validation set,
 * 0–100) and `decodeSeconds` (also inside `evalSeconds`); the summary adds `params` and `flopsPerToken` and
 * ends with the last evaluation's metrics. The run directory keeps `checkpoint/` (model: `Seq2SeqConfig`)
 * and `tokenizer.json`.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { seq2seqRun } from "./seq2seq_run.ts";
 * const c = seq2seqRun.config({ decode: { beamSize: 4, lengthPenalty: 1, batchSize: 50 } });
 * assert(c.decode.beamSize === 4 && c.model.width === 128);
 * ```
 */
export const seq2seqRun: RunKind<Seq2SeqRunConfig> = {
  name: "seq2seq",
  defaults: SEQ2SEQ_RUN_DEFAULTS,
  config: seq2seqRunConfig,
  fingerprint: async (c) => {
    const d = c.data;
    return d.srcPath === null
      ? `translation-generator/seed${d.corpusSeed}/${d.train}+${d.validation}/bpe${d.vocabSize}`
      : `parallel/${await filesFingerprint([d.srcPath, d.tgtPath!])}/${d.validation}/bpe${d.vocabSize}`;
  },
  parents: () => ({}),
  async *run(config, context) {
    const c = seq2seqRunConfig(config);
    const data = await translationData(c.data);
    await saveTokenizer(data.tokenizer, `${context.dir}/tokenizer.json`);
    const model = seq2seqModelConfig(c, data.tokenizer.vocabSize);
    const params = initSeq2Seq(model, c.seed);
    const optimizer = createAdamW(params);
    try {
      const batches = { maxTokens: c.maxTokens, maxLen: c.maxLen };
      const validation = seq2seqBatches(data.validation, data.tokenizer, { ...batches, seed: 1 });
      return yield* runTraining({
        length: c,
        context,
        task: seq2seqTask(params, model, { labelSmoothing: c.labelSmoothing }),
        optimizer,
        source: seq2seqBatches(data.train, data.tokenizer, { ...batches, seed: c.seed }),
        validation: Array.from({ length: validation.batchesPerEpoch }, () => validation.next()),
        evalHooks: [bleuHook(model, data, c.decode, c.maxLen)],
        model: model as unknown as Json,
        params: paramCount(params),
        flopsPerToken: seq2seqFlopsPerToken(model, c.maxLen),
      });
    } finally {
      disposeAdamW(optimizer);
      disposeParams(params);
    }
  },
};
