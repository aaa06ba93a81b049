import { assertEquals, assertThrows } from "@std/assert";
import { kthSmallest, pruneCount, roundHalfEven, smallestKMasks } from "../../lib/compress/select_k.ts";
import { createRng } from "../../lib/util/random.ts";

Deno.test("roundHalfEven() is Python's round()", () => {
  // Python: [round(x) for x in (0.5, 1.5, 2.5, -1.5, -2.5, 2.4999, 7.5)] == [0, 2, 2, -2, -2, 2, 8]
  assertEquals([0.5, 1.5, 2.5, -1.5, -2.5, 2.4999, 7.5].map(roundHalfEven), [0, 2, 2, -2, -2, 2, 8]);
  assertEquals(pruneCount(0.5, 5), 2); // torch prunes round(2.5) = 2 of 5
  assertThrows(() => pruneCount(1.5, 5), Error, "sparsity must be in [0, 1]");
});

Deno.test("kthSmallest() equals sorting on random data with duplicates", () => {
  const rng = createRng(7);
  for (const n of [1, 2, 3, 10, 101, 1000]) {
    const a = Float32Array.from({ length: n }, () => Math.round(rng.next() * 20) / 4);
    const sorted = Array.from(a).sort((x, y) => x - y);
    for (const k of [1, Math.ceil(n / 3), n]) assertEquals(kthSmallest(a, k), sorted[k - 1], `n=${n} k=${k}`);
  }
});

Deno.test("smallestKMasks() prunes exactly k, ties at the threshold by lower index", () => {
  const m = smallestKMasks(new Float32Array([3, 1, 2, 1, 1, 5]), 2);
  assertEquals(Array.from(m), [1, 0, 1, 0, 1, 1]);
  assertEquals(Array.from(smallestKMasks(new Float32Array([1, 2]), 0)), [1, 1]);
  assertEquals(Array.from(smallestKMasks(new Float32Array([1, 2]), 2)), [0, 0]);
});
