import { assert, assertEquals } from "@std/assert";
import { useBackend } from "../../lib/backend/mod.ts";
import { pruneRun } from "../../lib/experiments/prune_run.ts";
import { runStudy } from "../../lib/study/runner.ts";
import { TINY_PRUNE } from "../experiments/_fixtures.ts";

Deno.test("a quantize study plans and runs its whole chain (mlm → classify → prune) through the study layer, then is cached", async () => {
  await useBackend("cpu");
  const store = await Deno.makeTempDir();
  const prune = pruneRun.config({ ...TINY_PRUNE, maxSteps: 0, sparsity: 0.5 });
  const study = {
    name: "chain-smoke",
    kind: "quantize",
    base: { init: { kind: "prune", config: prune }, evalExamples: 40 },
    grid: { bits: [8, 2] },
  };
  const first = await runStudy(study, { store, progress: "silent" });
  const runs = first.runs.toRecords() as Record<string, unknown>[];
  assertEquals(runs.map((r) => [r.bits, r.status]), [[8, "max_steps"], [2, "max_steps"]]);
  for (const r of runs) {
    assert((r.modelBits as number) < (r.denseBits as number) && typeof r.accuracy === "number");
  }
  assert((runs[1].modelBits as number) < (runs[0].modelBits as number), "2 bits store smaller than 8");
  assertEquals(first.records.height, 2); // one evaluation record per quantize run
  const again = await runStudy(study, { store, progress: "silent" });
  assertEquals(again.runs.toRecords(), first.runs.toRecords());
});
