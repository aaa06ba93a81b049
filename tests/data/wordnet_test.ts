import { assert, assertEquals, assertNotEquals, assertThrows } from "@std/assert";
import {
  LEXNAMES,
  loadWordNetCorpus,
  parseDataLine,
  readWordNetSynsets,
  splitSynsets,
  synsetDocument,
} from "../../lib/data/wordnet.ts";

const synsets = await readWordNetSynsets();

Deno.test("parseDataLine() reads offset, class, lemmas and gloss of a WordNet data line (hand-checked)", () => {
  const line =
    '00022309 29 v 02 sedate 0 calm 0 001 @ 00019441 v 0000 01 + 09 00 | cause to be calm or quiet; "The patient must be sedated before the operation"  ';
  const s = parseDataLine(line)!;
  assertEquals(s, {
    id: "v00022309",
    lemmas: ["sedate", "calm"],
    lexClass: 29,
    definition: "cause to be calm or quiet",
    examples: ["The patient must be sedated before the operation"],
  });
  assertEquals(LEXNAMES[s.lexClass], "verb.body");
  assertEquals(
    synsetDocument(s),
    "Cause to be calm or quiet. The patient must be sedated before the operation.",
  );
  assertEquals(parseDataLine("  1 This software and database is being provided"), undefined);
  assertThrows(
    () => parseDataLine("00001 03 n 01 x 0 000", "data.noun:31"),
    Error,
    'data.noun:31: WordNet data line has no " | "',
  );
});

Deno.test("WordNet 3.1 has 117,791 synsets, 45 lexicographer classes, about 1.4M words of glosses", () => {
  assertEquals(synsets.length, 117_791); // WordNet 3.1's published synset count
  assertEquals(new Set(synsets.map((s) => s.lexClass)).size, 45);
  let words = 0;
  for (const s of synsets) words += synsetDocument(s).split(/\s+/).length;
  assert(words > 1_350_000 && words < 1_550_000, `${words} words`);
});

Deno.test("splitSynsets() parts are disjoint, cover every synset, and depend only on the seed", () => {
  const a = splitSynsets(synsets, { seed: 1 });
  const parts = [a.train, a.validation, a.test, a.downstream].map((p) => p.map((s) => s.id));
  const all = new Set(parts.flat());
  assertEquals(all.size, synsets.length);
  assertEquals(parts.reduce((n, p) => n + p.length, 0), synsets.length);
  const reversed = splitSynsets([...synsets].reverse(), { seed: 1 });
  assertEquals(reversed.test.map((s) => s.id), parts[2]);
  assertNotEquals(splitSynsets(synsets, { seed: 2 }).test.map((s) => s.id), parts[2]);
  assertThrows(
    () => splitSynsets(synsets, { heldOutFraction: 0.7 }),
    Error,
    "heldOutFraction must be in [0, 0.5)",
  );
});

Deno.test("loadWordNetCorpus() gives documents whose splits share no synset", async () => {
  const c = await loadWordNetCorpus({ seed: 0 });
  const s = splitSynsets(synsets, { seed: 0 });
  assertEquals(c.test, s.test.map(synsetDocument));
  assertEquals(c.train.length + c.validation.length + c.test.length + s.downstream.length, synsets.length);
});
