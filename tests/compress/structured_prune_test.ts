import { assertEquals, assertRejects } from "@std/assert";
import { tf } from "../../lib/backend/tf.ts";
import { attentionHeadGroup, ffnNeuronGroup, unitMasks } from "../../lib/compress/structured_prune.ts";

Deno.test("unitMasks() prunes the attention head with the smallest norm (HF [out, in] layout)", async () => {
  // 2 heads of size 1, model width 2. Head 0's rows: q [3,0], k [0,0], v [0,0], output column 0 [1,1]
  // → |head 0|² = 9 + 2 = 11. Head 1: q [0,1], k [1,1], v [1,0], output column 1 [0,0] → 1 + 2 + 1 = 4.
  const params = {
    q: tf.tensor2d([[3, 0], [0, 1]]),
    k: tf.tensor2d([[0, 0], [1, 1]]),
    v: tf.tensor2d([[0, 0], [1, 0]]),
    qb: tf.tensor1d([100, 100]), // zeroed with its head, but not scored (else head 1 would win)
    o: tf.tensor2d([[1, 0], [1, 0]]),
  };
  const group = attentionHeadGroup({ qkv: ["q", "k", "v"], qkvBias: ["qb"], output: "o", headSize: 1 });
  const { masks, prunedUnits } = await unitMasks(params, [group], { fraction: 0.5 });
  assertEquals(prunedUnits, [[1]]);
  assertEquals(Array.from(await masks.q.data()), [1, 1, 0, 0]);
  assertEquals(Array.from(await masks.o.data()), [1, 0, 1, 0]);
  assertEquals(Array.from(await masks.qb.data()), [1, 0]);
  tf.dispose([...Object.values(params), ...Object.values(masks)]);
});

Deno.test("unitMasks() prunes FFN neurons in [in, out] layout and multi-element heads", async () => {
  // W1 [in=1, out=3]: neuron j is column j; W2 [in=3, out=1]: neuron j is row j. Norms²: 1+4, 0+1, 9+0.
  const params = { w1: tf.tensor2d([[1, 0, 3]]), w2: tf.tensor2d([[2], [1], [0]]) };
  const g = ffnNeuronGroup({ intermediate: "w1", output: "w2", layout: "in-out" });
  const { masks, prunedUnits } = await unitMasks(params, [g], { fraction: 0.34 }); // round(1.02) = 1
  assertEquals(prunedUnits, [[1]]);
  assertEquals(Array.from(await masks.w1.data()), [1, 0, 1]);
  assertEquals(Array.from(await masks.w2.data()), [1, 0, 1]);
  // headSize 2: rows {0,1} and {2,3} form heads; norms² 2 and 8
  const h = { q: tf.tensor2d([[1], [1], [2], [2]]), o: tf.tensor2d([[0, 0, 0, 0]]) };
  const hg = attentionHeadGroup({ qkv: ["q"], output: "o", headSize: 2 });
  const r = await unitMasks(h, [hg], { fraction: 0.5 });
  assertEquals(Array.from(await r.masks.q.data()), [0, 0, 1, 1]);
  await assertRejects(
    () => unitMasks(h, [{ ...hg, unitSize: 3 }], { fraction: 0.5 }),
    Error,
    "not a multiple of unitSize 3",
  );
  await assertRejects(
    () => unitMasks(h, [{ unitSize: 1, slices: [{ name: "x", axis: 0 }] }], { fraction: 0.5 }),
    Error,
    '"x"',
  );
  tf.dispose([
    ...Object.values(params),
    ...Object.values(masks),
    ...Object.values(h),
    ...Object.values(r.masks),
  ]);
});
