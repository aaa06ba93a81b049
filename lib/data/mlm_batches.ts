/**
 * Masked-language-model batches (RoBERTa "full sentences"): documents are shuffled each epoch, joined
 * with `</s>`, and cut into rows of exactly T tokens (`<s>` + T-1 corpus tokens), so no position is
 * wasted on padding except in the final row of an epoch (whose last batch may also have fewer than B rows;
 * `batchSize` says how many). Masking is dynamic (drawn anew for every
 * batch): each non-special token is chosen with probability `maskProb`; a chosen token becomes `<mask>`
 * (80%), a random non-special token (10%) or stays (10%).
 *
 * Shapes: B = batchSize, T = seqLen, M = masked positions in the batch.
 *
 * @module
 */
import { createRng } from "../util/random.ts";
import { checkKeys } from "../util/options.ts";
import type { MlmBatch, Tokenizer } from "./types.ts";
import { type BatchPosition, type BatchStream, batchStream, checkPositiveInt } from "./batch_stream.ts";

/** Options for `mlmBatches`. */
export interface MlmBatchOptions {
  /** B: rows per batch. */
  batchSize: number;
  /** T: tokens per row, `<s>` included. */
  seqLen: number;
  /** Seeds the per-epoch document shuffle and the per-batch masking. */
  seed?: number;
  /** Probability that a token is chosen for prediction (BERT/RoBERTa: 0.15). */
  maskProb?: number;
  /** Of the chosen tokens, the fraction replaced by `<mask>` (BERT: 0.8). */
  maskTokenFrac?: number;
  /** Of the chosen tokens, the fraction replaced by a random token (BERT: 0.1); the rest stay unchanged. */
  randomTokenFrac?: number;
  /** Where to start (from `iterator.position()` of an earlier run). */
  start?: BatchPosition;
}

/** BERT's masking recipe. */
export const MLM_DEFAULTS: Readonly<
  { seed: number; maskProb: number; maskTokenFrac: number; randomTokenFrac: number }
> = Object.freeze({
  seed: 0,
  maskProb: 0.15,
  maskTokenFrac: 0.8,
  randomTokenFrac: 0.1,
});

/**
 * An endless iterator of MLM batches over tokenized documents (ids without special tokens).
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { mlmBatches } from "./mlm_batches.ts";
 * const tok = { vocabSize: 50, special: { bos: 0, pad: 1, eos: 2, unk: 3, mask: 4 }, encode: () => [], decode: () => "" };
 * const docs = [[10, 11, 12], [13, 14], [15, 16, 17, 18]];
 * const it = mlmBatches(docs, tok, { batchSize: 2, seqLen: 4, seed: 1 });
 * const b = it.next();
 * assert(b.inputIds.length === 8 && b.inputIds[0] === 0 && b.maskedPositions.length === b.maskedLabels.length);
 * assert(it.batchesPerEpoch === 2); // 3 + 2 + 4 tokens + 2 separators = 11 → 4 rows of 3
 * ```
 */
