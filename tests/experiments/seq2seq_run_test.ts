import { assert, assertEquals, assertThrows } from "@std/assert";
import { tf, useBackend } from "../../lib/backend/mod.ts";
import {
  bleuHook,
  decodeSources,
  seq2seqModelConfig,
  seq2seqRun,
  translationData,
} from "../../lib/experiments/seq2seq_run.ts";
import { bleu } from "../../lib/metrics/bleu.ts";
import { greedyDecode } from "../../lib/model/decode.ts";
import { disposeParams } from "../../lib/model/params.ts";
import { initSeq2Seq } from "../../lib/model/seq2seq.ts";
import { loadParams } from "../../lib/train/checkpoint.ts";
import { runCheckpoint } from "../../lib/experiments/run_training.ts";
import { assertResumeReplays } from "./_runs.ts";

const TINY = seq2seqRun.config({
  model: { encoderLayers: 1, decoderLayers: 1, width: 32, heads: 2, ffn: 64 },
  maxSteps: 9,
  seconds: null,
  evaluations: 3,
  maxTokens: 256,
  maxLen: 16,
  peakLr: 3e-3,
  data: { train: 300, validation: 8, vocabSize: 300, corpusSeed: 0, srcPath: null, tgtPath: null },
  decode: { beamSize: 1, lengthPenalty: 1, batchSize: 3 },
});

Deno.test("seq2seq run: BLEU of the decoded validation set at each record, decoding time recorded, exact resume", async () => {
  await useBackend("cpu");
  const { records, summary, dir } = await assertResumeReplays(seq2seqRun, TINY);
  assertEquals(records.map((r) => r.step), [3, 6, 9]);
  let decoded = 0;
  for (const r of records) {
    assert((r.bleu as number) >= 0 && (r.bleu as number) <= 100, `bleu ${r.bleu}`);
    decoded += r.decodeSeconds as number;
    assert(decoded > 0 && decoded <= r.evalSeconds, "decoding is part of the evaluation time");
    assert(r.seconds < r.wallSeconds);
  }
  assertEquals(summary.bleu, records[2].bleu);
  assert(summary.params > 0 && summary.flopsPerToken > 0);

  // The hook's BLEU is corpus BLEU of the decoded validation set.
  const data = await translationData(TINY.data);
  const model = seq2seqModelConfig(TINY, data.tokenizer.vocabSize);
  const params = initSeq2Seq(model, 0);
  await loadParams(`${await runCheckpoint(dir, "test")}/model.safetensors`, params);
  const m = await bleuHook(model, data, TINY.decode, 16)({ step: 9, seconds: 0, tokens: 0, params });
  assertEquals(m.bleu, summary.bleu);
  const hypotheses = await decodeSources(params, model, data, TINY.decode, 16);
  assertEquals(m.bleu, bleu(hypotheses, [data.references]).score);
  // Batched, padded decoding gives each sentence's own greedy output.
  // A barely trained model says the same word for every sentence; a random one (cross-attention values
  // ×30) says different things for different sources.
  const random = initSeq2Seq(model, 1);
  for (const [name, v] of Object.entries(random)) {
    if (/encoder_attn\.(v|out)_proj/.test(name)) v.assign(tf.mul(v, 30));
  }
  const { bos, eos } = data.tokenizer.special;
  const single: string[] = [];
  for (const p of data.validation) {
    const ids = [...Array.from(p.src).slice(0, 16), eos];
    const source = {
      batchSize: 1,
      srcLen: ids.length,
      srcIds: Int32Array.from(ids),
      srcMask: new Uint8Array(ids.length).fill(1),
    };
    const [out] = await greedyDecode(random, source, model, { bos, eos, maxLength: 17 });
    single.push(data.tokenizer.decode(out));
  }
  assert(new Set(single).size > 1, `outputs do not depend on the input: ${single}`);
  assertEquals(await decodeSources(random, model, data, TINY.decode, 16), single);
  const beam = await decodeSources(random, model, data, { beamSize: 3, lengthPenalty: 1, batchSize: 3 }, 16);
  assertEquals(beam.length, 8);
  disposeParams(random);
  disposeParams(params);
  // The references are the generator's French sentences.
  assertEquals(data.references.length, 8);
  assertEquals(data.tokenizer.decode(Array.from(data.validation[0].tgt)), data.references[0]);
});

Deno.test("seq2seq config: unknown fields and half-given parallel files are named", () => {
  assertThrows(() => seq2seqRun.config({ decode: { beam: 4 } } as never), Error, "decode.beam");
  assertThrows(
    () => seq2seqRun.config({ data: { ...TINY.data, srcPath: "a.en" } }),
    Error,
    "give both data.srcPath and data.tgtPath",
  );
  assertThrows(() => seq2seqRun.config({ labelSmoothing: 1 }), Error, "labelSmoothing");
});
