import { assert, assertEquals, assertThrows } from "@std/assert";
import { trainBpe } from "../../lib/data/bpe_train.ts";
import { createBpeTokenizer } from "../../lib/data/bpe_tokenizer.ts";
import { createRng } from "../../lib/util/random.ts";

function randomUnicode(rng: ReturnType<typeof createRng>, n: number): string {
  const ranges = [[0x20, 0x7e], [0xa0, 0x2ff], [0x400, 0x4ff], [0x4e00, 0x9fff], [0x1f300, 0x1f6ff], [
    0x9,
    0xa,
  ]];
  let s = "";
  for (let i = 0; i < n; i++) {
    const [lo, hi] = ranges[rng.int(ranges.length)];
    s += String.fromCodePoint(lo + rng.int(hi - lo + 1));
  }
  return s;
}

Deno.test("encode/decode round-trips random Unicode text exactly", () => {
  const rng = createRng(11);
  const tok = trainBpe(Array.from({ length: 200 }, () => randomUnicode(rng, 60)), { vocabSize: 600 });
  for (let i = 0; i < 300; i++) {
    const text = randomUnicode(rng, 1 + rng.int(80));
    const ids = tok.encode(text);
    assert(ids.every((id) => id >= 0 && id < tok.vocabSize));
    assertEquals(tok.decode(ids), text);
  }
});

Deno.test("special tokens are never produced by encode and are dropped by decode", () => {
  const tok = trainBpe(["<mask> and <s> are text here"], { vocabSize: 300 });
  const ids = tok.encode("<mask> <s>");
  const specials = Object.values(tok.special);
  assert(ids.every((id) => !specials.includes(id)));
  assertEquals(tok.decode([tok.special.bos, ...ids, tok.special.eos, tok.special.pad]), "<mask> <s>");
});

Deno.test("createBpeTokenizer() names a missing special token or byte symbol", () => {
  assertThrows(
    () => createBpeTokenizer({ vocab: { "<s>": 0 }, merges: [] }, "x.json"),
    Error,
    "x.json: special token </s>",
  );
  const vocab: Record<string, number> = { "<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3, "<mask>": 4, "a": 5 };
  assertThrows(
    () => createBpeTokenizer({ vocab, merges: [] }),
    Error,
    "is missing; a byte-level BPE vocab needs all 256",
  );
});
