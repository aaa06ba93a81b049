/**
 * Studies: a study is a name, a run kind and a set of run configs (a grid over any fields, explicit lists,
 * repeats over seeds). `runStudy` runs the missing ones into a result store on disk (one directory per run,
 * named by the hash of its config, data and library version), resumes interrupted runs from their
 * checkpoints, and returns polars tables and Plotly figures.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { linregKind, runStudy } from "trainlarge";
 * const store = await Deno.makeTempDir();
 * const result = await runStudy({ name: "batch", kind: linregKind, grid: { batchSize: [4, 64] } }, { store, progress: "silent" });
 * assert(result.runs.height === 2);
 * await Deno.remove(store, { recursive: true });
 * ```
 * @module
 */
export { runStudy, StudyInterruptedError } from "./runner.ts";
export type { RunStudyOptions, StudyResult } from "./runner.ts";
export type { Config, StudyDefinition, StudyTables } from "./definition.ts";
export type { ExecutorSpec, InlineExecutor, LocalExecutorSpec, ProcessesExecutor } from "./executors.ts";
export type { SlurmExecutor } from "./slurm/options.ts";
export type { SlurmStudy } from "./slurm/submit.ts";
export type { SlurmTask } from "./slurm/commands.ts";
export { registerRunKind } from "./registry.ts";
export { readStudyFile, report, STUDY_FILE_FORMAT } from "./report.ts";
export type { ReportOptions, StudyFile, StudyFileRun } from "./report.ts";
export { reproduce } from "./reproduce.ts";
export type { ReproduceOptions, Reproduction } from "./reproduce.ts";
export type { Environment } from "./environment.ts";
export type { ConfigFile, StatusFile, StoredRecord, StoredStatus } from "./store.ts";

// Types from lower layers that the signatures above mention (public here too, so the docs are whole).
export type { DataFrame } from "../display/data_frame.ts";
export type { Figure, Trace } from "../display/figure.ts";
export type { ProgressMode } from "../display/progress.ts";
export type { Json, ParentRef, RunContext, RunKind, RunSummary } from "../experiments/run_kind.ts";
export type { RunStatus, TrainRecord } from "../train/loop.ts";
