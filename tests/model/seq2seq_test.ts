import { assert, assertAlmostEquals, assertEquals, assertRejects, assertThrows } from "@std/assert";
import { OptionError } from "../../lib/util/options.ts";
import { tf } from "../../lib/backend/tf.ts";
import type { Seq2SeqBatch } from "../../lib/data/types.ts";
import { beamSearch, greedyDecode } from "../../lib/model/decode.ts";
import { countParams, disposeParams } from "../../lib/model/params.ts";
import {
  decoderCache,
  disposeDecoderCache,
  initSeq2Seq,
  seq2seqDecode,
  seq2seqDecoderStates,
  seq2seqEncode,
  seq2seqLogits,
  seq2seqLoss,
} from "../../lib/model/seq2seq.ts";
import { seq2seqConfig, seq2seqParamCount } from "../../lib/model/seq2seq_config.ts";
import { createAdamW, disposeAdamW } from "../../lib/train/adamw.ts";
import { trainStep } from "../../lib/train/train_step.ts";

const tiny = (o = {}) =>
  seq2seqConfig({
    vocabSize: 12,
    encoderLayers: 2,
    decoderLayers: 2,
    hiddenSize: 32,
    numHeads: 4,
    intermediateSize: 64,
    maxPositions: 8,
    ...o,
  });
const BOS = 0, PAD = 1, EOS = 2;

/** Pairs → a padded batch: source `src </s>`, decoder input `<s> tgt`, target `tgt </s>`. */
function makeBatch(pairs: Array<[number[], number[]]>): Seq2SeqBatch {
  const s = Math.max(...pairs.map(([a]) => a.length + 1)),
    t = Math.max(...pairs.map(([, b]) => b.length + 1));
  const b = pairs.length;
  const batch: Seq2SeqBatch = {
    batchSize: b,
    srcLen: s,
    tgtLen: t,
    srcIds: new Int32Array(b * s).fill(PAD),
    srcMask: new Uint8Array(b * s),
    decoderInputIds: new Int32Array(b * t).fill(PAD),
    targetIds: new Int32Array(b * t).fill(PAD),
    targetMask: new Uint8Array(b * t),
  };
  pairs.forEach(([src, tgt], r) => {
    [...src, EOS].forEach((id, i) => [batch.srcIds[r * s + i], batch.srcMask[r * s + i]] = [id, 1]);
    [BOS, ...tgt].forEach((id, i) => batch.decoderInputIds[r * t + i] = id);
    [...tgt, EOS].forEach((id, i) => [batch.targetIds[r * t + i], batch.targetMask[r * t + i]] = [id, 1]);
  });
  return batch;
}

Deno.test("seq2seqParamCount() equals the parameter record, shared or separate embeddings, post or pre LN", () => {
  for (const o of [{}, { shareEmbeddings: false }, { layerNorm: "pre" as const, decoderLayers: 3 }]) {
    const c = tiny(o);
    const p = initSeq2Seq(c, 0);
    assertEquals(countParams(p), seq2seqParamCount(c), JSON.stringify(o));
    assertEquals("model.shared.weight" in p, c.shareEmbeddings);
    disposeParams(p);
  }
  assertThrows(() => seq2seqConfig({ decoderLayers: 0 }), Error, "decoderLayers must be a positive integer");
});

Deno.test("seq2seqDecode() is causal: logits at position t ignore decoder inputs after t", async () => {
  const config = tiny({ initStd: 0.3 });
  const params = initSeq2Seq(config, 1);
  const a = makeBatch([[[5, 6, 7], [3, 4, 5, 6]]]);
  const b = makeBatch([[[5, 6, 7], [3, 4, 9, 10]]]); // differs from decoder position 3 on
  const [la, lb] = tf.tidy(() =>
    [a, b].map((x) =>
      seq2seqDecode(
        params,
        {
          decoderIds: x.decoderInputIds,
          batchSize: 1,
          memory: seq2seqEncode(params, x, config, { training: false }),
        },
        config,
        { training: false },
      )
    )
  );
  const [da, db] = [await la.data(), await lb.data()];
  const v = config.vocabSize;
  for (let i = 0; i < 3 * v; i++) assertAlmostEquals(da[i], db[i], 1e-5); // positions 0-2 see only <s> 3 4
  assert(da.slice(3 * v).some((x, i) => Math.abs(x - db[3 * v + i]) > 1e-3));
  tf.dispose([la, lb]);
  disposeParams(params);
});

