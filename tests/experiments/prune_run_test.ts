import { assert, assertEquals, assertThrows } from "@std/assert";
import { useBackend } from "../../lib/backend/mod.ts";
import { pruneCount } from "../../lib/compress/select_k.ts";
import { isLinearWeight } from "../../lib/experiments/classifier_eval.ts";
import { pruneRun, pruneSchedule } from "../../lib/experiments/prune_run.ts";
import { assertResumeReplays, drive, finalWeights } from "./_runs.ts";
import { classifiedDir, TINY_CLASSIFY, TINY_PRUNE } from "./_fixtures.ts";

async function linearWeights(runDir: string) {
  const tensors = await finalWeights(runDir);
  return Object.entries(tensors).filter(([n, t]) => isLinearWeight(n, t.shape.length));
}

Deno.test("prune run follows the cubic schedule to its target sparsity, keeps pruned weights at 0, and resumes exactly", async () => {
  await useBackend("cpu");
  const init = await classifiedDir();
  const { records, dir } = await assertResumeReplays(pruneRun, TINY_PRUNE, { init });
  const n = records[0].linearParams as number;
  const schedule = pruneSchedule(TINY_PRUNE);
  // Ramp: 6 steps in 3 events (steps 0, 2, 4, 6): s = 0.6 (1 − (1 − k/3)³) at the latest event, exactly
  // round-half-even(s · n) weights at 0 (torch's count), and never fewer afterwards.
  assertEquals(records.map((r) => r.step), [2, 4, 6, 8]);
  assertEquals(records.map((r) => r.linearSparsity), records.map((r) => pruneCount(schedule(r.step), n) / n));
  assertEquals(records.at(-1)!.linearSparsity, pruneCount(0.6, n) / n);
  assertEquals(schedule(6), 0.6);
  assert((records[0].linearSparsity as number) > 0 && (records[0].linearSparsity as number) < 0.6);
  // Finetuning ran 2 steps after the ramp ended: the masks held (AdamW would otherwise move the zeros).
  const weights = await linearWeights(dir);
  const zeros = weights.reduce((z, [, t]) => z + (t.data as Float32Array).filter((v) => v === 0).length, 0);
  assertEquals(zeros, pruneCount(0.6, n));
  // The parent's zeros are not the pruned ones: a dense classifier has no exact zeros.
  const parent = await linearWeights(init);
  assertEquals(parent.reduce((z, [, t]) => z + (t.data as Float32Array).filter((v) => v === 0).length, 0), 0);
});

Deno.test("prune run with nothing to train is one-shot: the final sparsity at once and one evaluation", async () => {
  await useBackend("cpu");
  const init = await classifiedDir();
  const dir = await Deno.makeTempDir();
  const { records, summary } = await drive(pruneRun, { ...TINY_PRUNE, maxSteps: 0, sparsity: 0.9 }, {
    dir,
    parents: { init },
  });
  assertEquals(records.length, 1);
  const n = records[0].linearParams as number;
  assertEquals([summary.step, summary.linearSparsity], [0, pruneCount(0.9, n) / n]);
  assertEquals(summary.nonzeroParams, (summary.params as number) - pruneCount(0.9, n));
});

Deno.test("prune config: needs a classify parent; sparsity in [0, 1)", () => {
  assertThrows(() => pruneRun.config({}), Error, "`init` must name the classify run");
  assertThrows(() => pruneRun.config({ init: { kind: "mlm", config: {} } }), Error, "must be a classify run");
  const init = { kind: "classify", config: TINY_CLASSIFY };
  assertThrows(() => pruneRun.config({ init, sparsity: 1 }), Error, "sparsity");
  assertThrows(() => pruneRun.config({ init, scope: "layer" }), Error, "scope");
});
