import { assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { accuracy, perplexity } from "../../lib/metrics/perplexity.ts";

Deno.test("perplexity() is exp of the mean token loss", () => {
  // Hand case: losses ln2, ln8 over 2 tokens: exp((ln2+ln8)/2) = sqrt(16) = 4.
  assertAlmostEquals(perplexity(Math.log(2) + Math.log(8), 2), 4, 1e-12);
  assertThrows(() => perplexity(1, 0), Error, "tokenCount must be > 0");
  assertThrows(() => perplexity(NaN, 3), Error, "summedLoss must be finite");
});

Deno.test("accuracy() counts matches and skips ignoreIndex", () => {
  assertEquals(accuracy([0, 1, 1, 5], [0, 1, 2, 5]), 0.75);
  assertEquals(accuracy(new Int32Array([7, 7]), new Int32Array([7, -100]), { ignoreIndex: -100 }), 1);
  assertThrows(() => accuracy([1], [1, 2]), Error, "1 predictions but 2 labels");
  assertThrows(() => accuracy([1], [-1], { ignoreIndex: -1 }), Error, "nothing to score");
});
