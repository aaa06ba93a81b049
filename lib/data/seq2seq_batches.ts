/**
 * Translation batches with length bucketing (fairseq style): pairs are sorted by length (random order
 * within equal lengths), packed greedily into batches whose padded size stays within `maxTokens`, and the
 * batch order is shuffled each epoch. Source rows end in `</s>`; the decoder input is `<s>` + target and
 * the prediction target is target + `</s>` (the target shifted left by one).
 *
 * Shapes: B = pairs in a batch (varies), S = longest source + 1, T = longest target + 1.
 *
 * @module
 */
import { checkKeys } from "../util/options.ts";
import { createRng } from "../util/random.ts";
import type { Seq2SeqBatch, Tokenizer } from "./types.ts";
import { type BatchPosition, type BatchStream, batchStream, checkPositiveInt } from "./batch_stream.ts";

/** A tokenized sentence pair (ids without special tokens). */
export interface TokenizedPair {
  /** Source-sentence token ids. */
  src: ArrayLike<number>;
  /** Target-sentence token ids. */
  tgt: ArrayLike<number>;
}

/** Options for `seq2seqBatches`. */
export interface Seq2SeqBatchOptions {
  /** Budget per batch: B · max(S, T) ≤ maxTokens (padding counted). */
  maxTokens: number;
  /** Sides longer than this (before `</s>`) are truncated; default min(256, maxTokens - 1). */
  maxLen?: number;
  /** Seeds the tie-breaking within lengths and the per-epoch batch order. */
  seed?: number;
  /** Where to start (from `iterator.position()` of an earlier run). */
  start?: BatchPosition;
}

/**
 * An endless iterator of seq2seq batches.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { seq2seqBatches } from "./seq2seq_batches.ts";
 * const tok = { vocabSize: 50, special: { bos: 0, pad: 1, eos: 2, unk: 3, mask: 4 }, encode: () => [], decode: () => "" };
 * const pairs = [{ src: [10, 11], tgt: [20] }, { src: [12], tgt: [21, 22, 23] }];
 * const b = seq2seqBatches(pairs, tok, { maxTokens: 8, seed: 0 }).next();
 * assert(b.batchSize === 2 && b.tgtLen === 4 && b.decoderInputIds[0] === 0);
 * ```
 */
export function seq2seqBatches(
  pairs: readonly TokenizedPair[],
  tok: Pick<Tokenizer, "special">,
  options: Seq2SeqBatchOptions,
): BatchStream<Seq2SeqBatch> {
  checkKeys("seq2seqBatches", options, ["maxTokens", "maxLen", "seed", "start"]);
  const maxTokens = checkPositiveInt(options.maxTokens, "maxTokens", "seq2seqBatches");
  const maxLen = checkPositiveInt(options.maxLen ?? Math.min(256, maxTokens - 1), "maxLen", "seq2seqBatches");
  const seed = options.seed ?? 0;
  if (pairs.length === 0) throw new Error("seq2seqBatches: no sentence pairs; the parallel corpus is empty");
  if (maxTokens < maxLen + 1) {
    throw new Error(
      `seq2seqBatches: maxTokens (${maxTokens}) must be ≥ maxLen + 1 (${maxLen + 1}) so every pair fits`,
    );
  }
  const { bos, eos, pad } = tok.special;
  const len = (i: number) =>
    Math.max(Math.min(pairs[i].src.length, maxLen), Math.min(pairs[i].tgt.length, maxLen)) + 1;
  const tie = createRng(`seq2seq:${seed}:ties`).shuffle([...pairs.keys()]);
  const rank = new Int32Array(pairs.length);
  tie.forEach((p, r) => rank[p] = r);
  const tgtLen = (i: number) => Math.min(pairs[i].tgt.length, maxLen);
  const sorted = [...pairs.keys()].sort((a, b) =>
    len(a) - len(b) || tgtLen(a) - tgtLen(b) || rank[a] - rank[b]
  );
  const buckets: number[][] = [];
  let cur: number[] = [], curMax = 0;
  for (const i of sorted) {
    const m = Math.max(curMax, len(i));
    if (cur.length > 0 && (cur.length + 1) * m > maxTokens) {
      buckets.push(cur);
      [cur, curMax] = [[], 0];
    }
    cur.push(i);
    curMax = Math.max(curMax, len(i));
  }
  buckets.push(cur);

  const makeBatch = (epoch: number, batch: number): Seq2SeqBatch => {
    const order = createRng(`seq2seq:${seed}:epoch:${epoch}`).shuffle([...buckets.keys()]);
    const idx = buckets[order[batch]];
    const B = idx.length;
    const srcs = idx.map((i) => Array.from(pairs[i].src).slice(0, maxLen));
    const tgts = idx.map((i) => Array.from(pairs[i].tgt).slice(0, maxLen));
    const S = Math.max(...srcs.map((s) => s.length)) + 1, T = Math.max(...tgts.map((t) => t.length)) + 1;
    const out: Seq2SeqBatch = {
      batchSize: B,
      srcLen: S,
      tgtLen: T,
      srcIds: new Int32Array(B * S).fill(pad),
      srcMask: new Uint8Array(B * S),
      decoderInputIds: new Int32Array(B * T).fill(pad),
      targetIds: new Int32Array(B * T).fill(pad),
      targetMask: new Uint8Array(B * T),
    };
    for (let b = 0; b < B; b++) {
      out.srcIds.set([...srcs[b], eos], b * S);
      out.srcMask.fill(1, b * S, b * S + srcs[b].length + 1);
      out.decoderInputIds.set([bos, ...tgts[b]], b * T);
      out.targetIds.set([...tgts[b], eos], b * T);
      out.targetMask.fill(1, b * T, b * T + tgts[b].length + 1);
    }
    return out;
  };
  return batchStream(buckets.length, makeBatch, options.start, "seq2seqBatches");
}
