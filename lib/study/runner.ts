/**
 * `runStudy`: plan a study's runs, read the finished ones from the store, execute the missing ones with an
 * executor, and return the study's tables and figures. A second call with the same definition reads
 * everything from the store (no backend is started, no model is built); changing one field reruns only the
 * runs whose config it changes.
 *
 * @module
 */
import type { DataFrame } from "../display/data_frame.ts";
import type { Figure } from "../display/figure.ts";
import { lineFigure } from "../display/figure.ts";
import type { ProgressMode } from "../display/progress.ts";
import { studyProgress } from "../display/study_progress.ts";
import { checkChoice, checkKeys, OptionError } from "../util/options.ts";
import { removeOrphanTemps, writeFileAtomic } from "../util/atomic_file.ts";
import { InterruptedError, interruptScope } from "../util/interrupt.ts";
import { type Config, flattenConfig, type StudyDefinition, type StudyTables } from "./definition.ts";
import type { ExecutorSpec, LocalExecutorSpec, ProcessesExecutor } from "./executors.ts";
import { checkSlurmExecutor, type SlurmExecutor } from "./slurm/options.ts";
import type { SlurmStudy } from "./slurm/submit.ts";
import { acquireLock } from "./lock.ts";
import { type PlannedRun, planStudy } from "./plan.ts";
import { configFileOf } from "./execute.ts";
import { ensureConfigFile, FINISHED, readRecords, readStatus, type StatusFile } from "./store.ts";
import { rowsToFrame, writeParquetAtomic } from "./tables.ts";

/** What a study cell returns. */
export interface StudyResult {
  /** The study's name. */
  name: string;
  /** Its store directory. */
  dir: string;
  /** One row per evaluation point per run (record fields, `run`, `label`, config fields). */
  records: DataFrame;
  /** One row per run (config fields, `run`, `label`, `status`, summary fields, `error`). */
  runs: DataFrame;
  /** The study's figures. */
  figures: Figure[];
}

/** Options of {@linkcode runStudy}. */
export interface RunStudyOptions {
  /** The study's directory. Default `runs/<name>` under the working directory. */
  store?: string;
  /** Force runs again: `"all"` (from scratch) or `"failed"` (failed, nan and diverged ones). Default: none. */
  rerun?: "all" | "failed" | "none";
  /** How missing runs are carried out. Default `"inline"`. */
  executor?: ExecutorSpec;
  /** Backend to start before running (`useBackend`), or for subprocesses. Default: the current one, else auto. */
  backend?: string;
  /** Where the live display draws (`"silent"` for none). Default `"auto"`. */
  progress?: ProgressMode;
  /** Stops the study: the current run checkpoints and the call throws `StudyInterruptedError`. */
  signal?: AbortSignal;
  /** Millisecond clock handed to the runs (tests). */
  clock?: () => number;
  /** More stores (or folders of stores) where finished parent runs may be found, e.g. a pretraining study's. */
  parentStores?: string[];
}

const OPTION_KEYS = ["store", "rerun", "executor", "backend", "progress", "signal", "clock", "parentStores"];

/**
 * Thrown when a study stops because its signal fired or the notebook's stop button was pressed; the
 * interrupted run resumes from its checkpoint on the next call. An `InterruptedError`.
 */
export class StudyInterruptedError extends InterruptedError {
  /** The interrupted study's store. */
  readonly dir: string;
  /** An interruption of the study stored in `dir`, with a message saying how to resume. */
  constructor(message: string, dir: string) {
    super(message, { checkpoint: dir });
    this.name = "StudyInterruptedError";
    this.dir = dir;
  }
}

/** Names of the record and summary fields that a config column must not shadow. */
const RESERVED = new Set([
  "run",
  "label",
  "status",
  "error",
  "step",
  "seconds",
  "tokens",
  "trainLoss",
  "valLoss",
  "valPerplexity",
  "lr",
  "gradNorm",
  "tokensPerSecond",
  "wallSeconds",
  "evalSeconds",
  "message",
  "params",
  "flopsPerToken",
]);

