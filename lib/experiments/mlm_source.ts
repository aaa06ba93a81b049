/**
 * Adapts the data layer's MLM batch iterator to the training loop's resumable `BatchSource`.
 *
 * @module
 */
import { mlmBatches, type MlmBatchOptions } from "../data/mlm_batches.ts";
import type { BatchPosition } from "../data/batch_position.ts";
import type { MlmBatch, Tokenizer } from "../data/types.ts";
import type { BatchSource } from "../train/source.ts";

/** A resumable MLM batch stream; satisfies the training loop's `BatchSource<MlmBatch>`. */
export interface MlmSource extends BatchSource<MlmBatch> {
  /** The next batch. */
  next(): MlmBatch;
  /** Where the stream is. */
  position(): BatchPosition;
  /** Continue from a value `position()` returned. */
  restore(position: unknown): void;
}

/**
 * An endless, resumable stream of MLM batches over `docs` (reshuffled and re-masked every epoch).
 * `position()` is JSON-safe; `restore(position)` continues exactly there.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { mlmSource } from "./mlm_source.ts";
 * const tok = { vocabSize: 40, special: { bos: 0, pad: 1, eos: 2, unk: 3, mask: 4 } };
 * const docs = [[10, 11, 12, 13], [14, 15, 16]];
 * const a = mlmSource(docs, tok, { batchSize: 1, seqLen: 4, seed: 3 });
 * a.next();
 * const b = mlmSource(docs, tok, { batchSize: 1, seqLen: 4, seed: 3 });
 * b.restore(a.position());
 * assert(a.next().inputIds.join() === b.next().inputIds.join());
 * ```
 */
export function mlmSource(
  docs: readonly ArrayLike<number>[],
  tok: Pick<Tokenizer, "vocabSize" | "special">,
  options: MlmBatchOptions,
): MlmSource {
  let it = mlmBatches(docs, tok, options);
  return {
    next: () => it.next().value as MlmBatch,
    position: () => it.position(),
    restore: (position) => {
      it = mlmBatches(docs, tok, { ...options, start: position as BatchPosition });
    },
  };
}

/**
 * The first `count` batches of one pass over `docs` (fixed masking under `seed`): a stable validation set.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { mlmValidationBatches } from "./mlm_source.ts";
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
  const it = mlmBatches(docs, tok, options);
  const out: MlmBatch[] = [];
  const n = Math.min(count, it.batchesPerEpoch);
  for (let i = 0; i < n; i++) out.push(it.next().value as MlmBatch);
  return out;
}
