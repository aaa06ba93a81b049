import { assert, assertEquals } from "@std/assert";
import { tf, useBackend } from "../../lib/backend/mod.ts";
import { fakeQuantizeValues } from "../../lib/compress/quantize.ts";
import { isLinearWeight } from "../../lib/experiments/classifier_eval.ts";
import { quantizeRun } from "../../lib/experiments/quantize_run.ts";
import { drive, finalWeights } from "./_runs.ts";
import { classifiedDir, TINY_CLASSIFY, TINY_PRUNE } from "./_fixtures.ts";
import { pruneRun } from "../../lib/experiments/prune_run.ts";

async function weights(runDir: string) {
  return await finalWeights(runDir);
}

Deno.test("quantize run: the parent's linear weights fake-quantized exactly as lib/compress does, sizes in bits, one record", async () => {
  await useBackend("cpu");
  const init = await classifiedDir();
  const config = quantizeRun.config({
    init: { kind: "classify", config: TINY_CLASSIFY },
    bits: 4,
    evalExamples: 40,
  });
  const before = tf.memory().numTensors;
  const dir = await Deno.makeTempDir();
  const { records, summary } = await drive(quantizeRun, config, { dir, parents: { init } });
  assertEquals(tf.memory().numTensors, before);
  assertEquals(records.length, 1);
  assertEquals([records[0].step, records[0].trainLoss], [0, null]);

  const parent = await weights(init), child = await weights(dir);
  let modelBits = 0, linearBits = 0, linearParams = 0, quantized = 0;
  for (const [name, t] of Object.entries(parent)) {
    const numel = t.data.length;
    if (isLinearWeight(name, t.shape.length)) {
      // Per output channel (rows of the (out, in) layout): 4-bit codes + a 32-bit scale and zero point.
      const expected = fakeQuantizeValues(t.data as Float32Array, t.shape, {
        bits: 4,
        granularity: "per-channel",
      });
      assertEquals(child[name].data, expected.values, name);
      const bits = numel * 4 + t.shape[0] * 64;
      [modelBits, linearBits, linearParams, quantized] = [
        modelBits + bits,
        linearBits + bits,
        linearParams + numel,
        quantized + 1,
      ];
    } else {
      assertEquals(child[name].data, t.data, `${name} stays float32`);
      modelBits += 32 * numel;
    }
  }
  assert(quantized >= 6, `${quantized} linear weights`);
  assertEquals([summary.modelBits, summary.linearBits, summary.linearParams], [
    modelBits,
    linearBits,
    linearParams,
  ]);
  assertEquals(summary.denseBits, 32 * (summary.params as number));
  assert(typeof summary.accuracy === "number" && summary.evalExamples === 40);

  // Called again on its directory: nothing to do, the same summary.
  const again = await drive(quantizeRun, config, { dir, parents: { init } });
  assertEquals(again.records.length, 0);
  assertEquals(again.summary.accuracy, summary.accuracy);
  assertEquals(again.summary.modelBits, summary.modelBits);
});

Deno.test("quantize run of a pruned model keeps its zeros (symmetric codes map 0 to 0)", async () => {
  await useBackend("cpu");
  const init = await classifiedDir();
  const pruned = await Deno.makeTempDir();
  const prune = pruneRun.config({ ...TINY_PRUNE, maxSteps: 0, sparsity: 0.7 });
  const p = await drive(pruneRun, prune, { dir: pruned, parents: { init } });
  const config = quantizeRun.config({ init: { kind: "prune", config: prune }, bits: 2, evalExamples: 40 });
  const q = await drive(quantizeRun, config, { dir: await Deno.makeTempDir(), parents: { init: pruned } });
  assert((q.summary.nonzeroParams as number) <= (p.summary.nonzeroParams as number));
  assert(
    (q.summary.nonzeroParams as number) <
      (q.summary.params as number) - 0.69 * (q.summary.linearParams as number),
  );
});
