import { assertEquals, assertThrows } from "@std/assert";
import { classificationBatches } from "../../lib/data/classification_batches.ts";

const tok = { special: { bos: 0, pad: 1, eos: 2, unk: 3, mask: 4 } };

Deno.test("classificationBatches() pads to the batch maximum and truncates to maxLen", () => {
  const ex = [{ ids: [7, 8, 9, 10, 11, 12], label: 2 }, { ids: [7], label: 0 }, { ids: [9, 9], label: 1 }];
  const it = classificationBatches(ex, tok, { batchSize: 2, numClasses: 3, maxLen: 5, shuffle: false });
  const a = it.next(), b = it.next();
  assertEquals(a.seqLen, 5);
  assertEquals([...a.inputIds], [0, 7, 8, 9, 2, 0, 7, 2, 1, 1]);
  assertEquals([...a.attentionMask], [1, 1, 1, 1, 1, 1, 1, 1, 0, 0]);
  assertEquals([...a.labels], [2, 0]);
  assertEquals([b.batchSize, b.seqLen, [...b.inputIds].join()], [1, 4, "0,9,9,2"]);
  assertEquals(it.position(), { epoch: 1, batch: 0 });
});

Deno.test("classificationBatches() rejects a label outside [0, numClasses)", () => {
  assertThrows(
    () => classificationBatches([{ ids: [5], label: 3 }], tok, { batchSize: 1, numClasses: 3 }),
    Error,
    "example 0 has label 3, outside [0, 3)",
  );
});
