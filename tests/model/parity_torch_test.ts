/**
 * Forward-pass parity with an independent PyTorch implementation (tests/model/torch_reference.py), which
 * loads the same safetensors file with load_state_dict(strict=True): same parameter names, same layout.
 * Checked on cpu and, where a BLAS loads, on native. Skipped outside CI when PyTorch is absent; required
 * under CI=true (Debian python3-torch).
 */
import { assert, assertAlmostEquals } from "@std/assert";
import { fromFileUrl } from "@std/path";
import { tf, useBackend } from "../../lib/backend/mod.ts";
import { HAS_NATIVE } from "../backend/_native.ts";
import { encoderForward, initEncoder } from "../../lib/model/encoder.ts";
import { mlmLoss } from "../../lib/model/mlm.ts";
import { disposeParams } from "../../lib/model/params.ts";
import { loadParams, saveParams } from "../../lib/train/checkpoint.ts";
import { hasTorch, requireTool } from "../_support/tools.ts";
import { syntheticMlmBatch, tinyConfig } from "./_fixtures.ts";

const script = fromFileUrl(new URL("./torch_reference.py", import.meta.url));

for (const layerNorm of ["post", "pre"] as const) {
  Deno.test(`mlmLoss() matches a PyTorch encoder loading our safetensors file within 1e-4 (${layerNorm}-LN)`, async () => {
    if (
      !requireTool(await hasTorch(), "PyTorch (python3 -c 'import torch')", "apt-get install python3-torch")
    ) return;
    const config = tinyConfig({
      layerNorm,
      numLayers: 2,
      hiddenSize: 32,
      numHeads: 4,
      intermediateSize: 128,
      initStd: 0.2,
    });
    const params = initEncoder(config, 21);
    // Non-trivial LayerNorm gains and biases, so a swapped gain/bias or wrong LayerNorm would show.
    for (const [name, v] of Object.entries(params)) {
      if (/LayerNorm|layer_norm|bias/.test(name)) {
        v.assign(tf.tidy(() => tf.add(v, tf.randomNormal(v.shape, 0, 0.3, "float32", 7))));
      }
    }
    const batch = syntheticMlmBatch(8, config.vocabSize, [12, 7, 3], 12);
    const dir = await Deno.makeTempDir();
    await saveParams(`${dir}/model.safetensors`, params);
    await Deno.writeTextFile(
      `${dir}/input.json`,
      JSON.stringify({
        config,
        batchSize: batch.batchSize,
        seqLen: batch.seqLen,
        inputIds: Array.from(batch.inputIds),
        attentionMask: Array.from(batch.attentionMask),
        maskedPositions: Array.from(batch.maskedPositions),
        maskedLabels: Array.from(batch.maskedLabels),
      }),
    );
    const out = await new Deno.Command("/usr/bin/python3", {
      args: [script, `${dir}/model.safetensors`, `${dir}/input.json`],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!out.success) throw new Error(`torch_reference.py failed:\n${new TextDecoder().decode(out.stderr)}`);
    const ref = JSON.parse(new TextDecoder().decode(out.stdout)) as { loss: number; hidden: number[] };
    // Ours on cpu (the reference backend) and on native (the default where a BLAS loads: matmuls in BLAS, fused
    // GELU/LayerNorm), each with weights loaded from the same file.
    const backends = ["cpu", ...(HAS_NATIVE ? ["native"] : [])];
    try {
      for (const name of backends) {
        await useBackend(name);
        const here = initEncoder(config, 0);
        await loadParams(`${dir}/model.safetensors`, here);
        const [loss, hidden] = tf.tidy(() => [
          mlmLoss(here, batch, config, { training: false }),
          encoderForward(here, batch, config, { training: false }),
        ]);
        const ours = (await loss.data())[0];
        assert(ours > 1, `loss ${ours} should be far from 0 for a meaningful comparison`);
        assertAlmostEquals(ours, ref.loss, 1e-4, `${name}: ours ${ours}, PyTorch ${ref.loss}`);
        const h = await hidden.data();
        let worst = 0;
        for (let i = 0; i < h.length; i++) {
          if (batch.attentionMask[Math.floor(i / config.hiddenSize)]) {
            worst = Math.max(worst, Math.abs(h[i] - ref.hidden[i]));
          }
        }
        assert(worst < 1e-4, `${name}: largest hidden-state difference at real tokens: ${worst}`);
        tf.dispose([loss, hidden]);
        disposeParams(here);
      }
    } finally {
      await useBackend("cpu");
    }
    disposeParams(params);
    await Deno.remove(dir, { recursive: true });
  });
}
