/**
 * Cross-checks the hand-written byte-level BPE against Hugging Face's own JavaScript implementation
 * (`@huggingface/tokenizers`, pure JS): the same tokenizer.json must give the same ids and the same text.
 * HF's decode is asked not to "clean up tokenization spaces" (its default drops the space before "!" and
 * the like), because our decode is an exact inverse of encode.
 */
import { assertEquals } from "@std/assert";
import { Tokenizer as HfTokenizer } from "@huggingface/tokenizers";
import { trainBpe } from "../../lib/data/bpe_train.ts";
import { fromTokenizerJson, toTokenizerJson } from "../../lib/data/tokenizer_json.ts";
import { createRng } from "../../lib/util/random.ts";

function randomText(rng: ReturnType<typeof createRng>, n: number): string {
  const words = [
    "the",
    "theme",
    "there",
    "cat's",
    "naïve",
    "Zürich",
    "東京",
    "😀",
    "42",
    "3.14",
    "don't",
    "  ",
    "\n",
    "!?",
  ];
  const ranges = [[0x20, 0x7e], [0xa0, 0x2ff], [0x4e00, 0x4e80], [0x1f600, 0x1f64f]];
  let s = "";
  for (let i = 0; i < n; i++) {
    if (rng.next() < 0.7) s += (rng.next() < 0.6 ? " " : "") + words[rng.int(words.length)];
    else {
      const [lo, hi] = ranges[rng.int(ranges.length)];
      s += String.fromCodePoint(lo + rng.int(hi - lo + 1));
    }
  }
  return s;
}

Deno.test("encode() and decode() agree with @huggingface/tokenizers on the same tokenizer.json", () => {
  const rng = createRng(21);
  const tok = trainBpe(Array.from({ length: 400 }, () => randomText(rng, 30)), { vocabSize: 700 });
  const hf = new HfTokenizer(JSON.parse(toTokenizerJson(tok)), {});
  for (let i = 0; i < 300; i++) {
    const text = randomText(rng, 1 + rng.int(40));
    const ids = tok.encode(text);
    assertEquals(ids, hf.encode(text, { add_special_tokens: false }).ids, JSON.stringify(text));
    assertEquals(
      tok.decode([tok.special.bos, ...ids, tok.special.eos]),
      hf.decode(ids, { skip_special_tokens: true, clean_up_tokenization_spaces: false }),
    );
  }
});

Deno.test("a RoBERTa-style file loads identically in both implementations", () => {
  const tok = trainBpe(["Hello world, hello tokenizers.", "The world is wide."], { vocabSize: 300 });
  const json = JSON.parse(toTokenizerJson(tok));
  json.model.merges = json.model.merges.map((m: string) => m.split(" ")); // tokenizers ≥ 0.20 writes pairs
  const mine = fromTokenizerJson(JSON.stringify(json));
  const hf = new HfTokenizer(json, {});
  const text = "Hello, wide world! 123";
  assertEquals(mine.encode(text), hf.encode(text, { add_special_tokens: false }).ids);
});