/** Config columns, named by dot path; a name that a record or summary field also uses gets `config.`. */
function configColumns(
  config: Config,
  taken: ReadonlySet<string>,
): Record<string, string | number | boolean | null> {
  const out: Record<string, string | number | boolean | null> = {};
  for (const [k, v] of Object.entries(flattenConfig(config))) out[taken.has(k) ? `config.${k}` : k] = v;
  return out;
}

function defaultFigures(tables: StudyTables): Figure[] {
  const r = tables.records;
  if (r.height === 0 || !r.columns.includes("valLoss") || !r.columns.includes("seconds")) return [];
  const evals = r.filter(r.getColumn("valLoss").isNotNull());
  if (evals.height === 0) return [];
  return [
    lineFigure(evals, {
      x: "seconds",
      y: "valLoss",
      color: "label",
      title: "Validation loss against training seconds",
      xTitle: "training seconds (wall-clock, evaluation excluded)",
      yTitle: "validation loss",
    }),
  ];
}

async function readResult(
  name: string,
  store: string,
  runs: readonly PlannedRun[],
  figures: StudyDefinition<Config>["figures"],
): Promise<{ result: StudyResult; statuses: (StatusFile | null)[] }> {
  const recordRows: Record<string, string | number | boolean | null>[] = [];
  const runRows: Record<string, string | number | boolean | null>[] = [];
  const statuses: (StatusFile | null)[] = [];
  const stored: Record<string, string | number | boolean | null>[][] = [];
  const taken = new Set(RESERVED);
  for (const run of runs) {
    const status = await readStatus(run.dir);
    statuses.push(status);
    const records = await readRecords(run.dir);
    stored.push(records);
    for (const rec of records) for (const k of Object.keys(rec)) taken.add(k);
    for (const k of Object.keys(status?.summary ?? {})) taken.add(k);
  }
  runs.forEach((run, i) => {
    const cols = configColumns(run.config, taken);
    const status = statuses[i];
    for (const rec of stored[i]) recordRows.push({ ...rec, run: run.hash, label: run.label, ...cols });
    const summary = status?.summary ?? {};
    runRows.push({
      run: run.hash,
      label: run.label,
      ...cols,
      status: status?.status ?? "pending",
      ...Object.fromEntries(Object.entries(summary).filter(([k]) => k !== "status")),
      error: status?.error ? status.error.split("\n")[0] : null,
      backend: status?.environment?.backend ?? null,
      wallSeconds: status?.wallSeconds ?? null,
    });
  });
  const tables: StudyTables = {
    records: rowsToFrame(recordRows, ["run", "label"]),
    runs: rowsToFrame(runRows, ["run", "label", "status"]),
  };
  const figs = (figures ?? defaultFigures)(tables);
  return { result: { name, dir: store, ...tables, figures: figs }, statuses };
}

async function ensureBackend(name: string | undefined): Promise<void> {
  const { tf } = await import("../backend/tf.ts");
  const { useBackend } = await import("../backend/use_backend.ts");
  const started = (tf.engine() as unknown as { backendInstance: unknown }).backendInstance != null;
  if (name !== undefined) await useBackend(name);
  else if (!started) await useBackend();
}

function normalizeExecutor(
  spec: ExecutorSpec | undefined,
): { kind: "inline" } | ProcessesExecutor | SlurmExecutor {
  if (spec === undefined || spec === "inline") return { kind: "inline" };
  if (spec === "processes") return { kind: "processes" };
  if (typeof spec === "object" && spec !== null) {
    if (spec.kind === "inline") {
      checkKeys("runStudy", spec, ["kind"], "executor.");
      return spec;
    }
    if (spec.kind === "processes") {
      checkKeys("runStudy", spec, ["kind", "workers", "threads"], "executor.");
      return spec;
    }
    if (spec.kind === "slurm") return checkSlurmExecutor(spec);
  }
  throw new OptionError(
    "runStudy",
    "executor",
    `\`executor\` must be "inline", "processes" or { kind: "inline" | "processes" | "slurm", … }, got ${
      JSON.stringify(spec)
    }`,
  );
}

