/**
 * Encoder-decoder parity with an independent PyTorch implementation (tests/model/torch_seq2seq_reference.py)
 * that loads our safetensors file with load_state_dict(strict=True) under HF BART names. Skipped outside CI
 * when PyTorch is absent; required under CI=true (Debian python3-torch).
 */
import { assert, assertAlmostEquals } from "@std/assert";
import { fromFileUrl } from "@std/path";
import { tf } from "../../lib/backend/tf.ts";
import { disposeParams } from "../../lib/model/params.ts";
import { initSeq2Seq, seq2seqLoss } from "../../lib/model/seq2seq.ts";
import { seq2seqConfig } from "../../lib/model/seq2seq_config.ts";
import { saveParams } from "../../lib/train/checkpoint.ts";
import { createRng } from "../../lib/util/random.ts";
import { hasTorch, requireTool } from "../_support/tools.ts";

const script = fromFileUrl(new URL("./torch_seq2seq_reference.py", import.meta.url));

function randomBatch(b: number, s: number, t: number, v: number) {
  const rng = createRng("s2s-parity");
  const srcLens = [s, s - 2, 2], tgtLens = [t, 3, t - 1];
  const ids = (n: number, lens: number[], len: number) =>
    Int32Array.from(
      { length: n * len },
      (_, i) => (i % len < lens[Math.floor(i / len)] ? 3 + rng.int(v - 3) : 1),
    );
  const mask = (n: number, lens: number[], len: number) =>
    Uint8Array.from({ length: n * len }, (_, i) => (i % len < lens[Math.floor(i / len)] ? 1 : 0));
  return {
    batchSize: b,
    srcLen: s,
    tgtLen: t,
    srcIds: ids(b, srcLens, s),
    srcMask: mask(b, srcLens, s),
    decoderInputIds: ids(b, tgtLens, t),
    targetIds: ids(b, tgtLens, t),
    targetMask: mask(b, tgtLens, t),
  };
}

for (const [layerNorm, shareEmbeddings] of [["post", true], ["pre", false]] as const) {
  Deno.test(`seq2seqLoss() matches a PyTorch BART-named model within 1e-4 (${layerNorm}-LN, shared=${shareEmbeddings})`, async () => {
    if (
      !requireTool(await hasTorch(), "PyTorch (python3 -c 'import torch')", "apt-get install python3-torch")
    ) return;
    const config = seq2seqConfig({
      vocabSize: 23,
      encoderLayers: 2,
      decoderLayers: 2,
      hiddenSize: 16,
      numHeads: 4,
      intermediateSize: 32,
      maxPositions: 8,
      initStd: 0.3,
      layerNorm,
      shareEmbeddings,
    });
    const params = initSeq2Seq(config, 5);
    for (const [name, v] of Object.entries(params)) {
      if (/norm|bias/.test(name)) {
        v.assign(tf.tidy(() => tf.add(v, tf.randomNormal(v.shape, 0, 0.3, "float32", 3))));
      }
    }
    const batch = randomBatch(3, 6, 5, config.vocabSize);
    const dir = await Deno.makeTempDir();
    await saveParams(`${dir}/model.safetensors`, params);
    const json = Object.fromEntries(
      Object.entries(batch).map(([k, x]) => [k, typeof x === "number" ? x : Array.from(x)]),
    );
    await Deno.writeTextFile(`${dir}/input.json`, JSON.stringify({ ...json, config }));
    const out = await new Deno.Command("/usr/bin/python3", {
      args: [script, `${dir}/model.safetensors`, `${dir}/input.json`],
      cwd: fromFileUrl(new URL(".", import.meta.url)),
      env: { PYTHONDONTWRITEBYTECODE: "1" }, // no __pycache__ in the source tree
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!out.success) {
      throw new Error(`torch_seq2seq_reference.py failed:\n${new TextDecoder().decode(out.stderr)}`);
    }
    const ref = JSON.parse(new TextDecoder().decode(out.stdout)) as { loss: number; smoothed: number };
    const [plain, smoothed] = tf.tidy(() => [
      seq2seqLoss(params, batch, config, { training: false }),
      seq2seqLoss(params, batch, config, { training: false, labelSmoothing: 0.1 }),
    ]);
    const [a, b] = [(await plain.data())[0], (await smoothed.data())[0]];
    assert(a > 1 && Math.abs(a - b) > 1e-3, `losses ${a}, ${b} should be far from 0 and from each other`);
    assertAlmostEquals(a, ref.loss, 1e-4, `ours ${a}, PyTorch ${ref.loss}`);
    assertAlmostEquals(b, ref.smoothed, 1e-4, `label-smoothed: ours ${b}, PyTorch ${ref.smoothed}`);
    tf.dispose([plain, smoothed]);
    disposeParams(params);
    await Deno.remove(dir, { recursive: true });
  });
}
