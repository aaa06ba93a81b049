/**
 * Greedy and beam-search decoding (lib/model/decode.ts) against references that do not share its search
 * code: a plain argmax loop over teacher-forced logits, and an exhaustive enumeration of every output.
 */
import { assert, assertEquals, assertRejects } from "@std/assert";
import { OptionError } from "../../lib/util/options.ts";
import { tf } from "../../lib/backend/tf.ts";
import { beamSearch, greedyDecode } from "../../lib/model/decode.ts";
import { disposeParams, type Params } from "../../lib/model/params.ts";
import {
  initSeq2Seq,
  seq2seqDecode,
  seq2seqEncode,
  seq2seqLoss,
  type SourceInput,
} from "../../lib/model/seq2seq.ts";
import type { Seq2SeqConfig } from "../../lib/model/seq2seq_config.ts";
import { createAdamW, disposeAdamW } from "../../lib/train/adamw.ts";
import { trainStep } from "../../lib/train/train_step.ts";
import { BOS, EOS, seq2seqBatch as makeBatch, tinySeq2Seq as tiny } from "./_fixtures.ts";

/** Log-probabilities (rows, T, V) of teacher-forced decoder inputs `prefixes` (each `<s> …`, same length). */
async function teacherForced(
  params: Params,
  source: SourceInput,
  sentence: number,
  prefixes: number[][],
  config: Seq2SeqConfig,
): Promise<Float32Array> {
  const one: SourceInput = {
    batchSize: 1,
    srcLen: source.srcLen,
    srcIds: source.srcIds.slice(sentence * source.srcLen, (sentence + 1) * source.srcLen),
    srcMask: source.srcMask.slice(sentence * source.srcLen, (sentence + 1) * source.srcLen),
  };
  const out = tf.tidy(() => {
    const memory = seq2seqEncode(params, one, config, { training: false });
    const tiled = {
      ...memory,
      states: tf.tile(memory.states, [prefixes.length, 1]) as tf.Tensor2D,
      bias: memory.bias && tf.tile(memory.bias, [prefixes.length, 1, 1, 1]),
    };
    const logits = seq2seqDecode(
      params,
      { decoderIds: Int32Array.from(prefixes.flat()), batchSize: prefixes.length, memory: tiled },
      config,
      { training: false },
    );
    return tf.logSoftmax(logits);
  });
  const data = await out.data() as Float32Array;
  out.dispose();
  return data;
}

/** Greedy decoding written as the definition: re-run the whole prefix, take the argmax, stop at EOS. */
async function referenceGreedy(
  params: Params,
  source: SourceInput,
  config: Seq2SeqConfig,
  maxLength: number,
): Promise<number[][]> {
  const v = config.vocabSize, out: number[][] = [];
  for (let i = 0; i < source.batchSize; i++) {
    const prefix = [BOS];
    while (prefix.length <= maxLength) {
      const lp = await teacherForced(params, source, i, [prefix], config);
      const last = lp.subarray((prefix.length - 1) * v, prefix.length * v);
      const best = last.indexOf(Math.max(...last));
      if (best === EOS) break;
      prefix.push(best);
    }
    out.push(prefix.slice(1));
  }
  return out;
}

Deno.test("greedyDecode() equals an argmax loop over teacher-forced logits, per sentence of a batch", async () => {
  // Untrained models chosen so that rows differ: pre-LN seed 5 decodes mixed tokens to the full length,
  // seed 6 stops rows at different lengths (1, 3, 1), post-LN seed 3 stops two rows at once (output []).
  const cases = [{ layerNorm: "pre", seed: 5 }, { layerNorm: "pre", seed: 6 }, {
    layerNorm: "post",
    seed: 3,
  }] as const;
  for (const { layerNorm, seed } of cases) {
    const config = tiny({ initStd: 1, layerNorm, maxPositions: 8 });
    const params = initSeq2Seq(config, seed);
    const source = makeBatch([[[3, 4, 5], []], [[6], []], [[8, 9, 10, 11], []]]);
    const want = await referenceGreedy(params, source, config, 6);
    const before = tf.memory().numTensors;
    assertEquals(await greedyDecode(params, source, config, { bos: BOS, eos: EOS, maxLength: 6 }), want);
    assertEquals(tf.memory().numTensors, before, "greedyDecode leaked tensors");
    disposeParams(params);
  }
});

