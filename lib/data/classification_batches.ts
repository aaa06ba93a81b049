/**
 * Sequence-classification batches: `<s> tokens </s>` per row, truncated to `maxLen`, padded to the longest
 * row of the batch; labels as class ids. Shuffled each epoch by seed (or kept in order for evaluation).
 *
 * Shapes: B = batchSize (the last batch of an epoch may be smaller), T = longest row in the batch.
 *
 * @module
 */
import { checkKeys } from "../util/options.ts";
import { createRng } from "../util/random.ts";
import type { ClassificationBatch, Tokenizer } from "./types.ts";
import { type BatchPosition, type BatchStream, batchStream, checkPositiveInt } from "./batch_stream.ts";

/** A tokenized labelled example (ids without special tokens). */
export interface TokenizedExample {
  /** Token ids of the text, without `<s>`/`</s>`. */
  ids: ArrayLike<number>;
  /** Class index in [0, numClasses). */
  label: number;
}

/**
 * Ids of a sentence pair as RoBERTa joins them inside `<s> … </s>`: `a </s> </s> b`.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { pairIds } from "./classification_batches.ts";
 * assert(pairIds([7, 8], [9], 2).join() === "7,8,2,2,9");
 * ```
 */
export function pairIds(a: readonly number[], b: readonly number[], eos: number): number[] {
  return [...a, eos, eos, ...b];
}

/** Options for `classificationBatches`. */
export interface ClassificationBatchOptions {
  /** B. */
  batchSize: number;
  /** Number of classes; labels outside [0, numClasses) are rejected. */
  numClasses: number;
  /** Longest row, `<s>` and `</s>` included. */
  maxLen?: number;
  /** Shuffle each epoch (training) or keep the given order (evaluation). */
  shuffle?: boolean;
  /** Seeds the per-epoch shuffle (default 0). */
  seed?: number;
  /** Where to start (from `iterator.position()` of an earlier run). */
  start?: BatchPosition;
}

/**
 * An endless iterator of classification batches.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { classificationBatches } from "./classification_batches.ts";
 * const tok = { vocabSize: 50, special: { bos: 0, pad: 1, eos: 2, unk: 3, mask: 4 }, encode: () => [], decode: () => "" };
 * const ex = [{ ids: [10, 11, 12], label: 1 }, { ids: [13], label: 0 }];
 * const b = classificationBatches(ex, tok, { batchSize: 2, numClasses: 2, shuffle: false }).next();
 * assert(b.seqLen === 5 && b.inputIds.join() === "0,10,11,12,2,0,13,2,1,1" && b.labels.join() === "1,0");
 * ```
 */
export function classificationBatches(
  examples: readonly TokenizedExample[],
  tok: Pick<Tokenizer, "special">,
  options: ClassificationBatchOptions,
): BatchStream<ClassificationBatch> {
  checkKeys("classificationBatches", options, [
    "batchSize",
    "numClasses",
    "maxLen",
    "shuffle",
    "seed",
    "start",
  ]);
  const B = checkPositiveInt(options.batchSize, "batchSize", "classificationBatches");
  const maxLen = options.maxLen ?? 128;
  if (!Number.isInteger(maxLen) || maxLen < 3) {
    throw new Error(
      `classificationBatches: maxLen must be an integer ≥ 3 (<s>, a token, </s>), got ${maxLen}`,
    );
  }
  const numClasses = checkPositiveInt(options.numClasses, "numClasses", "classificationBatches");
  if (examples.length === 0) throw new Error("classificationBatches: no examples; the dataset is empty");
  examples.forEach((e, i) => {
    if (!Number.isInteger(e.label) || e.label < 0 || e.label >= numClasses) {
      throw new Error(`classificationBatches: example ${i} has label ${e.label}, outside [0, ${numClasses})`);
    }
  });
  const { bos, eos, pad } = tok.special;
  const seed = options.seed ?? 0;
  const makeBatch = (epoch: number, batch: number): ClassificationBatch => {
    const order = options.shuffle === false
      ? [...examples.keys()]
      : createRng(`cls:${seed}:epoch:${epoch}`).shuffle([...examples.keys()]);
    const idx = order.slice(batch * B, (batch + 1) * B);
    const rows = idx.map((i) => [bos, ...Array.from(examples[i].ids).slice(0, maxLen - 2), eos]);
    const T = Math.max(...rows.map((r) => r.length));
    const inputIds = new Int32Array(idx.length * T).fill(pad);
    const attentionMask = new Uint8Array(idx.length * T);
    rows.forEach((r, b) => {
      inputIds.set(r, b * T);
      attentionMask.fill(1, b * T, b * T + r.length);
    });
    return {
      batchSize: idx.length,
      seqLen: T,
      inputIds,
      attentionMask,
      labels: Int32Array.from(idx, (i) => examples[i].label),
    };
  };
  return batchStream(Math.ceil(examples.length / B), makeBatch, options.start, "classificationBatches");
}
