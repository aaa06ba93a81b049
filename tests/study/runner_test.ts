import { assert, assertEquals, assertRejects } from "@std/assert";
import { useBackend } from "../../lib/backend/use_backend.ts";
import { type LinregConfig, linregKind } from "../../lib/experiments/linreg_kind.ts";
import type { RunKind } from "../../lib/experiments/run_kind.ts";
import { runStudy, StudyInterruptedError } from "../../lib/study/runner.ts";
import { readStatus } from "../../lib/study/store.ts";
import { OptionError } from "../../lib/util/options.ts";
import { countingKind, started, untimed } from "./_support.ts";

await useBackend("cpu");
const quiet = { progress: "silent" as const };

Deno.test("runStudy() returns one row per run and per evaluation point, with config columns", async () => {
  const store = await Deno.makeTempDir();
  const r = await runStudy({
    name: "grid",
    kind: linregKind,
    base: { maxSteps: 40, evaluations: 4 },
    grid: { batchSize: [4, 16] },
    seeds: [0, 1],
  }, { store, ...quiet });
  assertEquals(r.name, "grid");
  assertEquals(r.dir, store);
  assertEquals(r.runs.height, 4);
  assertEquals(r.records.height, 4 * 4);
  for (const col of ["run", "label", "step", "valLoss", "batchSize", "seed", "maxSteps"]) {
    assert(r.records.columns.includes(col), `records lacks ${col}: ${r.records.columns}`);
  }
  for (const col of ["run", "label", "status", "step", "params", "flopsPerToken", "valLoss", "batchSize"]) {
    assert(r.runs.columns.includes(col), `runs lacks ${col}: ${r.runs.columns}`);
  }
  assertEquals(r.runs.getColumn("status").toArray(), ["max_steps", "max_steps", "max_steps", "max_steps"]);
  assertEquals(r.records.getColumn("step").toArray().slice(0, 4), [10, 20, 30, 40]);
  // the config column `seconds` (null budget) would shadow the record field: it is renamed
  assert(r.records.columns.includes("config.seconds"));
  assertEquals(r.figures.length, 1);
  assertEquals(r.figures[0].data.length, 4);
  for (const name of ["records.parquet", "runs.parquet", "plan.json", "figures.json"]) {
    await Deno.stat(`${store}/${name}`);
  }
  await Deno.remove(store, { recursive: true });
});

Deno.test("runStudy() reuses finished runs and reruns only those whose config changed", async () => {
  const store = await Deno.makeTempDir();
  const def = {
    name: "reuse",
    kind: countingKind,
    base: { maxSteps: 20, evaluations: 2 },
    grid: { lr: [0.01, 0.02, 0.03] },
  };
  started.length = 0;
  const first = await runStudy(def, { store, ...quiet });
  assertEquals(started.length, 3);
  const second = await runStudy(def, { store, ...quiet });
  assertEquals(started.length, 3, "a second call must not train");
  assertEquals(second.records.toRecords().map(untimed), first.records.toRecords().map(untimed));
  // one grid value changed: only that run trains
  await runStudy({ ...def, grid: { lr: [0.01, 0.02, 0.04] } }, { store, ...quiet });
  assertEquals(started.slice(3), ["16/0.04/0"]);
  // rerun: "all" trains everything again
  await runStudy(def, { store, ...quiet, rerun: "all" });
  assertEquals(started.length, 4 + 3);
  await Deno.remove(store, { recursive: true });
});

Deno.test("a failing run is recorded with its error and the study goes on; rerun: failed retries it", async () => {
  const store = await Deno.makeTempDir();
  const def = {
    name: "fail",
    kind: countingKind,
    base: { maxSteps: 20, evaluations: 2 },
    grid: { noise: [13, 0.5] },
  };
  started.length = 0;
  const r = await runStudy(def, { store, ...quiet });
  assertEquals(r.runs.getColumn("status").toArray(), ["failed", "max_steps"]);
  assert(String(r.runs.getColumn("error").toArray()[0]).includes("unlucky noise level 13"));
  assertEquals(started.length, 2);
  await runStudy(def, { store, ...quiet });
  assertEquals(started.length, 2, "failed runs are not retried by default");
  await runStudy(def, { store, ...quiet, rerun: "failed" });
  assertEquals(started.length, 3, "rerun: failed retries exactly the failed run");
  await Deno.remove(store, { recursive: true });
});