/**
 * Runs a study: executes the runs the store does not hold yet (resuming interrupted ones) and returns its
 * tables and figures. Runs that fail are recorded (status "failed" with the error) and the study goes on;
 * a diverged run is recorded with status "nan" or "diverged". The store is locked while runs execute.
 *
 * With `executor: { kind: "slurm", … }` the missing runs are submitted as a Slurm job array and the call
 * resolves at once to a {@linkcode SlurmStudy} handle: `await handle.wait()` gives the same result (see the
 * README, "Using a cluster").
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { runStudy } from "./runner.ts";
 * import { linregKind } from "../experiments/linreg_kind.ts";
 * const store = await Deno.makeTempDir();
 * const study = { name: "lr", kind: linregKind, grid: { lr: [0.05, 0.2] } };
 * const first = await runStudy(study, { store, progress: "silent" });
 * assert(first.runs.height === 2 && first.records.height > 0 && first.figures.length === 1);
 * const again = await runStudy(study, { store, progress: "silent" }); // read from the store
 * assert(again.records.height === first.records.height);
 * await Deno.remove(store, { recursive: true });
 * ```
 */
export function runStudy<C extends Config>(
  definition: StudyDefinition<C>,
  options: RunStudyOptions & { executor: SlurmExecutor },
): Promise<SlurmStudy>;
/** Runs a study on this machine (executor "inline" or "processes") and resolves to its result. */
export function runStudy<C extends Config>(
  definition: StudyDefinition<C>,
  options?: RunStudyOptions & { executor?: LocalExecutorSpec },
): Promise<StudyResult>;
/** Runs a study with any executor: a result, or a handle on the cluster jobs for `{ kind: "slurm" }`. */
export function runStudy<C extends Config>(
  definition: StudyDefinition<C>,
  options?: RunStudyOptions,
): Promise<StudyResult | SlurmStudy>;
export async function runStudy<C extends Config>(
  definition: StudyDefinition<C>,
  options: RunStudyOptions = {},
): Promise<StudyResult | SlurmStudy> {
  checkKeys("runStudy", options, OPTION_KEYS);
  checkChoice("runStudy", "rerun", options.rerun, ["all", "failed", "none"]);
  if (typeof definition?.name !== "string" || !/^[A-Za-z0-9._-]+$/.test(definition.name)) {
    throw new OptionError(
      "runStudy",
      "name",
      `a study needs a \`name\` of letters, digits, ".", "_" and "-" (it names its store), got ${
        JSON.stringify(definition?.name)
      }`,
    );
  }
  const executor = normalizeExecutor(options.executor);
  const def = definition as unknown as StudyDefinition<Config>;
  const store = (options.store ?? `runs/${def.name}`).replace(/\/+$/, "");
  const { runs, dependencies } = await planStudy(def, store, options.parentStores ?? []);
  const rerun = options.rerun ?? "none";

  const todo: PlannedRun[] = [];
  for (const run of [...dependencies, ...runs]) {
    const s = await readStatus(run.dir);
    const finished = s !== null && (FINISHED.has(s.status) || s.status === "failed");
    const bad = s !== null && (s.status === "failed" || s.status === "nan" || s.status === "diverged");
    if (rerun === "all" || !finished || (rerun === "failed" && bad)) todo.push(run);
  }

  if (todo.length > 0 && executor.kind !== "inline") {
    // A subprocess finds a kind by name: built in, or through the module that defines it.
    const { RUN_KINDS } = await import("../experiments/kinds.ts");
    for (const run of todo) {
      if (!(run.kind.name in RUN_KINDS) && !(run.kind as { module?: string }).module) {
        throw new OptionError(
          "runStudy",
          "executor",
          `run kind "${run.kind.name}" is not built in and names no \`module\`, so a subprocess cannot load it; ` +
            `define it in a file with \`module: import.meta.url\`, or use the inline executor`,
        );
      }
    }
  }
  if (todo.length > 0) {
    try {
      await Deno.mkdir(`${store}/runs`, { recursive: true });
    } catch (e) {
      throw new Error(
        `runStudy: cannot create the store ${store}: ${(e as Error).message}; pass a writable \`store\``,
      );
    }
    const lock = await acquireLock(`${store}/.lock`, `study "${def.name}" (${store})`);
    const stop = interruptScope(); // the notebook's stop button stops the study like its signal
    const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
    try {
      await removeOrphanTemps(store);
      if (rerun !== "none") {
        for (const run of todo) await Deno.remove(run.dir, { recursive: true }).catch(() => {});
      }
      for (const run of todo) await ensureConfigFile(run.dir, configFileOf(run));
      await writeFileAtomic(
        `${store}/plan.json`,
        planJson(def.name, runs, dependencies, options.parentStores ?? []),
      );
      const progress = studyProgress({
        name: def.name,
        total: runs.length + dependencies.length,
        done: runs.length + dependencies.length - todo.length,
        mode: options.progress,
        clock: options.clock,
      });
      const job = {
        store,
        parentStores: options.parentStores ?? [],
        runs: todo,
        progress,
        signal,
        backend: options.backend,
        clock: options.clock,
      };
      const finish = async (statuses: Map<string, StatusFile>) => {
        await progress.done();
        const { result } = await readResult(def.name, store, runs, def.figures);
        await writeParquetAtomic(result.records, `${store}/records.parquet`);
        await writeParquetAtomic(result.runs, `${store}/runs.parquet`);
        await writeFileAtomic(`${store}/figures.json`, JSON.stringify(result.figures));
        const interrupted = [...statuses].find(([, s]) => s.status === "interrupted");
        if (interrupted || signal.aborted) {
          const run = todo.find((r) => r.hash === interrupted?.[0]);
          throw new StudyInterruptedError(
            `study "${def.name}" was interrupted${
              run ? ` during run ${run.label} (${run.hash}), whose checkpoint is saved` : ""
            }; call it again to resume (finished runs are kept in ${store})`,
            store,
          );
        }
        return result;
      };
      if (executor.kind === "slurm") {
        const { submitSlurm } = await import("./slurm/submit.ts");
        return await submitSlurm(job, executor, { name: def.name, finish });
      }
      let statuses: Map<string, StatusFile>;
      if (executor.kind === "inline") {
        await ensureBackend(options.backend);
        const { runInline } = await import("./executors.ts");
        statuses = await runInline(job);
      } else {
        const { runProcesses } = await import("./executors.ts");
        statuses = await runProcesses(job, executor);
      }
      return await finish(statuses);
    } finally {
      stop.close();
      await lock.release();
    }
  }
  const { result } = await readResult(def.name, store, runs, def.figures);
  // Keep the store's description in step with this definition (a cached subset of a larger store).
  await writeFileAtomic(
    `${store}/plan.json`,
    planJson(def.name, runs, dependencies, options.parentStores ?? []),
  ).catch(() => {});
  await writeFileAtomic(`${store}/figures.json`, JSON.stringify(result.figures)).catch(() => {});
  if (executor.kind === "slurm") return (await import("./slurm/submit.ts")).finishedSlurmStudy(result);
  return result;
}

function planJson(
  name: string,
  runs: readonly PlannedRun[],
  dependencies: readonly PlannedRun[],
  parentStores: readonly string[],
): string {
  return JSON.stringify(
    {
      name,
      parentStores,
      kind: runs[0]?.kind.name,
      runs: runs.map((r) => ({ hash: r.hash, label: r.label, config: r.config })),
      dependencies: dependencies.map((r) => ({ hash: r.hash, kind: r.kind.name, config: r.config })),
    },
    null,
    2,
  ) + "\n";
}
