import { assert, assertAlmostEquals, assertEquals, assertNotEquals } from "@std/assert";
import { tf } from "../../lib/backend/tf.ts";
import { gelu } from "../../lib/backend/native/mod.ts";
import { gatherRows, layerNorm, makeDropout } from "../../lib/model/layers.ts";

Deno.test("layerNorm() matches a hand-computed case with gain and bias", async () => {
  // x = [1, 2, 6]: mean 3, biased variance (4 + 1 + 9) / 3 = 14/3.
  const p = {
    "n.weight": tf.variable(tf.tensor1d([1, 2, 0.5])),
    "n.bias": tf.variable(tf.tensor1d([0, 1, -1])),
  };
  const y = tf.tidy(() => layerNorm(p, "n", tf.tensor2d([[1, 2, 6]]), 1e-5));
  const sd = Math.sqrt(14 / 3 + 1e-5);
  const expected = [-2 / sd, 2 * (-1 / sd) + 1, 0.5 * (3 / sd) - 1];
  const got = await y.data();
  expected.forEach((e, i) => assertAlmostEquals(got[i], e, 1e-5));
  tf.dispose([y, p["n.weight"], p["n.bias"]]);
});

Deno.test("gelu() matches x·Φ(x) from tabulated normal CDF values", async () => {
  // Φ(-1) = 0.15865525, Φ(0.5) = 0.69146246, Φ(2) = 0.97724987.
  const y = tf.tidy(() => gelu(tf.tensor1d([-1, 0, 0.5, 2])));
  const got = await y.data();
  [-0.15865525, 0, 0.5 * 0.69146246, 2 * 0.97724987].forEach((e, i) => assertAlmostEquals(got[i], e, 1e-5));
  y.dispose();
});

Deno.test("gatherRows() has tf.gather's values and gradient, with repeated ids summed", async () => {
  const table = tf.tensor2d([[1, 2], [3, 4], [5, 6], [7, 8]]);
  const ids = new Int32Array([3, 1, 3, 0]);
  const w = tf.tensor2d([[1, 2], [3, 4], [5, 6], [7, 8]]);
  const [ours, ref] = tf.tidy(() => {
    const f = (g: (t: tf.Tensor2D) => tf.Tensor) =>
      tf.grad((t) => tf.sum(tf.mul(g(t as tf.Tensor2D), w)))(table);
    return [f((t) => gatherRows(t, ids)), f((t) => tf.gather(t, tf.tensor1d(ids, "int32")))];
  });
  assertEquals(Array.from(await ours.data()), [7, 8, 3, 4, 0, 0, 6, 8]);
  assertEquals(Array.from(await ours.data()), Array.from(await ref.data()));
  tf.dispose([table, w, ours, ref]);
});

Deno.test("makeDropout() is repeatable per seed, differs across seeds and keeps the expectation", async () => {
  const x = tf.ones([4000]);
  const run = (seed: number) => {
    const drop = makeDropout({ training: true, seed });
    return tf.tidy(() => drop(x, 0.25));
  };
  const [a, b, c] = [run(1), run(1), run(2)];
  const [da, db, dc] = [await a.data(), await b.data(), await c.data()];
  assertEquals(Array.from(da), Array.from(db));
  assertNotEquals(Array.from(da), Array.from(dc));
  const mean = Array.from(da).reduce((s, v) => s + v, 0) / da.length;
  assert(Math.abs(mean - 1) < 0.05, `mean ${mean}`);
  assert(da.every((v) => v === 0 || Math.abs(v - 4 / 3) < 1e-6));
  tf.dispose([x, a, b, c]);
});
