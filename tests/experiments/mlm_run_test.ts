import { assert, assertEquals, assertThrows } from "@std/assert";
import { useBackend } from "../../lib/backend/mod.ts";
import { mlmRun } from "../../lib/experiments/mlm_run.ts";
import { flopsPerToken, paramCount } from "../../lib/model/size.ts";
import { encoderConfig } from "../../lib/model/config.ts";
import { assertResumeReplays, drive, finalWeights } from "./_runs.ts";
import { TINY_MLM } from "./_fixtures.ts";

Deno.test("mlm run: records and summary schema, and an interrupted run resumes to the same records", async () => {
  await useBackend("cpu");
  const { records, summary, dir } = await assertResumeReplays(mlmRun, TINY_MLM);
  assertEquals(records.map((r) => r.step), [4, 8, 12]);
  for (const r of records) {
    for (const k of ["trainLoss", "valLoss", "valPerplexity", "lr", "gradNorm", "evalSeconds", "tokens"]) {
      assert(typeof r[k] === "number", `record field ${k}: ${r[k]}`);
    }
  }
  const model = encoderConfig({
    vocabSize: 300,
    numLayers: 1,
    hiddenSize: 32,
    numHeads: 2,
    intermediateSize: 64,
    maxPositions: 16,
  });
  assertEquals(summary.status, "max_steps");
  assertEquals(summary.step, 12);
  assertEquals(summary.params, paramCount(model));
  assertEquals(summary.flopsPerToken, flopsPerToken(model, { seqLen: 16 }));
  assertEquals(summary.valLoss, records[2].valLoss);
  assert(summary.evalSeconds > 0 && summary.tokens === records[2].tokens);
  // The weights and tokenizer stay in the run directory; called again, a finished run trains nothing.
  assert(Object.keys(await finalWeights(dir)).includes("lm_head.bias"));
  await Deno.stat(`${dir}/tokenizer.json`);
  const again = await drive(mlmRun, TINY_MLM, { dir, parents: {} });
  assertEquals([again.records.length, again.summary.step, again.summary.valLoss], [0, 12, summary.valLoss]);
});

Deno.test("mlm config: defaults frozen, unknown and bad fields named", () => {
  assert(Object.isFrozen(mlmRun.defaults) && Object.isFrozen(mlmRun.defaults.model));
  assertEquals(mlmRun.config().model, { layers: 2, width: 128, heads: null, ffn: null });
  assertThrows(() => mlmRun.config({ secnds: 5 } as never), Error, "did you mean `seconds`");
  assertThrows(() => mlmRun.config({ model: { layer: 2 } } as never), Error, "did you mean `model.layers`");
  assertThrows(() => mlmRun.config({ batchSize: 0 }), Error, "batchSize");
  assertThrows(() => mlmRun.config({ data: { path: 5 } } as never), Error, "`data.path` must be a path");
  assertEquals(mlmRun.config({ maxSteps: undefined }).maxSteps, null); // undefined keeps the default
  assertThrows(() => mlmRun.config({ model: { layers: 1, width: 96, heads: 5, ffn: null } }), Error, "heads");
});

Deno.test("mlm config: the batch-size fields are optional and left out at their defaults (run identities unchanged)", () => {
  const plain = mlmRun.config({ batchSize: 16 });
  assertEquals(Object.keys(plain).sort(), Object.keys(mlmRun.defaults).sort());
  const same = mlmRun.config({ batchSize: 16, microBatch: 16, noiseScale: false, validationBatchSize: 16 });
  assertEquals(same, plain);
  const c = mlmRun.config({
    batchSize: 16,
    microBatch: 4,
    noiseScale: true,
    targetValLoss: 5,
    warmupSteps: 3,
  });
  assertEquals([c.microBatch, c.noiseScale, c.targetValLoss, c.warmupSteps], [4, true, 5, 3]);
  assertThrows(() => mlmRun.config({ batchSize: 16, microBatch: 5 }), Error, "does not divide");
  assertThrows(() => mlmRun.config({ batchSize: 16, noiseScale: true }), Error, "microBatch");
  assertThrows(() => mlmRun.config({ microbatch: 4 } as never), Error, "did you mean `microBatch`");
});

Deno.test("mlm run with micro-batches, noise scale and a target: records carry the squared norms, the run stops at the target", async () => {
  await useBackend("cpu");
  const config = mlmRun.config({
    ...TINY_MLM,
    maxSteps: 40,
    evaluations: 20,
    microBatch: 4,
    noiseScale: true,
    targetValLoss: 5.4,
    warmupSteps: 2,
    validationBatchSize: 4,
  });
  const dir = await Deno.makeTempDir();
  const { records, summary } = await drive(mlmRun, config, { dir, parents: {} });
  for (const r of records) {
    assertEquals(r.microBatches, 2);
    assert(
      (r.gradSqSmall as number) > (r.gradSqBig as number) && (r.gradSqBig as number) > 0,
      JSON.stringify(r),
    );
  }
  assertEquals(summary.status, "target");
  assert(summary.step < 40 && (summary.valLoss as number) <= 5.4, JSON.stringify(summary));
  assertEquals(records[0].lr, 3e-3); // constant after the 2 warmup steps
  assertEquals(summary.tokens, records.at(-1)!.tokens);
  await Deno.remove(dir, { recursive: true });
});
