import { assertEquals, assertRejects, assertThrows } from "@std/assert";
import {
  fromTokenizerJson,
  loadTokenizer,
  saveTokenizer,
  tokenizerFingerprint,
} from "../../lib/data/tokenizer_json.ts";
import { trainBpe } from "../../lib/data/bpe_train.ts";
import { BYTE_TO_CHAR } from "../../lib/data/byte_level.ts";
import { createRng } from "../../lib/util/random.ts";

/** A hand-written tokenizer.json in RoBERTa's layout: <s>=0 <pad>=1 </s>=2 <unk>=3, bytes in a scrambled
 * order, three merges, and <mask> as the last added token far past the vocab (as RoBERTa's 50264). */
function robertaFixture(mergesAsPairs: boolean): string {
  const bytes = createRng(9).shuffle([...BYTE_TO_CHAR]);
  const vocab: Record<string, number> = { "<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3 };
  bytes.forEach((c, i) => vocab[c] = 4 + i);
  Object.assign(vocab, { "Ġt": 260, "he": 261, "Ġthe": 262 });
  const merges = [["Ġ", "t"], ["h", "e"], ["Ġt", "he"]];
  // deno-fmt-ignore
  const special = (id: number, content: string) => ({
    id, content, single_word: false, lstrip: content === "<mask>", rstrip: false, normalized: false, special: true,
  });
  return JSON.stringify({
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: [
      special(0, "<s>"),
      special(1, "<pad>"),
      special(2, "</s>"),
      special(3, "<unk>"),
      special(300, "<mask>"),
    ],
    normalizer: null,
    pre_tokenizer: { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: { type: "RobertaProcessing", sep: ["</s>", 2], cls: ["<s>", 0] },
    decoder: { type: "ByteLevel" },
    model: {
      type: "BPE",
      dropout: null,
      unk_token: null,
      vocab,
      merges: mergesAsPairs ? merges : merges.map((m) => m.join(" ")),
    },
  });
}

Deno.test("fromTokenizerJson() loads a RoBERTa-layout file and encodes by its merges (hand-checked)", () => {
  for (const pairs of [false, true]) {
    const tok = fromTokenizerJson(robertaFixture(pairs), "roberta.json");
    assertEquals(tok.special, { bos: 0, pad: 1, eos: 2, unk: 3, mask: 300 });
    assertEquals(tok.vocabSize, 301);
    // " the": Ġ t h e → (Ġ t) → Ġt h e → (h e) → Ġt he → (Ġt he) → Ġthe
    assertEquals(tok.encode(" the"), [262]);
    // "the": t h e → t he; no merge "t he" exists
    assertEquals(tok.encode("the").map((id) => tok.idToToken(id)), ["t", "he"]);
    assertEquals(tok.decode([0, ...tok.encode("the theme"), 2]), "the theme");
  }
});

Deno.test("saveTokenizer() → loadTokenizer() round-trips vocabulary, merges and encodings", async () => {
  const tok = trainBpe(["the quick brown fox jumps over the lazy dog", "pack my box with five dozen jugs"], {
    vocabSize: 290,
  });
  const dir = await Deno.makeTempDir();
  await saveTokenizer(tok, `${dir}/tokenizer.json`);
  const back = await loadTokenizer(`${dir}/tokenizer.json`);
  assertEquals(back.spec.merges, tok.spec.merges);
  assertEquals(back.special, tok.special);
  assertEquals(back.encode("the lazy box"), tok.encode("the lazy box"));
  assertEquals(await tokenizerFingerprint(back), await tokenizerFingerprint(tok));
  assertEquals([...Deno.readDirSync(dir)].map((e) => e.name), ["tokenizer.json"]); // no temp file left
  await Deno.remove(dir, { recursive: true });
});

Deno.test("loading an unsupported tokenizer type or a missing file names the file and the fix", async () => {
  const wordPiece = JSON.stringify({
    model: { type: "WordPiece", vocab: {} },
    pre_tokenizer: { type: "BertPreTokenizer" },
  });
  assertThrows(
    () => fromTokenizerJson(wordPiece, "bert/tokenizer.json"),
    Error,
    'bert/tokenizer.json: model.type "WordPiece" is not supported',
  );
  assertThrows(() => fromTokenizerJson("{not json", "t.json"), Error, "t.json: not valid JSON");
  await assertRejects(
    () => loadTokenizer("/nonexistent/tokenizer.json"),
    Error,
    "/nonexistent/tokenizer.json could not be read",
  );
});
