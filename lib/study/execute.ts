/**
 * Executes one planned run into its directory, crash-safely: the run's lock is taken, its status set to
 * running, and each record the kind yields is appended to `records.jsonl` with an fsync. A run that was
 * interrupted (killed, or stopped by its signal) resumes from its kind's newest complete checkpoint; the
 * stored rows from the first replayed step on are dropped before the replayed rows are appended, so no row is
 * lost or duplicated. The final status (or the error of a failed run) goes to `status.json` atomically.
 *
 * The same function serves the inline executor, the subprocess executor and cluster tasks (`study run-one`).
 *
 * @module
 */
import type { TrainRecord } from "../train/loop.ts";
import type { PlannedRun } from "./plan.ts";
import { findFinishedRun } from "./plan.ts";
import { acquireLock } from "./lock.ts";
import {
  appendRecord,
  type ConfigFile,
  ensureConfigFile,
  readRecords,
  rewriteRecords,
  type StatusFile,
  type StoredRecord,
  writeStatus,
} from "./store.ts";
import { VERSION } from "../version.ts";
import { hostname } from "../util/process.ts";
import { InterruptedError } from "../util/interrupt.ts";
import { removeOrphanTemps } from "../util/atomic_file.ts";
import { describeEnvironment } from "./environment.ts";

/** Options of {@linkcode executeRun}. */
export interface ExecuteOptions {
  /** The study's store (parents are looked up there and in sibling stores). */
  store: string;
  /** More stores where finished parent runs may be found. */
  parentStores?: readonly string[];
  /** Stops the run at its next step (it checkpoints and ends "interrupted"). */
  signal?: AbortSignal;
  /** Millisecond clock for the run. */
  clock?: () => number;
  /** Each record as it is stored. */
  onRecord?: (record: TrainRecord) => void;
}

/** What `config.json` holds for `run`. */
export function configFileOf(run: PlannedRun): ConfigFile {
  const module = (run.kind as { module?: string }).module;
  return {
    kind: run.kind.name,
    config: run.config,
    fingerprint: run.fingerprint,
    version: VERSION,
    label: run.label,
    ...(module ? { module } : {}),
  };
}

async function activeBackend(): Promise<string | null> {
  const { tf } = await import("../backend/tf.ts");
  const engine = tf.engine() as unknown as { backendInstance: unknown; backendName: string };
  return engine.backendInstance != null ? engine.backendName : null;
}

async function tornTail(dir: string): Promise<boolean> {
  try {
    const text = await Deno.readTextFile(`${dir}/records.jsonl`);
    return text.length > 0 && !text.endsWith("\n");
  } catch {
    return false;
  }
}

/**
 * Runs (or resumes) `run` and returns its final status file. Never throws for a failure of the run itself
 * (that becomes status "failed" with the error); throws only when the store cannot be written or the run
 * is locked by another live process.
 */
export async function executeRun(run: PlannedRun, options: ExecuteOptions): Promise<StatusFile> {
  const { dir } = run;
  await ensureConfigFile(dir, configFileOf(run));
  const lock = await acquireLock(`${dir}/.lock`, `run ${run.hash} (${run.label})`);
  try {
    await removeOrphanTemps(dir); // files a killed earlier attempt was writing
    const stored = await readRecords(dir);
    if (await tornTail(dir)) await rewriteRecords(dir, stored);
    const parents: Record<string, string> = {};
    for (const [field, hash] of Object.entries(run.parents)) {
      const found = await findFinishedRun(options.store, hash, options.parentStores);
      if (found === null) {
        const error = `parent run ${hash} (field \`${field}\`) has not finished; run it first`;
        await writeStatus(dir, { status: "failed", error });
        return { status: "failed", error, updated: new Date().toISOString() };
      }
      parents[field] = `${found}/work`;
    }
    await writeStatus(dir, { status: "running", pid: Deno.pid, host: hostname() });
    const t0 = performance.now();
    const gen = run.kind.run(run.config, {
      dir: `${dir}/work`,
      parents,
      signal: options.signal,
      clock: options.clock,
    });
    let first = true;
    let summary;
    try {
      for (;;) {
        const next = await gen.next();
        if (next.done) {
          summary = next.value;
          break;
        }
        const record = { ...next.value, run: run.hash } as StoredRecord;
        if (first) {
          first = false;
          const keep = stored.filter((r) => typeof r.step === "number" && r.step < (record.step as number));
          if (keep.length !== stored.length) await rewriteRecords(dir, keep);
        }
        await appendRecord(dir, record);
        options.onRecord?.(next.value);
      }
    } catch (e) {
      if (e instanceof InterruptedError) {
        // The notebook's stop button: the loop saved a checkpoint; the next call resumes from it.
        await writeStatus(dir, { status: "interrupted", error: e.message });
        return { status: "interrupted", error: e.message, updated: new Date().toISOString() };
      }
      const error = `${(e as Error).message}\n${
        ((e as Error).stack ?? "").split("\n").slice(1, 8).join("\n")
      }`;
      await writeStatus(dir, { status: "failed", error });
      return { status: "failed", error, updated: new Date().toISOString() };
    }
    const status = summary.status === "aborted" ? "interrupted" : summary.status as StatusFile["status"];
    const final = {
      status,
      summary,
      environment: describeEnvironment(await activeBackend()),
      wallSeconds: (performance.now() - t0) / 1000,
    };
    await writeStatus(dir, final);
    return { ...final, updated: new Date().toISOString() };
  } finally {
    await lock.release();
  }
}
