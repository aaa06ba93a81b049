import { assert, assertEquals } from "@std/assert";
import { loadTranslationTokenized } from "../../lib/data/translation_tokenized.ts";
import { seq2seqBatches } from "../../lib/data/seq2seq_batches.ts";

Deno.test("loadTranslationTokenized() round-trips every sentence and feeds seq2seqBatches", async () => {
  const d = await loadTranslationTokenized({
    seed: 2,
    train: 2000,
    validation: 100,
    test: 100,
    vocabSize: 1500,
  });
  for (const split of ["train", "validation", "test"] as const) {
    d[split].forEach((p, i) => {
      assertEquals(d.tokenizer.decode(p.src), d.text[split][i].src);
      assertEquals(d.tokenizer.decode(p.tgt), d.text[split][i].tgt);
    });
  }
  const b = seq2seqBatches(d.train, d.tokenizer, { maxTokens: 512, seed: 0 }).next();
  assert(b.batchSize * Math.max(b.srcLen, b.tgtLen) <= 512);
});
