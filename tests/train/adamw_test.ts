import { assertAlmostEquals } from "@std/assert";
import { tf } from "../../lib/backend/tf.ts";
import { adamwUpdate, createAdamW, disposeAdamW } from "../../lib/train/adamw.ts";

/** Scalar reference of torch.optim.AdamW / Adam(weight_decay) written from the papers' formulas. */
function reference(p0: number, grads: number[], lr: number, wd: number, decoupled: boolean): number {
  const [b1, b2, eps] = [0.9, 0.98, 1e-6];
  let [p, m, v] = [p0, 0, 0];
  grads.forEach((g0, i) => {
    const t = i + 1;
    const g = decoupled ? g0 : g0 + wd * p;
    m = b1 * m + (1 - b1) * g;
    v = b2 * v + (1 - b2) * g * g;
    const step = (m / (1 - b1 ** t)) / (Math.sqrt(v / (1 - b2 ** t)) + eps);
    p = p - lr * (step + (decoupled ? wd * p : 0));
  });
  return p;
}

for (const decoupled of [true, false]) {
  Deno.test(`adamwUpdate() matches the scalar ${decoupled ? "AdamW" : "Adam + L2"} formula over 4 steps`, async () => {
    const params = {
      "dense.weight": tf.variable(tf.tensor1d([0.5, -2])),
      "dense.bias": tf.variable(tf.tensor1d([1])),
    };
    const opt = createAdamW(params, { weightDecay: 0.1, decoupled });
    const gw = [[0.3, -1], [0.1, 2], [-0.4, 0.5], [0.2, 0.2]];
    const gb = [1, -1, 0.5, 0.25];
    for (let s = 0; s < 4; s++) {
      tf.tidy(() =>
        adamwUpdate(
          params,
          opt,
          { "dense.weight": tf.tensor1d(gw[s]), "dense.bias": tf.tensor1d([gb[s]]) },
          0.01,
        )
      );
    }
    const w = await params["dense.weight"].data(), b = await params["dense.bias"].data();
    assertAlmostEquals(w[0], reference(0.5, gw.map((g) => g[0]), 0.01, 0.1, decoupled), 1e-6);
    assertAlmostEquals(w[1], reference(-2, gw.map((g) => g[1]), 0.01, 0.1, decoupled), 1e-6);
    // Biases are excluded from weight decay by default.
    assertAlmostEquals(b[0], reference(1, gb, 0.01, 0, decoupled), 1e-6);
    disposeAdamW(opt);
    tf.dispose(Object.values(params));
  });
}
