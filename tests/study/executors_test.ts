import { assert, assertEquals, assertRejects } from "@std/assert";
import { useBackend } from "../../lib/backend/use_backend.ts";
import { linregKind } from "../../lib/experiments/linreg_kind.ts";
import { runStudy } from "../../lib/study/runner.ts";
import { untimed } from "./_support.ts";

await useBackend("cpu");
const def = {
  name: "procs",
  kind: linregKind,
  base: { maxSteps: 40, evaluations: 4, dim: 8 },
  grid: { batchSize: [4, 16], lr: [0.02, 0.05] },
};

Deno.test("the processes executor gives the same records as the inline one", async () => {
  const dir = await Deno.makeTempDir();
  const inline = await runStudy(def, { store: `${dir}/inline`, progress: "silent" });
  const lines: string[] = [];
  const procs = await runStudy(def, {
    store: `${dir}/procs`,
    progress: "silent",
    executor: { kind: "processes", workers: 2 },
    backend: "cpu",
  });
  assertEquals(procs.runs.getColumn("status").toArray(), [
    "max_steps",
    "max_steps",
    "max_steps",
    "max_steps",
  ]);
  assertEquals(procs.records.toRecords().map(untimed), inline.records.toRecords().map(untimed));
  assertEquals(lines.length, 0);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a study locked by a live process is refused with its PID; a dead holder's lock is taken over", async () => {
  const store = await Deno.makeTempDir();
  const sleeper = new Deno.Command("sleep", { args: ["30"] }).spawn();
  await Deno.writeTextFile(
    `${store}/.lock`,
    JSON.stringify({ pid: sleeper.pid, host: Deno.hostname(), since: new Date().toISOString() }),
  );
  await assertRejects(
    () => runStudy({ ...def, name: "locked" }, { store, progress: "silent" }),
    Error,
    `PID ${sleeper.pid}`,
  );
  sleeper.kill("SIGKILL");
  await sleeper.status;
  const r = await runStudy({ ...def, name: "locked" }, { store, progress: "silent" });
  assertEquals(r.runs.height, 4);
  assert(!(await Deno.stat(`${store}/.lock`).then(() => true, () => false)), "the lock is released");
  await Deno.remove(store, { recursive: true });
});

Deno.test("a subprocess executor refuses a run kind it could not load, saying what to do", async () => {
  const store = await Deno.makeTempDir();
  const { module: _module, ...unloadable } = { ...linregKind, name: "linreg-local" };
  await assertRejects(
    () => runStudy({ ...def, kind: unloadable }, { store, progress: "silent", executor: "processes" }),
    Error,
    'run kind "linreg-local" is not built in',
  );
  await Deno.remove(store, { recursive: true });
});
