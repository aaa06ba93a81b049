/**
 * The result store on disk. One directory per study (default `runs/<study name>/`):
 *
 * ```
 * <store>/plan.json           the definition's name, kind and run list (hash, label, config)
 * <store>/figures.json        the study's figures (Plotly JSON), written when runs finish
 * <store>/report.html, study.json   written by `report()`
 * <store>/.lock               held while a process writes the study (lock.ts)
 * <store>/records.parquet     every run's records, one row per evaluation point (exported at the end)
 * <store>/runs.parquet        one row per run
 * <store>/runs/<hash>/
 *   config.json               { kind, config, fingerprint, version, label }
 *   records.jsonl             the run's records, appended and fsynced one by one
 *   status.json               { status, summary?, error?, pid? }, replaced atomically
 *   work/                     the run kind's own files (checkpoints)
 * ```
 *
 * A run is finished when `status.json` says a final status; then its records are complete. A torn last
 * line of `records.jsonl` (a kill mid-append) is ignored and cut off before the run resumes.
 *
 * @module
 */
import type { Json, RunSummary } from "../experiments/run_kind.ts";
import { writeFileAtomic, writeSynced } from "../util/atomic_file.ts";
import type { Environment } from "./environment.ts";

/** A run's final or current state in `status.json`. */
export type StoredStatus =
  | "running"
  | "budget"
  | "max_steps"
  | "target"
  | "nan"
  | "diverged"
  | "failed"
  | "interrupted";

/** Loop statuses that end a run for good (its results are kept and reused). */
export const FINISHED: ReadonlySet<string> = new Set(["budget", "max_steps", "target", "nan", "diverged"]);

/** `status.json`. */
export interface StatusFile {
  /** Current or final status. */
  status: StoredStatus;
  /** The run's summary, once finished. */
  summary?: RunSummary;
  /** The error message of a failed run (with the end of its stack). */
  error?: string;
  /** The process running it, while running. */
  pid?: number;
  /** Host of that process. */
  host?: string;
  /** Where the run executed (on finish). */
  environment?: Environment;
  /** Wall-clock seconds of the last execution (start-up, evaluation and checkpoints included). */
  wallSeconds?: number;
  /** When this status was written (ISO time). */
  updated: string;
}

/** `config.json`. */
export interface ConfigFile {
  /** Run kind name. */
  kind: string;
  /** Full config. */
  config: { [key: string]: Json };
  /** Data fingerprint. */
  fingerprint: string;
  /** Library version. */
  version: string;
  /** Short label. */
  label: string;
  /** Module that defines the kind, when it is not built in. */
  module?: string;
}

/** One stored record: the loop's flat record plus its run hash. */
export type StoredRecord = Record<string, string | number | boolean | null>;

/** Path of a run's directory. */
export function runDir(store: string, hash: string): string {
  return `${store}/runs/${hash}`;
}

async function readJson<T>(path: string): Promise<T | null> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw new Error(`cannot read ${path}: ${(e as Error).message}`, { cause: e });
  }
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new Error(
      `${path} is not valid JSON (${(e as Error).message}); delete the run's directory to rerun it`,
    );
  }
}

/** Reads a run's `status.json` (null when absent). */
export function readStatus(dir: string): Promise<StatusFile | null> {
  return readJson<StatusFile>(`${dir}/status.json`);
}

/** Reads a run's `config.json` (null when absent). */
export function readConfigFile(dir: string): Promise<ConfigFile | null> {
  return readJson<ConfigFile>(`${dir}/config.json`);
}

/** Replaces a run's `status.json` atomically. */
export async function writeStatus(dir: string, status: Omit<StatusFile, "updated">): Promise<void> {
  await writeFileAtomic(
    `${dir}/status.json`,
    JSON.stringify({ ...status, updated: new Date().toISOString() }),
  );
}

/** Writes `config.json` (atomically) unless it is there already. */
export async function ensureConfigFile(dir: string, config: ConfigFile): Promise<void> {
  await Deno.mkdir(`${dir}/work`, { recursive: true });
  if ((await readConfigFile(dir)) === null) {
    await writeFileAtomic(`${dir}/config.json`, JSON.stringify(config, null, 2) + "\n");
  }
}

/**
 * A run's stored records. A last line without its newline (a write cut by a kill) is left out; any other
 * unparsable line is an error naming the file and line.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { readRecords } from "./store.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/records.jsonl`, '{"step":1}\n{"step":2}\n{"st');
 * assert((await readRecords(dir)).length === 2);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function readRecords(dir: string): Promise<StoredRecord[]> {
  const path = `${dir}/records.jsonl`;
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
  const lines = text.split("\n");
  lines.pop(); // "" after the final newline, or a torn last line
  return lines.map((line, i) => {
    try {
      return JSON.parse(line) as StoredRecord;
    } catch {
      throw new Error(`${path}:${i + 1}: not a JSON record; delete the run's directory to rerun it`);
    }
  });
}

/** Appends one record (fsynced). */
export async function appendRecord(dir: string, record: StoredRecord): Promise<void> {
  await writeSynced(`${dir}/records.jsonl`, JSON.stringify(record) + "\n", { append: true });
}

/**
 * Rewrites `records.jsonl` (atomically) keeping only `keep`: a resumed run drops the rows it will replay.
 */
export async function rewriteRecords(dir: string, keep: readonly StoredRecord[]): Promise<void> {
  await writeFileAtomic(`${dir}/records.jsonl`, keep.map((r) => JSON.stringify(r) + "\n").join(""));
}
