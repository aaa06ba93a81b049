/** Helpers for the run-kind tests: drive a run to its end, and interrupt-then-resume it. */
import { assertEquals } from "@std/assert";
import { tf } from "../../lib/backend/mod.ts";
import type { Json, RunContext, RunKind, RunSummary } from "../../lib/experiments/run_kind.ts";
import type { TrainRecord } from "../../lib/train/loop.ts";
import { runCheckpoint } from "../../lib/experiments/run_training.ts";
import { decodeSafetensors } from "../../lib/train/safetensors.ts";

/** Fields that measure time: they differ between any two runs. */
export const TIMING = ["seconds", "wallSeconds", "tokensPerSecond", "evalSeconds", "decodeSeconds"];

/** A record or summary without its timing fields. */
export function untimed<T extends Record<string, unknown>>(r: T): Record<string, unknown> {
  return Object.fromEntries(Object.entries(r).filter(([k]) => !TIMING.includes(k)));
}

/** Runs `kind` to its end; `onRecord` may abort through the controller it is given. */
export async function drive<C extends { [key: string]: Json }>(
  kind: RunKind<C>,
  config: C,
  context: RunContext,
  onRecord?: (r: TrainRecord) => void,
): Promise<{ records: TrainRecord[]; summary: RunSummary }> {
  const records: TrainRecord[] = [];
  const run = kind.run(config, context);
  while (true) {
    const n = await run.next();
    if (n.done) return { records, summary: n.value };
    records.push(n.value);
    onRecord?.(n.value);
  }
}

/**
 * Runs `config` uninterrupted in one directory, and in another aborted right after its first record (so
 * the abort falls between records) and then run again; asserts the two give the same records and summary
 * (timing aside) and that no tensor leaks. Returns the uninterrupted run.
 */
export async function assertResumeReplays<C extends { [key: string]: Json }>(
  kind: RunKind<C>,
  config: C,
  parents: Record<string, string> = {},
): Promise<{ records: TrainRecord[]; summary: RunSummary; dir: string }> {
  const before = tf.memory().numTensors;
  const dir = await Deno.makeTempDir();
  const whole = await drive(kind, config, { dir, parents });
  assertEquals(tf.memory().numTensors, before, "tensors leaked by an uninterrupted run");

  const split = await Deno.makeTempDir();
  const controller = new AbortController();
  const first = await drive(
    kind,
    config,
    { dir: split, parents, signal: controller.signal },
    () => controller.abort(),
  );
  assertEquals(first.summary.status, "aborted");
  assertEquals(first.records.length, 1);
  const rest = await drive(kind, config, { dir: split, parents });
  assertEquals(tf.memory().numTensors, before, "tensors leaked by an interrupted run");
  assertEquals([...first.records, ...rest.records].map(untimed), whole.records.map(untimed));
  assertEquals(untimed(rest.summary), untimed(whole.summary));
  return { ...whole, dir };
}

/** The tensors of a finished run's final checkpoint (read back from disk). */
export async function finalWeights(runDir: string) {
  const path = `${await runCheckpoint(runDir, "test")}/model.safetensors`;
  return decodeSafetensors(await Deno.readFile(path), path).tensors;
}