for (const lengthPenalty of [0, 1]) {
  Deno.test(`beamSearch() with an exhaustive beam finds the best of all 85 outputs (lengthPenalty ${lengthPenalty})`, async () => {
    // Seed 13 is a model whose best output is [] (EOS first) by total log-probability but a full-length
    // output without EOS by mean log-probability, so the two penalties pick different winners.
    const config = tiny({ vocabSize: 5, initStd: 1, layerNorm: "pre", maxPositions: 4 });
    const params = initSeq2Seq(config, 13);
    const source = makeBatch([[[3, 4, 3], [4]]]);
    const v = 5, maxLength = 3;
    // Teacher-forced log-probabilities of every 3-token continuation: rows = all (x1, x2) prefixes.
    const prefixes: number[][] = [];
    for (let x1 = 0; x1 < v; x1++) for (let x2 = 0; x2 < v; x2++) prefixes.push([BOS, x1, x2]);
    const lp = await teacherForced(params, source, 0, prefixes, config);
    const at = (x1: number, x2: number, pos: number, token: number) =>
      lp[((x1 * v + x2) * 3 + pos) * v + token];
    // Ranked as fairseq: Σ log p / length^α, the length counting EOS; a full-length output without EOS too.
    let best = { seq: [] as number[], score: -Infinity };
    const consider = (seq: number[], logProb: number) => {
      const score = logProb / seq.length ** lengthPenalty;
      if (score > best.score) best = { seq, score };
    };
    consider([EOS], at(0, 0, 0, EOS));
    for (let a = 0; a < v; a++) {
      if (a === EOS) continue;
      consider([a, EOS], at(a, 0, 0, a) + at(a, 0, 1, EOS));
      for (let b = 0; b < v; b++) {
        if (b === EOS) continue;
        const ab = at(a, b, 0, a) + at(a, b, 1, b);
        consider([a, b, EOS], ab + at(a, b, 2, EOS));
        for (let c = 0; c < v; c++) if (c !== EOS) consider([a, b, c], ab + at(a, b, 2, c));
      }
    }
    const [found] = await beamSearch(params, source, config, {
      bos: BOS,
      eos: EOS,
      maxLength,
      beamSize: 25,
      lengthPenalty,
    });
    assertEquals(found, best.seq.at(-1) === EOS ? best.seq.slice(0, -1) : best.seq);
    disposeParams(params);
  });
}

Deno.test("beamSearch() with one hypothesis is greedy decoding", async () => {
  const config = tiny({ initStd: 0.5 });
  const params = initSeq2Seq(config, 6);
  const source = makeBatch([[[3, 4, 5], []], [[7, 7], []]]);
  const options = { bos: BOS, eos: EOS, maxLength: 6 };
  assertEquals(
    await beamSearch(params, source, config, { ...options, beamSize: 1 }),
    await referenceGreedy(params, source, config, 6),
  );
  disposeParams(params);
});

