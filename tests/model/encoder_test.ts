import { assert, assertAlmostEquals, assertThrows } from "@std/assert";
import { tf } from "../../lib/backend/tf.ts";
import { encoderForward, initEncoder } from "../../lib/model/encoder.ts";
import { mlmLoss } from "../../lib/model/mlm.ts";
import { disposeParams } from "../../lib/model/params.ts";
import { syntheticMlmBatch, tinyConfig } from "./_fixtures.ts";

Deno.test("encoderForward() output at real tokens ignores padding, for post- and pre-LayerNorm", async () => {
  for (const layerNorm of ["post", "pre"] as const) {
    const config = tinyConfig({ layerNorm, initStd: 0.2 });
    const params = initEncoder(config, 3);
    const batch = syntheticMlmBatch(1, config.vocabSize, [6, 3], 8);
    const alone = syntheticMlmBatch(1, config.vocabSize, [6, 3], 8);
    for (let t = 3; t < 8; t++) alone.inputIds[8 + t] = 5 + t; // different ids under the padding
    const [a, b] = tf.tidy(() =>
      [batch, alone].map((x) => encoderForward(params, x, config, { training: false }))
    );
    const [da, db] = [await a.data(), await b.data()];
    for (let i = 0; i < 16 * 8 + 3 * 16; i++) {
      assertAlmostEquals(da[i], db[i], 1e-5, `${layerNorm} element ${i}`);
    }
    assert(da.some((v, i) => Math.abs(v - db[i]) > 1e-3), "padded positions should differ");
    tf.dispose([a, b]);
    disposeParams(params);
  }
});

Deno.test("encoderForward() rejects ids outside the vocabulary and sequences longer than maxPositions", () => {
  const config = tinyConfig();
  const params = initEncoder(config, 0);
  const batch = syntheticMlmBatch(1, config.vocabSize, [4], 4);
  batch.inputIds[2] = 30;
  assertThrows(
    () => tf.tidy(() => encoderForward(params, batch, config, { training: false })),
    Error,
    "inputIds[2] = 30",
  );
  const long = syntheticMlmBatch(1, config.vocabSize, [13], 13);
  assertThrows(
    () => tf.tidy(() => encoderForward(params, long, config, { training: false })),
    Error,
    "maxPositions 12",
  );
  disposeParams(params);
});

Deno.test("mlmLoss() gradient matches central finite differences on a tiny encoder", async () => {
  for (const layerNorm of ["post", "pre"] as const) {
    const config = tinyConfig({ layerNorm, initStd: 0.3, numLayers: 1 });
    const params = initEncoder(config, 11);
    const batch = syntheticMlmBatch(4, config.vocabSize, [7, 5], 7);
    const f = () => mlmLoss(params, batch, config, { training: false });
    const names = Object.keys(params);
    const { grads } = tf.tidy(() => tf.variableGrads(f, names.map((n) => params[n])));
    const checked = [
      "roberta.embeddings.word_embeddings.weight",
      "roberta.embeddings.position_embeddings.weight",
      "roberta.encoder.layer.0.attention.self.query.weight",
      "roberta.encoder.layer.0.attention.self.key.bias",
      "roberta.encoder.layer.0.intermediate.dense.weight",
      "roberta.encoder.layer.0.output.LayerNorm.weight",
      "lm_head.layer_norm.bias",
      "lm_head.bias",
    ];
    const h = 1e-2;
    for (const name of checked) {
      const v = params[name];
      const analytic = await grads[v.name].data();
      // The three largest-magnitude entries: where a wrong gradient would show most clearly.
      const order = Array.from(analytic.keys()).sort((i, j) => Math.abs(analytic[j]) - Math.abs(analytic[i]));
      for (const i of order.slice(0, 3)) {
        const original = await v.data();
        const at = async (delta: number) => {
          const shifted = original.slice();
          shifted[i] += delta;
          v.assign(tf.tensor(shifted, v.shape));
          const l = tf.tidy(f);
          const value = (await l.data())[0];
          l.dispose();
          return value;
        };
        const numeric = ((await at(h)) - (await at(-h))) / (2 * h);
        v.assign(tf.tensor(original, v.shape));
        const tol = 2e-3 + 0.03 * Math.abs(numeric);
        assert(
          Math.abs(numeric - analytic[i]) < tol,
          `${layerNorm} ${name}[${i}]: finite difference ${numeric}, autodiff ${analytic[i]}`,
        );
      }
    }
    tf.dispose(grads);
    disposeParams(params);
  }
});
