/**
 * Crash test: a real subprocess is killed with SIGKILL at random moments while it saves checkpoints and
 * writes token-cache entries. Afterwards every restart resumes from a complete checkpoint, every record it
 * logs equals the uninterrupted run's record at that step (bit-identical on `cpu`), and every cache entry
 * on disk reads back whole; no temp file survives the final run.
 */
import { assert, assertEquals } from "@std/assert";
import { TextLineStream } from "@std/streams";
import { useBackend } from "../../lib/backend/use_backend.ts";
import { latestCheckpoint } from "../../lib/train/checkpoint_store.ts";
import { tokenizeCached } from "../../lib/data/token_cache.ts";
import { createRng } from "../../lib/util/random.ts";
import { cacheTexts, charTokenizer, crashRun, replayed } from "./_crash_child.ts";

const MAX_STEPS = 80, KILLS = 20;
const child = new URL("./_crash_child.ts", import.meta.url).pathname;

async function names(dir: string): Promise<string[]> {
  try {
    return (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name);
  } catch {
    return [];
  }
}

/** How a child is killed: `ms` after the `nth` "cache" or "save" marker, or `ms` after it is ready. */
type Kill = { after: "cache" | "save" | "ready"; nth: number; ms: number };

async function startChild(root: string, cacheDir: string, log: string, kill: Kill | null) {
  const p = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--no-check", child, root, cacheDir, log, String(MAX_STEPS)],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines = p.stdout.pipeThrough(new TextDecoderStream()).pipeThrough(new TextLineStream()).getReader();
  let resumed = NaN, seen = 0;
  for (;;) {
    const { value: line, done } = await lines.read();
    if (done) break;
    const value = line as string;
    if (value.startsWith("ready ")) resumed = Number(value.slice(6));
    if (kill && value.startsWith(kill.after) && ++seen === kill.nth) {
      await new Promise((r) => setTimeout(r, kill.ms));
      try {
        p.kill("SIGKILL");
      } catch { /* already finished */ }
      break;
    }
  }
  lines.cancel().catch(() => {});
  const [status, stderr] = await Promise.all([p.status, new Response(p.stderr).text()]);
  return { resumed, status, stderr };
}

Deno.test("SIGKILL while checkpointing and caching: every resume is from a complete checkpoint and replays exactly", async () => {
  await useBackend("cpu");
  const dir = await Deno.makeTempDir({ prefix: "trainlarge-crash-" });
  const [root, cacheDir, log] = [`${dir}/ckpt`, `${dir}/cache`, `${dir}/log.jsonl`];
  // The reference: the uninterrupted run, in this process.
  const reference = new Map<number, string>();
  await crashRun(
    `${dir}/reference`,
    MAX_STEPS,
    (r) => Promise.resolve(void reference.set(r.step, JSON.stringify(replayed(r)))),
  );
  assertEquals(reference.size, MAX_STEPS);

  const rng = createRng("crash-test");
  let expectedResume = 0, leftovers = 0, kills = 0;
  const readLog = async () => (await Deno.readTextFile(log).catch(() => "")).split("\n").slice(0, -1); // a torn last line is dropped
  for (let i = 0; i < KILLS + 10 && kills < KILLS; i++) {
    // Aim half of the kills at a token-cache write or a checkpoint save, the other half anywhere.
    const after = (["cache", "save", "ready", "ready"] as const)[rng.int(4)];
    const kill = after === "ready"
      ? { after, nth: 1, ms: 10 + rng.int(150) }
      : { after, nth: 1 + rng.int(3), ms: rng.int(4) };
    const { resumed, status, stderr } = await startChild(root, cacheDir, log, kill);
    assertEquals(resumed, expectedResume, `restart ${i} resumed from step ${resumed}`);
    if (status.signal === "SIGKILL") kills++;
    else if (status.success) break; // the run finished before the kill
    else throw new Error(`restart ${i} failed after a kill:\n${stderr}`);
    const latest = await latestCheckpoint(root);
    expectedResume = latest ? Number(/step-(\d+)/.exec(latest)![1]) : 0;
    leftovers += (await names(cacheDir)).filter((n) => n.includes(".tmp-")).length;
    leftovers += (await names(root)).filter((n) => n.includes(".tmp-")).length;
  }
  assert(kills >= KILLS, `only ${kills} kills landed before the run finished`);
  // Finish the run without a kill.
  const last = await startChild(root, cacheDir, log, null);
  assertEquals(last.resumed, expectedResume);
  assert(last.status.success, last.stderr);

  // Every logged record (including records replayed after a resume) equals the reference's at that step.
  const lines = await readLog();
  for (const line of lines) {
    const step = JSON.parse(line).step;
    assertEquals(line, reference.get(step), `step ${step}`);
  }
  assertEquals(new Set(lines.map((l) => JSON.parse(l).step)).size, MAX_STEPS);
  // Every cache entry on disk is whole (a partial one would fail to unpack or differ), no temp file is left.
  let entries = 0;
  for await (const e of Deno.readDir(cacheDir)) {
    assert(!e.name.includes(".tmp-"), `leftover ${e.name}`);
    const step = Number(/^c(\d+)\.i32$/.exec(e.name)![1]);
    const docs = await tokenizeCached(["not used: read from the cache"], charTokenizer, {
      key: `c${step}`,
      dir: cacheDir,
    });
    const want = cacheTexts(step).map((t) => charTokenizer.encode(t).join());
    assertEquals(docs.map((d) => d.join()), want, e.name);
    entries++;
  }
  assertEquals(entries, MAX_STEPS);
  for await (const e of Deno.readDir(root)) assert(!e.name.includes(".tmp-"), `leftover ${e.name}`);
  console.log(`${kills} kills, ${leftovers} temp leftovers seen after kills (removed by later writes)`);
  await Deno.remove(dir, { recursive: true });
});
