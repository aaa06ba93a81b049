import { assert, assertEquals, assertThrows } from "@std/assert";
import { trainBpe } from "../../lib/data/bpe_train.ts";
import { createRng } from "../../lib/util/random.ts";

Deno.test("trainBpe() learns the hand-computed merges on a tiny corpus", () => {
  // Pre-tokens: "ab", "Ġab", "Ġab", "abc". Pair counts: (a,b)=4, (Ġ,a)=2, (b,c)=1 → merge a+b;
  // then (Ġ,ab)=2, (ab,c)=1 → merge Ġ+ab; then only (ab,c)=1 < minFrequency 2 → stop.
  const tok = trainBpe(["ab ab ab", "abc"], { vocabSize: 300 });
  assertEquals(tok.spec.merges, [["a", "b"], ["Ġ", "ab"]]);
  assertEquals(tok.vocabSize, 261 + 2);
  assertEquals(tok.encode(" ab").map((id) => tok.idToToken(id)), ["Ġab"]);
  assertEquals(tok.special, { bos: 0, pad: 1, eos: 2, unk: 3, mask: 4 });
});

Deno.test("trainBpe() stops at vocabSize and is deterministic", () => {
  const rng = createRng(5);
  const words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta"];
  const texts = Array.from(
    { length: 300 },
    () => Array.from({ length: 8 }, () => words[rng.int(6)]).join(" "),
  );
  const a = trainBpe(texts, { vocabSize: 280 }), b = trainBpe(texts, { vocabSize: 280 });
  assertEquals(a.vocabSize, 280);
  assertEquals(a.spec.merges, b.spec.merges);
  assert(a.encode(texts[0]).length < new TextEncoder().encode(texts[0]).length / 2);
});

Deno.test("trainBpe() rejects an empty corpus and a too-small vocabulary", () => {
  assertThrows(() => trainBpe([], {}), Error, "corpus is empty");
  assertThrows(() => trainBpe(["", ""], {}), Error, "corpus is empty");
  assertThrows(() => trainBpe(["a"], { vocabSize: 100 }), Error, "vocabSize must be an integer in [261");
});
