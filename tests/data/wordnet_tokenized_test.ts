import { assert, assertEquals } from "@std/assert";
import { loadWordNetTokenized } from "../../lib/data/wordnet_tokenized.ts";
import { loadWordNetCorpus } from "../../lib/data/wordnet.ts";

Deno.test("loadWordNetTokenized() caches tokenizer and ids; the warm load returns identical data", async () => {
  const cacheDir = await Deno.makeTempDir();
  const cold = await loadWordNetTokenized({ seed: 0, vocabSize: 300, cacheDir });
  const files = [...Deno.readDirSync(cacheDir)].map((e) => e.name).sort();
  assertEquals(files.length, 4); // tokenizer.json + three .i32 splits, no temp files
  assert(files.every((f) => !f.includes(".tmp-")));
  const warm = await loadWordNetTokenized({ seed: 0, vocabSize: 300, cacheDir });
  assertEquals(warm.tokenizer.spec.merges, cold.tokenizer.spec.merges);
  assertEquals(warm.test.length, cold.test.length);
  assertEquals([...warm.test[5]], [...cold.test[5]]);
  const corpus = await loadWordNetCorpus({ seed: 0 });
  for (const i of [0, 100, 2001]) {
    assertEquals(warm.tokenizer.decode([...warm.validation[i]]), corpus.validation[i]);
  }
  await Deno.remove(cacheDir, { recursive: true });
});
