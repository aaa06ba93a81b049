import { assert, assertEquals, assertNotEquals, assertRejects, assertThrows } from "@std/assert";
import { useBackend } from "../../lib/backend/mod.ts";
import { classifyRun } from "../../lib/experiments/classify_run.ts";
import { mlmRun } from "../../lib/experiments/mlm_run.ts";
import { assertResumeReplays, drive, finalWeights } from "./_runs.ts";
import { pretrainedDir, TINY_CLASSIFY, TINY_MLM } from "./_fixtures.ts";

Deno.test("classify run: accuracy with its interval at each record, and an interrupted run resumes to the same records", async () => {
  await useBackend("cpu");
  const init = await pretrainedDir();
  const { records, summary } = await assertResumeReplays(classifyRun, TINY_CLASSIFY, { init });
  assertEquals(records.map((r) => r.step), [3, 6, 9]);
  for (const r of records) {
    assertEquals(r.evalExamples, 40);
    assert(r.accuracyLow! <= r.accuracy! && r.accuracy! <= r.accuracyHigh!, JSON.stringify(r));
    assertEquals(Math.round((r.accuracy as number) * 40) / 40, r.accuracy);
  }
  assertEquals(summary.accuracy, records[2].accuracy);
  assert(summary.params > 0 && summary.flopsPerToken > 0);
});

Deno.test("classify run starts from its parent's encoder weights (and a run without init does not)", async () => {
  await useBackend("cpu");
  const init = await pretrainedDir();
  const parent = await finalWeights(init);
  const evalOnly = { ...TINY_CLASSIFY, maxSteps: 0 };
  const dir = await Deno.makeTempDir();
  const { records } = await drive(classifyRun, evalOnly, { dir, parents: { init } });
  assertEquals(records.length, 1); // nothing to train: one evaluation
  const child = await finalWeights(dir);
  const encoderNames = Object.keys(child).filter((n) => n.startsWith("roberta."));
  assert(encoderNames.length > 10 && Object.keys(child).some((n) => n.startsWith("classifier.")));
  for (const n of encoderNames) assertEquals(child[n].data, parent[n].data, n);

  const scratch = await Deno.makeTempDir();
  const fresh = classifyRun.config({ ...evalOnly, init: null, model: { ...TINY_MLM.model } });
  fresh.data.vocabSize = 300;
  await drive(classifyRun, fresh, { dir: scratch, parents: {} });
  const other = await finalWeights(scratch);
  assertNotEquals(
    other["roberta.encoder.layer.0.attention.self.query.weight"].data,
    parent["roberta.encoder.layer.0.attention.self.query.weight"].data,
  );
});

Deno.test("classify config: parent kind, split seed and missing parent directory are named", async () => {
  assertThrows(
    () => classifyRun.config({ init: { kind: "classify", config: {} } }),
    Error,
    "must be a mlm run",
  );
  assertThrows(
    () => classifyRun.config({ ...TINY_CLASSIFY, data: { path: null, splitSeed: 1, vocabSize: 300 } }),
    Error,
    "split seed",
  );
  assertThrows(() => classifyRun.config({ evalSplit: "train" }), Error, "evalSplit");
  // A parent given in part is completed by its kind: the same run as its full spelling.
  const partial = classifyRun.config({ init: { kind: "mlm", config: { seconds: 30 } } });
  assertEquals(partial.init!.config, mlmRun.config({ seconds: 30 }) as Record<string, unknown>);
  assertThrows(
    () => classifyRun.config({ init: { kind: "mlm", config: { secs: 30 } } }),
    Error,
    "`init` (a mlm run): mlm: unknown option `secs`",
  );
  assertThrows(() => mlmRun.config({ seconds: null }), Error, "give `seconds` or `maxSteps`");
  await assertRejects(
    () => drive(classifyRun, TINY_CLASSIFY, { dir: Deno.makeTempDirSync(), parents: {} }),
    Error,
    'parent "init"',
  );
});
