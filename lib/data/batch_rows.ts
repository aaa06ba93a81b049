/**
 * Row slices of batches: rows [start, end) of an MLM, seq2seq or classification batch as a batch of the
 * same kind and sequence lengths. Data-parallel training gives each rank a contiguous share of every global
 * batch's rows (`rowShare`), so the global batch and its order are those of a single process.
 *
 * Shape vocabulary as in `types.ts`: B rows, T (target) length, S source length, M masked positions.
 *
 * @module
 */
import type { ClassificationBatch, MlmBatch, Seq2SeqBatch } from "./types.ts";

/**
 * Rows [start, end) of `rows` that part `part` of `parts` takes: contiguous, in order, sizes differing by
 * at most one (the first parts get fewer when the rows do not divide evenly).
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { rowShare } from "./batch_rows.ts";
 * assertEquals([0, 1, 2].map((p) => rowShare(7, p, 3)), [[0, 2], [2, 4], [4, 7]]);
 * ```
 */
export function rowShare(rows: number, part: number, parts: number): [number, number] {
  if (!(Number.isInteger(parts) && parts >= 1 && Number.isInteger(part) && part >= 0 && part < parts)) {
    throw new Error(`rowShare: part must be an integer in [0, ${parts}), got ${part}`);
  }
  return [Math.floor((rows * part) / parts), Math.floor((rows * (part + 1)) / parts)];
}

function checkRange(b: number, start: number, end: number, what: string): void {
  if (!(Number.isInteger(start) && Number.isInteger(end) && 0 <= start && start <= end && end <= b)) {
    throw new Error(`${what}: rows [${start}, ${end}) are not within the batch's ${b} rows`);
  }
}

/**
 * Rows [start, end) of an MLM batch; masked positions are renumbered to the slice.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { mlmRows } from "./batch_rows.ts";
 * const batch = { batchSize: 2, seqLen: 2, inputIds: new Int32Array([1, 4, 4, 2]), attentionMask: new Uint8Array([1, 1, 1, 1]),
 *   maskedPositions: new Int32Array([1, 2]), maskedLabels: new Int32Array([7, 8]) };
 * const second = mlmRows(batch, 1, 2);
 * assertEquals([...second.inputIds, ...second.maskedPositions, ...second.maskedLabels], [4, 2, 0, 8]);
 * ```
 */
export function mlmRows(batch: MlmBatch, start: number, end: number): MlmBatch {
  checkRange(batch.batchSize, start, end, "mlmRows");
  const T = batch.seqLen, lo = start * T, hi = end * T;
  const keep: number[] = [];
  for (let i = 0; i < batch.maskedPositions.length; i++) {
    const p = batch.maskedPositions[i];
    if (p >= lo && p < hi) keep.push(i);
  }
  return {
    batchSize: end - start,
    seqLen: T,
    inputIds: batch.inputIds.slice(lo, hi),
    attentionMask: batch.attentionMask.slice(lo, hi),
    maskedPositions: Int32Array.from(keep, (i) => batch.maskedPositions[i] - lo),
    maskedLabels: Int32Array.from(keep, (i) => batch.maskedLabels[i]),
  };
}

/**
 * Rows [start, end) of a seq2seq batch.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { seq2seqRows } from "./batch_rows.ts";
 * const batch = { batchSize: 2, srcLen: 1, tgtLen: 2, srcIds: new Int32Array([5, 6]), srcMask: new Uint8Array([1, 1]),
 *   decoderInputIds: new Int32Array([0, 7, 0, 8]), targetIds: new Int32Array([7, 2, 8, 2]), targetMask: new Uint8Array([1, 1, 1, 1]) };
 * assertEquals([...seq2seqRows(batch, 1, 2).targetIds], [8, 2]);
 * ```
 */
export function seq2seqRows(batch: Seq2SeqBatch, start: number, end: number): Seq2SeqBatch {
  checkRange(batch.batchSize, start, end, "seq2seqRows");
  const S = batch.srcLen, T = batch.tgtLen;
  return {
    batchSize: end - start,
    srcLen: S,
    tgtLen: T,
    srcIds: batch.srcIds.slice(start * S, end * S),
    srcMask: batch.srcMask.slice(start * S, end * S),
    decoderInputIds: batch.decoderInputIds.slice(start * T, end * T),
    targetIds: batch.targetIds.slice(start * T, end * T),
    targetMask: batch.targetMask.slice(start * T, end * T),
  };
}

/**
 * Rows [start, end) of a classification batch.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { classificationRows } from "./batch_rows.ts";
 * const batch = { batchSize: 2, seqLen: 1, inputIds: new Int32Array([3, 4]), attentionMask: new Uint8Array([1, 1]), labels: new Int32Array([0, 1]) };
 * assertEquals([...classificationRows(batch, 0, 1).labels], [0]);
 * ```
 */
export function classificationRows(
  batch: ClassificationBatch,
  start: number,
  end: number,
): ClassificationBatch {
  checkRange(batch.batchSize, start, end, "classificationRows");
  const T = batch.seqLen;
  return {
    batchSize: end - start,
    seqLen: T,
    inputIds: batch.inputIds.slice(start * T, end * T),
    attentionMask: batch.attentionMask.slice(start * T, end * T),
    labels: batch.labels.slice(start, end),
  };
}
