/**
 * Crash safety of the study layer: a real subprocess running a study is killed with SIGKILL at ≥ 20
 * random moments (checkpoint saves, record appends, status writes, Parquet export all happen many times a
 * second), restarted after each kill, and finally allowed to finish. Its records must equal, row for row
 * (timing fields aside), those of the same study run without interruption.
 */
import { assert, assertEquals } from "@std/assert";
import { useBackend } from "../../lib/backend/use_backend.ts";
import { runStudy } from "../../lib/study/runner.ts";
import { createRng } from "../../lib/util/random.ts";
import { CRASH_STUDY } from "./_crash_study.ts";
import { untimed } from "./_support.ts";

const SCRIPT = new URL("./_crash_study.ts", import.meta.url).pathname;

async function startStudy(store: string) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", SCRIPT, store],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  while (!seen.includes("ready")) {
    const { value, done } = await reader.read();
    if (done) break;
    seen += value;
  }
  return { child, reader };
}

Deno.test("a study killed with SIGKILL at 20+ random moments resumes to the uninterrupted records", async () => {
  await useBackend("cpu");
  const dir = await Deno.makeTempDir();
  const reference = await runStudy(CRASH_STUDY, { store: `${dir}/reference`, progress: "silent" });
  const rng = createRng("crash-test");
  const store = `${dir}/killed`;
  let kills = 0, finished = false;
  for (let attempt = 0; attempt < 200 && !finished; attempt++) {
    const { child, reader } = await startStudy(store);
    const exited = child.status.then((s) => s);
    const delay = kills < 20 ? 20 + rng.int(180) : 60_000;
    const outcome = await Promise.race([exited, new Promise((r) => setTimeout(() => r("timeout"), delay))]);
    if (outcome === "timeout") {
      child.kill("SIGKILL");
      await exited;
      kills++;
    } else {
      const status = outcome as Deno.CommandStatus;
      if (!status.success) {
        const err = new TextDecoder().decode(await new Response(child.stderr).arrayBuffer());
        throw new Error(`the study process failed (exit ${status.code}):\n${err}`);
      }
      finished = kills >= 20;
    }
    await reader.cancel().catch(() => {});
    await child.stderr.cancel().catch(() => {});
    if (!finished && outcome !== "timeout" && kills < 20) {
      // It finished before 20 kills: start over on a fresh store so every kill hits a running study.
      await Deno.remove(store, { recursive: true });
    }
  }
  assert(kills >= 20 && finished, `kills ${kills}, finished ${finished}`);
  const resumed = await runStudy(CRASH_STUDY, { store, progress: "silent" });
  assertEquals(resumed.runs.getColumn("status").toArray(), reference.runs.getColumn("status").toArray());
  assertEquals(resumed.records.height, reference.records.height);
  assertEquals(resumed.records.toRecords().map(untimed), reference.records.toRecords().map(untimed));
  // nothing half-written is left behind in a run directory
  for (const h of reference.runs.getColumn("run").toArray()) {
    for await (const e of Deno.readDir(`${store}/runs/${h}`)) assert(!e.name.includes(".tmp-"), e.name);
  }
  await Deno.remove(dir, { recursive: true });
});
