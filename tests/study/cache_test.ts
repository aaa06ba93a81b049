import { assert, assertEquals } from "@std/assert";
import { tf } from "../../lib/backend/tf.ts";
import { useBackend } from "../../lib/backend/use_backend.ts";
import { runStudy } from "../../lib/study/runner.ts";
import { TWENTY_RUNS } from "./_twenty_runs.ts";

Deno.test("a cached 20-run study comes back in under a second without starting a backend", async () => {
  await useBackend("cpu");
  const store = await Deno.makeTempDir();
  const first = await runStudy(TWENTY_RUNS, { store, progress: "silent" });
  assertEquals(first.runs.height, 20);
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("./_cached_call.ts", import.meta.url).pathname, store],
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  assert(out.success, new TextDecoder().decode(out.stderr));
  const report = JSON.parse(text.trim().split("\n").at(-1)!);
  assertEquals(report.runs, 20);
  assertEquals(report.records, first.records.height);
  assertEquals(report.backendStarted, false, "a cached call must not start a backend");
  assert(report.ms < 1000, `the cached call took ${report.ms.toFixed(0)} ms`);
  await Deno.remove(store, { recursive: true });
});

Deno.test("a 20-run study in one process ends with as many live tensors as it started with", async () => {
  await useBackend("cpu");
  const store = await Deno.makeTempDir();
  const before = tf.memory().numTensors;
  await runStudy(TWENTY_RUNS, { store, progress: "silent" });
  assertEquals(tf.memory().numTensors, before);
  await Deno.remove(store, { recursive: true });
});
