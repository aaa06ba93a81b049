/**
 * A batch stream over a fixed list of batches, for tests and small experiments. The training loop reads
 * batches through the data layer's one protocol, `BatchStream` (lib/data/batch_stream.ts).
 *
 * @module
 */
import { type BatchStream, batchStream } from "../data/batch_stream.ts";

/**
 * A stream cycling through `batches` in order, one epoch per pass; its position is `{epoch, batch}`.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { arraySource } from "./source.ts";
 * const s = arraySource(["a", "b"]);
 * s.next();
 * const saved = s.position();
 * assert(s.next() === "b" && s.next() === "a");
 * s.restore(saved);
 * assert(s.next() === "b");
 * ```
 */
export function arraySource<B>(batches: readonly B[]): BatchStream<B> {
  if (batches.length === 0) throw new Error("arraySource: no batches given");
  return batchStream(batches.length, (_, i) => batches[i], undefined, "arraySource");
}
