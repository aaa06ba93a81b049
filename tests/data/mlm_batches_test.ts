import { assert, assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { mlmBatches } from "../../lib/data/mlm_batches.ts";
import { createRng } from "../../lib/util/random.ts";
import type { MlmBatch } from "../../lib/data/types.ts";

const tok = { vocabSize: 1000, special: { bos: 0, pad: 1, eos: 2, unk: 3, mask: 4 } };

function randomDocs(n: number, seed: number): number[][] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => Array.from({ length: 1 + rng.int(60) }, () => 5 + rng.int(995)));
}

/** Undoes masking: the original ids of a batch. */
function originals(b: MlmBatch): Int32Array {
  const ids = b.inputIds.slice();
  b.maskedPositions.forEach((p, i) => ids[p] = b.maskedLabels[i]);
  return ids;
}

Deno.test("mlmBatches() masks 15% of tokens, 80/10/10 mask/random/keep, within sampling tolerance", () => {
  const it = mlmBatches(randomDocs(4000, 1), tok, { batchSize: 64, seqLen: 128, seed: 3 });
  let eligible = 0, chosen = 0, asMask = 0, kept = 0, random = 0;
  for (let k = 0; k < it.batchesPerEpoch; k++) {
    const b = it.next();
    const orig = originals(b);
    for (let i = 0; i < orig.length; i++) if (b.attentionMask[i] && orig[i] > 4) eligible++;
    b.maskedPositions.forEach((p, i) => {
      chosen++;
      if (b.inputIds[p] === tok.special.mask) asMask++;
      else if (b.inputIds[p] === b.maskedLabels[i]) kept++;
      else random++;
      assert(b.maskedLabels[i] > 4, "special tokens are never masked");
    });
  }
  // ~125k eligible tokens: sd(15%) ≈ 0.001, sd(80%) ≈ 0.003, sd(10%) ≈ 0.002; tolerance ≈ 5 sd.
  assertAlmostEquals(chosen / eligible, 0.15, 0.005);
  assertAlmostEquals(asMask / chosen, 0.8, 0.015);
  assertAlmostEquals(random / chosen, 0.1, 0.01);
  assertAlmostEquals(kept / chosen, 0.1, 0.01); // a random draw equal to the original is 1/995 of 10%
});

Deno.test("mlmBatches() packs every document once per epoch, separated by </s>, rows of exactly T", () => {
  const docs = randomDocs(50, 2).map((d, i) => [5 + i, ...d]); // distinct first tokens
  const T = 16;
  const it = mlmBatches(docs, tok, { batchSize: 4, seqLen: T, seed: 1 });
  const stream: number[] = [];
  let lastPadded = false;
  for (let k = 0; k < it.batchesPerEpoch; k++) {
    const b = it.next();
    assertEquals(b.seqLen, T);
    const orig = originals(b);
    for (let r = 0; r < b.batchSize; r++) {
      assertEquals(orig[r * T], tok.special.bos);
      assert(!lastPadded, "only the final row of an epoch may be padded");
      for (let t = 1; t < T; t++) {
        if (b.attentionMask[r * T + t]) stream.push(orig[r * T + t]);
        else {
          assertEquals(orig[r * T + t], tok.special.pad);
          lastPadded = true;
        }
      }
    }
  }
  const got: number[][] = [[]];
  for (const id of stream) id === tok.special.eos ? got.push([]) : got[got.length - 1].push(id);
  const key = (d: number[]) => d.join(",");
  assertEquals(got.map(key).sort(), docs.map(key).sort());
  assert(got.map(key).join("|") !== docs.map(key).join("|"), "documents are shuffled");
});

Deno.test("mlmBatches() resumes from a saved position with identical batches", () => {
  const docs = randomDocs(300, 4);
  const a = mlmBatches(docs, tok, { batchSize: 8, seqLen: 32, seed: 9 });
  for (let i = 0; i < a.batchesPerEpoch + 3; i++) a.next(); // into epoch 1
  const saved = JSON.parse(JSON.stringify(a.position()));
  assertEquals(saved.epoch, 1);
  const b = mlmBatches(docs, tok, { batchSize: 8, seqLen: 32, seed: 9, start: saved });
  for (let i = 0; i < 3; i++) assertEquals(b.next(), a.next());
  const c = mlmBatches(docs, tok, { batchSize: 8, seqLen: 32, seed: 9 });
  c.restore(saved);
  assertEquals(c.next(), mlmBatches(docs, tok, { batchSize: 8, seqLen: 32, seed: 9, start: saved }).next());
  assertThrows(() => c.restore({ epoch: 0, batch: c.batchesPerEpoch }), Error, "past the end of an epoch");
});

Deno.test("mlmBatches() rejects seqLen 0, an empty corpus and a bad resume position", () => {
  const docs = randomDocs(3, 1);
  assertThrows(
    () => mlmBatches(docs, tok, { batchSize: 2, seqLen: 0 }),
    Error,
    "seqLen must be an integer ≥ 2",
  );
  assertThrows(() => mlmBatches([[], []], tok, { batchSize: 2, seqLen: 8 }), Error, "corpus is empty");
  assertThrows(
    () => mlmBatches(docs, tok, { batchSize: 0, seqLen: 8 }),
    Error,
    "batchSize must be a positive integer",
  );
  assertThrows(
    () => mlmBatches(docs, tok, { batchSize: 2, seqLen: 8, start: { epoch: -1, batch: 0 } }),
    Error,
    "position.epoch must be a non-negative integer",
  );
});

Deno.test("mlmBatches() predicts at least one token in every row, even rows of one token", () => {
  // One-token documents in 2-token rows: at 15% most rows would draw no position without the guarantee.
  const docs = Array.from({ length: 200 }, (_, i) => [5 + (i % 900)]);
  const it = mlmBatches(docs, tok, { batchSize: 4, seqLen: 2, seed: 1 });
  for (let k = 0; k < it.batchesPerEpoch; k++) {
    const b = it.next();
    const rows = new Set(Array.from(b.maskedPositions, (p) => Math.floor(p / b.seqLen)));
    for (let r = 0; r < b.batchSize; r++) {
      const realTokens = Array.from(b.attentionMask.subarray(r * 2 + 1, r * 2 + 2)).filter(Boolean).length;
      const maskable = realTokens > 0 && originals(b)[r * 2 + 1] > 4;
      assert(!maskable || rows.has(r), `batch ${k} row ${r} has no masked position`);
    }
  }
});

Deno.test("mlmBatches() rejects an unknown option with the nearest name", () => {
  assertThrows(
    () => mlmBatches([[5, 6]], tok, { batchSize: 2, seqLen: 4, maskProbability: 0.2 } as never),
    Error,
    "maskProb",
  );
});
