/**
 * Where the training loop gets batches: anything with `next()`, optionally saving and restoring its
 * position so a checkpoint can resume mid-epoch.
 *
 * @module
 */

/** A stream of training batches. */
export interface BatchSource<B> {
  /** The next batch (the source decides epochs, shuffling and wrapping around). */
  next(): B | Promise<B>;
  /** An opaque JSON-safe value describing where the stream is, for checkpoints. */
  position?(): unknown;
  /** Continue from a value `position()` returned. */
  restore?(position: unknown): void;
}

/**
 * A source cycling through `batches` in order; its position is the index of the next batch.
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
export function arraySource<B>(batches: readonly B[]): Required<BatchSource<B>> {
  if (batches.length === 0) throw new Error("arraySource: no batches given");
  let index = 0;
  return {
    next: () => {
      const b = batches[index];
      index = (index + 1) % batches.length;
      return b;
    },
    position: () => ({ index }),
    restore: (position) => {
      const i = (position as { index?: unknown })?.index;
      if (typeof i !== "number" || !Number.isInteger(i) || i < 0 || i >= batches.length) {
        throw new Error(
          `arraySource: cannot restore position ${
            JSON.stringify(position)
          }; expected {index} < ${batches.length}`,
        );
      }
      index = i;
    },
  };
}