Deno.test("a diverging run is recorded with status nan or diverged, and the others finish", async () => {
  const store = await Deno.makeTempDir();
  const r = await runStudy(
    {
      name: "div",
      kind: linregKind,
      base: { maxSteps: 60, evaluations: 6, dim: 4 },
      grid: { lr: [1e38, 0.05] },
    },
    { store, ...quiet },
  );
  const statuses = r.runs.getColumn("status").toArray();
  assert(statuses[0] === "nan" || statuses[0] === "diverged", `got ${statuses[0]}`);
  assertEquals(statuses[1], "max_steps");
  await Deno.remove(store, { recursive: true });
});

Deno.test("runStudy() validates its options and the study name, naming them", async () => {
  const def = { name: "v", kind: linregKind };
  await assertRejects(() => runStudy(def, { stor: "x" } as never), OptionError, "did you mean `store`");
  await assertRejects(() => runStudy(def, { rerun: "some" } as never), OptionError, "rerun");
  await assertRejects(() => runStudy({ ...def, name: "a/b" }, quiet), OptionError, "name");
  await assertRejects(() => runStudy({ ...def, kind: "nope" }, quiet), Error, 'unknown run kind "nope"');
  await assertRejects(
    () => runStudy({ ...def, base: { batchSise: 3 } as never }, quiet),
    OptionError,
    "did you mean `batchSize`",
  );
  await assertRejects(() => runStudy(def, { executor: "slurmm" } as never), OptionError, "executor");
});

Deno.test("runStudy() says which store it cannot write", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/file`, "");
  await assertRejects(
    () =>
      runStudy({ name: "w", kind: linregKind, base: { maxSteps: 2 } }, {
        store: `${dir}/file/store`,
        ...quiet,
      }),
    Error,
    `${dir}/file/store`,
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("an aborted study keeps its finished runs, and the next call resumes the interrupted one", async () => {
  const store = await Deno.makeTempDir();
  const controller = new AbortController();
  let armed = false;
  // linreg that aborts the study after the second run's 5th record, while armed
  const aborting: RunKind<LinregConfig> = {
    ...linregKind,
    name: "linreg-aborting",
    async *run(c, ctx) {
      const gen = linregKind.run(c, ctx);
      let n = 0;
      for (;;) {
        const r = await gen.next();
        if (r.done) return r.value;
        yield r.value;
        if (armed && c.lr === 0.02 && ++n === 5) controller.abort();
      }
    },
  };
  const def = {
    name: "abort",
    kind: aborting,
    base: { maxSteps: 200, evaluations: 10 },
    grid: { lr: [0.01, 0.02] },
  };
  const reference = await runStudy(def, { store: `${store}/ref`, ...quiet });
  armed = true;
  const e = await assertRejects(
    () => runStudy(def, { store: `${store}/cut`, ...quiet, signal: controller.signal }),
    StudyInterruptedError,
  );
  assert(e.message.includes("call it again to resume"), e.message);
  const hashes = reference.runs.getColumn("run").toArray();
  const statuses = await Promise.all(hashes.map((h) => readStatus(`${store}/cut/runs/${h}`)));
  assertEquals(statuses.map((s) => s?.status), ["max_steps", "interrupted"]);
  armed = false;
  const resumed = await runStudy(def, { store: `${store}/cut`, ...quiet });
  assertEquals(resumed.records.toRecords().map(untimed), reference.records.toRecords().map(untimed));
  await Deno.remove(store, { recursive: true });
});