Deno.test("greedyDecode() and beamSearch() name a bad beamSize, lengthPenalty, maxLength or unknown option", async () => {
  const config = tiny({ vocabSize: 12, maxPositions: 6 });
  const params = initSeq2Seq(config, 0);
  const source = makeBatch([[[3, 4], [4]]]);
  const base = { bos: 0, eos: 2, maxLength: 4 };
  const bad: [() => Promise<unknown>, string][] = [
    [() => beamSearch(params, source, config, { ...base, beamSize: 0 }), "beamSize"],
    [() => beamSearch(params, source, config, { ...base, beamSize: 2.5 }), "beamSize"],
    [() => beamSearch(params, source, config, { ...base, lengthPenalty: NaN }), "lengthPenalty"],
    [() => beamSearch(params, source, config, { ...base, beamsize: 2 } as never), "did you mean `beamSize`"],
    [() => greedyDecode(params, source, config, { ...base, maxLength: Infinity }), "maxLength"],
    [() => greedyDecode(params, source, config, { ...base, maxLength: 7 }), "maxPositions 6"],
    [() => greedyDecode(params, source, config, { ...base, maxLength: 0 }), "maxLength"],
    [() => greedyDecode(params, source, config, { ...base, eos: 99 }), "eos"],
  ];
  for (const [call, name] of bad) await assertRejects(call, OptionError, name);
  disposeParams(params);
});

Deno.test("a model overfit on four pairs decodes them back, greedy and beam, stopping on EOS", async () => {
  const config = tiny({ dropout: 0, attentionDropout: 0, encoderLayers: 1, decoderLayers: 1 });
  const pairs: Array<[number[], number[]]> = [
    [[3, 4, 5], [5, 4, 3]],
    [[6, 7], [7, 6]],
    [[8, 9, 10, 11], [11, 10, 9, 8]],
    [[4], [4]],
  ];
  const batch = makeBatch(pairs);
  const params = initSeq2Seq(config, 2);
  const opt = createAdamW(params, { weightDecay: 0 });
  let afterFirst = 0;
  for (let s = 0; s < 150; s++) {
    const r = trainStep(params, opt, () => seq2seqLoss(params, batch, config, { training: true, seed: s }), {
      lr: 5e-3,
    });
    tf.dispose([r.loss, r.gradNorm]);
    if (s === 0) afterFirst = tf.memory().numTensors;
  }
  assertEquals(tf.memory().numTensors, afterFirst, "training leaked tensors");
  const l = tf.tidy(() => seq2seqLoss(params, batch, config, { training: false }));
  const loss = (await l.data())[0];
  l.dispose();
  assert(loss < 0.02, `loss after 150 steps ${loss}`);
  const options = { bos: BOS, eos: EOS, maxLength: 7 };
  const beforeDecode = tf.memory().numTensors;
  assertEquals(await greedyDecode(params, batch, config, options), pairs.map(([, t]) => t));
  assertEquals(await beamSearch(params, batch, config, { ...options, beamSize: 3 }), pairs.map(([, t]) => t));
  assertEquals(tf.memory().numTensors, beforeDecode, "decoding leaked tensors");
  disposeAdamW(opt);
  disposeParams(params);
});

Deno.test("beamSearch() of a batch equals searching each sentence alone, with and without the cache", async () => {
  // Seed 6 stops sentences at different steps, so the batch's rows change as sentences finish.
  const config = tiny({ initStd: 1, layerNorm: "pre", maxPositions: 8 });
  const params = initSeq2Seq(config, 6);
  const pairs: Array<[number[], number[]]> = [[[3, 4, 5], []], [[6], []], [[8, 9, 10, 11], []], [[7, 7], []]];
  const options = { bos: BOS, eos: EOS, maxLength: 6, beamSize: 3 };
  const alone: number[][] = [];
  for (const pair of pairs) alone.push(...await beamSearch(params, makeBatch([pair]), config, options));
  assert(new Set(alone.map((x) => x.length)).size > 1, "the sentences should stop at different lengths");
  const before = tf.memory().numTensors;
  for (const cache of [true, false]) {
    assertEquals(
      await beamSearch(params, makeBatch(pairs), config, { ...options, cache }),
      alone,
      `cache ${cache}`,
    );
  }
  assertEquals(tf.memory().numTensors, before, "beamSearch leaked tensors");
  disposeParams(params);
});
