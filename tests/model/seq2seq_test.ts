import { assert, assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { tf } from "../../lib/backend/tf.ts";
import { beamSearch, greedyDecode } from "../../lib/model/decode.ts";
import { disposeParams } from "../../lib/model/params.ts";
import {
  decoderCache,
  disposeDecoderCache,
  initSeq2Seq,
  selectCachedRows,
  seq2seqDecode,
  seq2seqDecoderStates,
  seq2seqEncode,
  seq2seqLogits,
} from "../../lib/model/seq2seq.ts";
import { seq2seqConfig } from "../../lib/model/seq2seq_config.ts";
import { paramCount } from "../../lib/model/size.ts";
import { BOS, EOS, seq2seqBatch as makeBatch, tinySeq2Seq as tiny } from "./_fixtures.ts";

Deno.test("paramCount() of a seq2seq config equals the parameter record, shared or separate embeddings, post or pre LN", () => {
  for (const o of [{}, { shareEmbeddings: false }, { layerNorm: "pre" as const, decoderLayers: 3 }]) {
    const c = tiny(o);
    const p = initSeq2Seq(c, 0);
    assertEquals(paramCount(p), paramCount(c), JSON.stringify(o));
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

Deno.test("the decoder cache fed several positions at once equals feeding them one at a time, before and after selectCachedRows", async () => {
  const config = tiny({ initStd: 0.5, maxPositions: 8 });
  const params = initSeq2Seq(config, 4);
  const batch = makeBatch([[[3, 4, 5], [5, 4, 3, 6]], [[6], [7, 6, 9, 9]], [[8, 9, 10, 11], [11, 3, 9, 8]]]);
  const b = batch.batchSize, t = batch.tgtLen;
  const [states, bias] = tf.tidy(() => {
    const m = seq2seqEncode(params, batch, config, { training: false });
    return [m.states, m.bias!];
  });
  const memory = { states: states as tf.Tensor2D, length: batch.srcLen, bias };
  const before = tf.memory().numTensors;
  // Positions [from, to) of every row; returns the decoder states of the last position fed, row by row.
  const feed = async (cache: ReturnType<typeof decoderCache>, from: number, to: number, order: number[]) => {
    const ids = Int32Array.from(
      order.flatMap((r) => Array.from(batch.decoderInputIds.subarray(r * t + from, r * t + to))),
    );
    const x = tf.tidy(() =>
      seq2seqDecoderStates(params, { decoderIds: ids, batchSize: b, memory }, config, {
        training: false,
        cache,
      })
    );
    const all = await x.data() as Float32Array, c = config.hiddenSize, n = to - from;
    x.dispose();
    return order.map((_, i) => Array.from(all.subarray(((i + 1) * n - 1) * c, (i + 1) * n * c)));
  };
  const order = [2, 0, 1]; // the rows after the reorder
  const one = decoderCache(config), three = decoderCache(config);
  for (let pos = 0; pos < 3; pos++) await feed(one, pos, pos + 1, [0, 1, 2]);
  await feed(three, 0, 3, [0, 1, 2]);
  assertEquals(three.length, 3);
  for (const cache of [one, three]) selectCachedRows(cache, order);
  const [a, c] = [await feed(one, 3, 4, order), await feed(three, 3, 4, order)];
  for (let r = 0; r < b; r++) {
    for (let j = 0; j < a[r].length; j++) assertAlmostEquals(a[r][j], c[r][j], 1e-5);
  }
  disposeDecoderCache(one);
  disposeDecoderCache(three);
  assertEquals(tf.memory().numTensors, before, "the cached steps leaked tensors");
  tf.dispose([states, bias]);
  disposeParams(params);
});
