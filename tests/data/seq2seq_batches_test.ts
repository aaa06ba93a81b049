import { assert, assertEquals, assertThrows } from "@std/assert";
import { seq2seqBatches } from "../../lib/data/seq2seq_batches.ts";
import { createRng } from "../../lib/util/random.ts";

const tok = { special: { bos: 0, pad: 1, eos: 2, unk: 3, mask: 4 } };

Deno.test("seq2seqBatches() keeps B·max(S,T) within maxTokens and covers each pair once per epoch", () => {
  const rng = createRng(1);
  const pairs = Array.from({ length: 500 }, (_, i) => {
    const n = rng.int(30); // translations have correlated lengths
    return {
      src: [1000 + i, ...Array.from({ length: n }, () => 5 + rng.int(90))],
      tgt: Array.from({ length: 1 + n + rng.int(4) }, () => 5 + rng.int(90)),
    };
  });
  const it = seq2seqBatches(pairs, tok, { maxTokens: 200, seed: 2 });
  const seen: number[] = [];
  let padded = 0, real = 0;
  for (let k = 0; k < it.batchesPerEpoch; k++) {
    const b = it.next();
    assert(b.batchSize * Math.max(b.srcLen, b.tgtLen) <= 200);
    for (let r = 0; r < b.batchSize; r++) {
      seen.push(b.srcIds[r * b.srcLen] - 1000);
      const srcReal = b.srcMask.subarray(r * b.srcLen, (r + 1) * b.srcLen).reduce(
        (s: number, x: number) => s + x,
        0,
      );
      assertEquals(b.srcIds[r * b.srcLen + srcReal - 1], tok.special.eos);
      const n = b.targetMask.subarray(r * b.tgtLen, (r + 1) * b.tgtLen).reduce(
        (s: number, x: number) => s + x,
        0,
      );
      const tgt = pairs[seen[seen.length - 1]].tgt;
      assertEquals(n, tgt.length + 1);
      assertEquals([...b.decoderInputIds.subarray(r * b.tgtLen, r * b.tgtLen + n)], [0, ...tgt]);
      assertEquals([...b.targetIds.subarray(r * b.tgtLen, r * b.tgtLen + n)], [...tgt, 2]);
      padded += b.tgtLen;
      real += n;
    }
  }
  assertEquals(seen.sort((a, b) => a - b), [...pairs.keys()]);
  assert(real / padded > 0.85, `length bucketing should keep padding low, got ${real / padded}`);
});

Deno.test("seq2seqBatches() resumes identically and shuffles batch order per epoch", () => {
  const pairs = Array.from({ length: 100 }, (_, i) => ({ src: [5 + (i % 7)], tgt: [5 + i % 11, 6] }));
  const a = seq2seqBatches(pairs, tok, { maxTokens: 12, seed: 3 });
  const first = Array.from({ length: a.batchesPerEpoch }, () => a.next().srcIds.join());
  const second = Array.from({ length: 2 }, () => a.next());
  const b = seq2seqBatches(pairs, tok, { maxTokens: 12, seed: 3, start: { epoch: 1, batch: 0 } });
  assertEquals(b.next(), second[0]);
  assert(first.slice(0, 2).join("|") !== second.map((x) => x.srcIds.join()).join("|"));
});

Deno.test("seq2seqBatches() rejects an empty corpus and a budget smaller than one sentence", () => {
  assertThrows(() => seq2seqBatches([], tok, { maxTokens: 100 }), Error, "parallel corpus is empty");
  assertThrows(
    () => seq2seqBatches([{ src: [5], tgt: [6] }], tok, { maxTokens: 10, maxLen: 64 }),
    Error,
    "maxTokens (10) must be ≥ maxLen + 1",
  );
});
