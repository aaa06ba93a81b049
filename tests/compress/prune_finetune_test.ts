import { assert, assertEquals } from "@std/assert";
import { tf } from "../../lib/backend/tf.ts";
import { type PruneEvent, pruneFinetune } from "../../lib/compress/prune_finetune.ts";
import { sparsityReport } from "../../lib/compress/sparsity_report.ts";

Deno.test("pruneFinetune() keeps masked weights exactly 0 through Adam updates, at the scheduled sparsity", async () => {
  const before = tf.memory().numTensors;
  // Toy regression y = x·W1·W2 whose target pulls every weight away from 0, so a pruned weight would revive
  // after one unmasked Adam step.
  const variable = (shape: number[], seed: number) => {
    const init = tf.randomNormal(shape, 0, 0.5, "float32", seed);
    const v = tf.variable(init);
    init.dispose();
    return v;
  };
  const w1 = variable([8, 16], 1), w2 = variable([16, 4], 2);
  const x = tf.randomNormal([32, 8], 0, 1, "float32", 3), y = tf.randomNormal([32, 4], 0, 1, "float32", 4);
  const opt = tf.train.adam(0.05);
  const events: PruneEvent[] = [];
  const zerosAfterStep: boolean[] = [];
  const schedule = { finalSparsity: 0.75, startStep: 2, pruneSteps: 3, frequency: 2 };
  const masks = await pruneFinetune({ "l1.weight": w1, "l2.weight": w2 }, {
    steps: 12,
    schedule,
    onPrune: (e) => events.push(e),
    update: () => {
      opt.minimize(() => tf.losses.meanSquaredError(y, tf.matMul(tf.matMul(x, w1), w2)) as tf.Scalar);
    },
  });
  // Pruning events at steps 2, 4, 6, 8 with s = 0.75(1 − (1 − k/3)^3).
  assertEquals(events.map((e) => e.step), [2, 4, 6, 8]);
  const s = events.map((e) => e.sparsity);
  assertEquals([s[0], s[3]], [0, 0.75]);
  // Final: exactly round(0.75 × 192) = 144 zeros among the 192 weights, and they are where the masks are 0.
  const report = await sparsityReport({ "l1.weight": w1, "l2.weight": w2 });
  assertEquals(report.overall.nonzero, 192 - 144);
  for (const [name, v] of [["l1.weight", w1], ["l2.weight", w2]] as const) {
    const m = await masks[name].data(), w = await v.data();
    for (let i = 0; i < m.length; i++) zerosAfterStep.push(m[i] === 0 ? w[i] === 0 : w[i] !== 0);
  }
  assert(zerosAfterStep.every(Boolean), "every masked weight is 0 and every kept weight is nonzero");
  tf.dispose([w1, w2, x, y, ...Object.values(masks)]);
  opt.dispose();
  assertEquals(tf.memory().numTensors, before);
});

Deno.test("pruneFinetune() re-applies masks after every update", async () => {
  // An update that sets every weight to 1: after each step the pruned ones must be 0 again.
  const w = tf.variable(tf.tensor2d([[1, 2, 3, 4]]));
  const seen: number[][] = [];
  const masks = await pruneFinetune({ w }, {
    steps: 4,
    schedule: { finalSparsity: 0.5, pruneSteps: 1 },
    update: async (step) => {
      if (step > 0) seen.push(Array.from(await w.data()));
      w.assign(tf.onesLike(w));
    },
  });
  // step 1 prunes the (tied) ones at lower indices; steps 2, 3 see the masks re-applied after the update.
  assertEquals(seen, [[0, 0, 1, 1], [0, 0, 1, 1], [0, 0, 1, 1]]);
  assertEquals(Array.from(await w.data()), [0, 0, 1, 1]);
  tf.dispose([w, ...Object.values(masks)]);
});