Deno.test("seq2seq overfits one batch; greedy and beam search then reproduce the targets and stop on EOS", async () => {
  const config = tiny({ dropout: 0, attentionDropout: 0, encoderLayers: 1, decoderLayers: 1 });
  const pairs: Array<[number[], number[]]> = [[[3, 4, 5], [5, 4, 3]], [[6, 7], [7, 6]], [[8, 9, 10, 11], [
    11,
    10,
    9,
    8,
  ]], [[4], [4]]];
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

Deno.test("beamSearch() with an exhaustive beam finds the most probable output of all 85 candidates", async () => {
  const config = tiny({ vocabSize: 5, initStd: 0.5, maxPositions: 4 });
  const params = initSeq2Seq(config, 3);
  const source = makeBatch([[[3, 4, 3], [4]]]);
  const v = 5, maxLength = 3;
  // Teacher-forced log-probabilities of every 3-token continuation: rows = all (x1, x2) prefixes.
  const prefixes: number[][] = [];
  for (let x1 = 0; x1 < v; x1++) for (let x2 = 0; x2 < v; x2++) prefixes.push([BOS, x1, x2]);
  const logp = tf.tidy(() => {
    const memory = seq2seqEncode(params, source, config, { training: false });
    const tiled = { ...memory, states: tf.tile(memory.states, [prefixes.length, 1]) as tf.Tensor2D };
    const logits = seq2seqDecode(
      params,
      { decoderIds: Int32Array.from(prefixes.flat()), batchSize: prefixes.length, memory: tiled },
      config,
      { training: false },
    );
    return tf.logSoftmax(logits);
  });
  const lp = await logp.data();
  logp.dispose();
  const at = (x1: number, x2: number, pos: number, token: number) =>
    lp[((x1 * v + x2) * 3 + pos) * v + token];
  let best = { seq: [] as number[], score: -Infinity };
  const consider = (seq: number[], score: number) => {
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
    lengthPenalty: 0,
  });
  assertEquals(found, best.seq.at(-1) === EOS ? best.seq.slice(0, -1) : best.seq);
  disposeParams(params);
});

Deno.test("decoding with the key/value cache matches re-running the whole prefix (post- and pre-LN)", async () => {
  for (const layerNorm of ["post", "pre"] as const) {
    const config = tiny({ initStd: 0.5, layerNorm, maxPositions: 8 });
    const params = initSeq2Seq(config, 4);
    const batch = makeBatch([[[3, 4, 5], [5, 4, 3, 6]], [[6], [7, 6, 9, 9]], [[8, 9, 10, 11], [
      11,
      3,
      9,
      8,
    ]]]);
    const b = batch.batchSize, t = batch.tgtLen, v = config.vocabSize;
    // Logits position by position through the cache against one teacher-forced pass.
    const full = tf.tidy(() => {
      const memory = seq2seqEncode(params, batch, config, { training: false });
      return seq2seqDecode(params, { decoderIds: batch.decoderInputIds, batchSize: b, memory }, config, {
        training: false,
      });
    });
    const want = await full.data();
    full.dispose();
    const cache = decoderCache(config);
    const memory = tf.tidy(() => {
      const m = seq2seqEncode(params, batch, config, { training: false });
      return [m.states, m.bias!];
    });
    for (let pos = 0; pos < t; pos++) {
      const ids = Int32Array.from({ length: b }, (_, r) => batch.decoderInputIds[r * t + pos]);
      const step = tf.tidy(() =>
        seq2seqLogits(
          params,
          seq2seqDecoderStates(
            params,
            {
              decoderIds: ids,
              batchSize: b,
              memory: { states: memory[0] as tf.Tensor2D, length: batch.srcLen, bias: memory[1] },
            },
            config,
            { training: false, cache },
          ),
          config,
        )
      );
      const got = await step.data();
      step.dispose();
      for (let r = 0; r < b; r++) {
        for (let k = 0; k < v; k++) {
          assertAlmostEquals(
            got[r * v + k],
            want[(r * t + pos) * v + k],
            1e-4,
            `${layerNorm} row ${r} pos ${pos}`,
          );
        }
      }
    }
    assertEquals(cache.length, t);
    disposeDecoderCache(cache);
    tf.dispose(memory);
    const options = { bos: BOS, eos: EOS, maxLength: 7 };
    const before = tf.memory().numTensors;
    assertEquals(
      await greedyDecode(params, batch, config, options),
      await greedyDecode(params, batch, config, { ...options, cache: false }),
    );
    assertEquals(
      await beamSearch(params, batch, config, { ...options, beamSize: 3 }),
      await beamSearch(params, batch, config, { ...options, beamSize: 3, cache: false }),
    );
    assertEquals(tf.memory().numTensors, before, "decoding leaked tensors");
    disposeParams(params);
  }
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
    [() => greedyDecode(params, source, config, { ...base, eos: 99 }), "eos"],
  ];
  for (const [call, name] of bad) await assertRejects(call, OptionError, name);
  disposeParams(params);
});
