/**
 * The same small attention block — embedding gather, projections, softmax attention, LayerNorm, GELU,
 * cross-entropy — and its gradients must agree on cpu (the reference), wasm, native and webgpu (Mesa's software
 * adapter in CI). Tolerance: 1e-4 relative to the largest magnitude of each tensor (float32 kernels sum in
 * different orders on each backend).
 */
import { tf, useBackend } from "../../lib/backend/mod.ts";
import { requireTool } from "../_support/tools.ts";
import { assertClose } from "../_support/close.ts";
import { findAdapter } from "../../lib/backend/webgpu.ts";
import { tryLoadBlas } from "../../lib/backend/native/provider.ts";

const B = 2, T = 5, C = 8, V = 11;

function seeded(n: number, seed: number): Float32Array {
  // A small LCG: the inputs must be identical on every backend, so they are made in plain JS.
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 2 ** 32 - 0.5) * 0.8;
  }
  return out;
}

async function forwardAndGrads(): Promise<Record<string, Float32Array>> {
  const params = {
    emb: tf.tensor2d(seeded(V * C, 1), [V, C]),
    wq: tf.tensor2d(seeded(C * C, 2), [C, C]),
    wk: tf.tensor2d(seeded(C * C, 3), [C, C]),
    wv: tf.tensor2d(seeded(C * C, 4), [C, C]),
    w1: tf.tensor2d(seeded(C * 4 * C, 5), [C, 4 * C]),
    w2: tf.tensor2d(seeded(4 * C * C, 6), [4 * C, C]),
  };
  const ids = tf.tensor1d(Array.from({ length: B * T }, (_, i) => (i * 7 + 3) % V), "int32");
  const labels = tf.oneHot(tf.tensor1d(Array.from({ length: B * T }, (_, i) => (i * 5 + 1) % V), "int32"), V);
  const names = Object.keys(params) as (keyof typeof params)[];
  const loss = (...ws: tf.Tensor[]) => {
    const p = Object.fromEntries(names.map((n, i) => [n, ws[i]])) as Record<keyof typeof params, tf.Tensor2D>;
    const x = tf.gather(p.emb, ids); // (B*T, C)
    const q = tf.reshape(tf.matMul(x, p.wq), [B, T, C]);
    const k = tf.reshape(tf.matMul(x, p.wk), [B, T, C]);
    const v = tf.reshape(tf.matMul(x, p.wv), [B, T, C]);
    const att = tf.softmax(tf.div(tf.matMul(q, k, false, true), Math.sqrt(C))); // (B, T, T)
    const y = tf.reshape(tf.add(tf.reshape(tf.matMul(att, v), [B * T, C]), x), [B * T, C]);
    const { mean, variance } = tf.moments(y, -1, true);
    const n = tf.div(tf.sub(y, mean), tf.sqrt(tf.add(variance, 1e-5)));
    const h = tf.matMul(n, p.w1);
    const gelu = tf.mul(
      tf.mul(h, 0.5),
      tf.add(1, tf.tanh(tf.mul(tf.add(h, tf.mul(0.044715, tf.pow(h, 3))), 0.7978845608))),
    );
    const out = tf.add(tf.matMul(gelu, p.w2), n);
    const logits = tf.matMul(out, p.emb, false, true);
    return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
  };
  const { value, grads } = tf.valueAndGrads(loss)(names.map((n) => params[n]));
  const result: Record<string, Float32Array> = { loss: (await value.data()) as Float32Array };
  for (let i = 0; i < names.length; i++) result[names[i]] = (await grads[i].data()) as Float32Array;
  tf.dispose([value, ...grads, ...Object.values(params), ids, labels]);
  return result;
}

Deno.test("a small attention block and its gradients agree on cpu, wasm, native and webgpu", async () => {
  await useBackend("cpu");
  const reference = await forwardAndGrads();
  const backends = ["wasm"];
  if (
    requireTool(
      !("missing" in tryLoadBlas()),
      "a CBLAS library (native backend)",
      "apt-get install libopenblas0",
    )
  ) {
    backends.push("native");
  }
  const adapter = await findAdapter();
  if (
    requireTool(adapter !== undefined, "a WebGPU adapter", "apt-get install mesa-vulkan-drivers libvulkan1")
  ) {
    backends.push("webgpu");
  }
  for (const name of backends) {
    await useBackend(name);
    const got = await forwardAndGrads();
    for (const key of Object.keys(reference)) assertClose(`${name} ${key}`, got[key], reference[key], 1e-4);
  }
  await useBackend("cpu");
});