export function mlmBatches(
  docs: readonly ArrayLike<number>[],
  tok: Pick<Tokenizer, "vocabSize" | "special">,
  options: MlmBatchOptions,
): BatchStream<MlmBatch> {
  checkKeys("mlmBatches", options, [
    "batchSize",
    "seqLen",
    "seed",
    "maskProb",
    "maskTokenFrac",
    "randomTokenFrac",
    "start",
  ]);
  const o = { ...MLM_DEFAULTS, ...options };
  const B = checkPositiveInt(o.batchSize, "batchSize", "mlmBatches");
  const T = o.seqLen;
  if (!Number.isInteger(T) || T < 2) {
    throw new Error(`mlmBatches: seqLen must be an integer ≥ 2 (room for <s> and one token), got ${T}`);
  }
  if (!(o.maskProb > 0 && o.maskProb <= 1)) {
    throw new Error(`mlmBatches: maskProb must be in (0, 1], got ${o.maskProb}`);
  }
  if (!(o.maskTokenFrac >= 0 && o.randomTokenFrac >= 0 && o.maskTokenFrac + o.randomTokenFrac <= 1)) {
    throw new Error(`mlmBatches: maskTokenFrac + randomTokenFrac must lie in [0, 1]`);
  }
  let total = 0;
  for (const d of docs) total += d.length;
  if (total === 0) throw new Error(`mlmBatches: the corpus is empty (${docs.length} documents, 0 tokens)`);
  const { bos, eos, pad, mask } = tok.special;
  const specials = new Set(Object.values(tok.special));
  const nonSpecial: number[] = [];
  for (let id = 0; id < tok.vocabSize; id++) if (!specials.has(id)) nonSpecial.push(id);
  const streamLen = total + docs.length - 1; // separators between documents
  const rowsPerEpoch = Math.ceil(streamLen / (T - 1));
  const batchesPerEpoch = Math.ceil(rowsPerEpoch / B);

  let cachedEpoch = -1, stream = new Int32Array(0);
  const epochStream = (epoch: number) => {
    if (epoch === cachedEpoch) return stream;
    const order = createRng(`mlm:${o.seed}:epoch:${epoch}`).shuffle([...docs.keys()]);
    stream = new Int32Array(streamLen);
    let at = 0;
    for (const i of order) {
      if (at > 0) stream[at++] = eos;
      stream.set(docs[i], at);
      at += docs[i].length;
    }
    cachedEpoch = epoch;
    return stream;
  };

  const makeBatch = (epoch: number, batch: number): MlmBatch => {
    const s = epochStream(epoch);
    const rng = createRng(`mlm:${o.seed}:mask:${epoch}:${batch}`);
    const rows = Math.min(B, rowsPerEpoch - batch * B);
    const inputIds = new Int32Array(rows * T).fill(pad);
    const attentionMask = new Uint8Array(rows * T);
    const positions: number[] = [], labels: number[] = [];
    for (let r = 0; r < rows; r++) {
      const from = (batch * B + r) * (T - 1);
      const chunk = s.subarray(from, Math.min(from + T - 1, s.length));
      inputIds[r * T] = bos;
      inputIds.set(chunk, r * T + 1);
      attentionMask.fill(1, r * T, r * T + 1 + chunk.length);
      const choose = (t: number) => {
        positions.push(r * T + t);
        labels.push(chunk[t - 1]);
        const u = rng.next();
        if (u < o.maskTokenFrac) inputIds[r * T + t] = mask;
        else if (u < o.maskTokenFrac + o.randomTokenFrac) {
          inputIds[r * T + t] = nonSpecial[rng.int(nonSpecial.length)];
        }
      };
      const before = positions.length;
      for (let t = 1; t <= chunk.length; t++) {
        if (specials.has(chunk[t - 1]) || rng.next() >= o.maskProb) continue;
        choose(t);
      }
      if (positions.length === before) {
        // A short row (a small corpus, the epoch's last row) may draw no position; predict one token
        // anyway, so no batch is ever without a target (the loss would be undefined).
        const maskable: number[] = [];
        for (let t = 1; t <= chunk.length; t++) if (!specials.has(chunk[t - 1])) maskable.push(t);
        if (maskable.length) choose(maskable[rng.int(maskable.length)]);
      }
    }
    if (positions.length === 0) {
      throw new Error(
        `mlmBatches: batch ${batch} of epoch ${epoch} holds only special tokens, so nothing can be masked; ` +
          `check the corpus (are the documents empty after tokenization?)`,
      );
    }
    return {
      batchSize: rows,
      seqLen: T,
      inputIds,
      attentionMask,
      maskedPositions: Int32Array.from(positions),
      maskedLabels: Int32Array.from(labels),
    };
  };
  return batchStream(batchesPerEpoch, makeBatch, o.start, "mlmBatches");
}

/**
 * The first `count` batches of one pass over `docs` (fixed masking under `options.seed`): a stable
 * validation set.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { mlmValidationBatches } from "./mlm_batches.ts";
 * const tok = { vocabSize: 40, special: { bos: 0, pad: 1, eos: 2, unk: 3, mask: 4 } };
 * const batches = mlmValidationBatches([[10, 11, 12, 13, 14, 15]], tok, { batchSize: 1, seqLen: 4 }, 10);
 * assert(batches.length === 2); // 6 tokens fill two rows of 3, so the pass has 2 batches
 * ```
 */
export function mlmValidationBatches(
  docs: readonly ArrayLike<number>[],
  tok: Pick<Tokenizer, "vocabSize" | "special">,
  options: MlmBatchOptions,
  count: number,
): MlmBatch[] {
  const stream = mlmBatches(docs, tok, options);
  return Array.from({ length: Math.min(count, stream.batchesPerEpoch) }, () => stream.next());
}
