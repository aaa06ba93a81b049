/**
 * `reproduce`: re-runs a study from its `study.json` alone (kinds, full configs, data fingerprints) into a
 * new store and compares every run's final metrics with the original, side by side.
 *
 * Tolerance bands: a run bounded by steps (`maxSteps` set, no `seconds` budget) on the same backend is
 * deterministic, so its metrics must be identical. A wall-clock-bounded run trains for as many steps as the
 * machine allows, so its losses may differ: the band is ±10% relative for loss-like metrics (losses,
 * perplexities) and ±5 points for BLEU and accuracy (×100); steps and tokens are shown but have no band.
 *
 * @module
 */
import type { DataFrame } from "../display/data_frame.ts";
import { checkKeys } from "../util/options.ts";
import type { ProgressMode } from "../display/progress.ts";
import type { StudyFile } from "./report.ts";
import { STUDY_FILE_FORMAT } from "./report.ts";
import { findRunKind } from "./registry.ts";
import { runStudy, type StudyResult } from "./runner.ts";
import { rowsToFrame } from "./tables.ts";
import type { Config } from "./definition.ts";
import { canonicalJson } from "./hash.ts";

/** Options of {@linkcode reproduce}. */
export interface ReproduceOptions {
  /** Store of the re-run. Default `runs/<name>-reproduced`. */
  store?: string;
  /** Backend to run on. Default: the current one, else auto. */
  backend?: string;
  /** Live display. Default `"auto"`. */
  progress?: ProgressMode;
}

/** What `reproduce` returns. */
export interface Reproduction {
  /** The re-run study. */
  result: StudyResult;
  /** One row per run and metric: original, reproduced, difference, band, within. */
  comparison: DataFrame;
  /** The comparison as text (what the CLI prints). */
  text: string;
}

const METRICS = ["valLoss", "valPerplexity", "trainLoss", "bleu", "accuracy", "step", "tokens"];

function lastRecordWith(records: Record<string, unknown>[], metric: string): number | null {
  for (let i = records.length - 1; i >= 0; i--) {
    const v = records[i][metric];
    if (typeof v === "number") return v;
  }
  return null;
}

function band(metric: string, deterministic: boolean): { abs?: number; rel?: number } | null {
  if (deterministic) return { abs: 0 };
  if (metric === "step" || metric === "tokens") return null;
  if (metric === "bleu") return { abs: 5 };
  if (metric === "accuracy") return { abs: 0.05 };
  return { rel: 0.1 };
}

/**
 * Re-runs the study in `file` (a path to `study.json` or its contents) and compares the results.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { linregKind, report, reproduce, runStudy } from "trainlarge";
 * const dir = await Deno.makeTempDir();
 * const study = await runStudy({ name: "rep", kind: linregKind, base: { maxSteps: 20 } }, { store: `${dir}/a`, progress: "silent" });
 * const { json } = await report(study, { png: false });
 * const { comparison } = await reproduce(json, { store: `${dir}/b`, progress: "silent" });
 * assert(comparison.getColumn("within").toArray().every((w) => w === true));
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function reproduce(
  file: string | StudyFile,
  options: ReproduceOptions = {},
): Promise<Reproduction> {
  checkKeys("reproduce", options, ["store", "backend", "progress"]);
  let study: StudyFile;
  if (typeof file === "string") {
    try {
      study = JSON.parse(await Deno.readTextFile(file));
    } catch (e) {
      throw new Error(
        `reproduce: cannot read ${file}: ${(e as Error).message}; give the study.json a report wrote`,
      );
    }
  } else study = file;
  if (study?.format !== STUDY_FILE_FORMAT || !Array.isArray(study.runs) || study.runs.length === 0) {
    throw new Error(
      `reproduce: ${
        typeof file === "string" ? file : "the study"
      } is not a ${STUDY_FILE_FORMAT} file with runs`,
    );
  }
  const kinds = new Set(study.runs.map((r) => r.kind));
  if (kinds.size !== 1) throw new Error(`reproduce: the study mixes run kinds (${[...kinds].join(", ")})`);
  const first = study.runs[0];
  const kind = await findRunKind(first.kind, first.module);
  const name = study.name;
  const labels = new Map(study.runs.map((r) => [canonicalJson(r.config), r.label]));
  const result = await runStudy(
    {
      name,
      kind,
      runs: study.runs.map((r) => r.config as Config),
      label: (c) => labels.get(canonicalJson(c)) ?? "",
    },
    {
      store: options.store ?? `runs/${name}-reproduced`,
      ...(options.backend ? { backend: options.backend } : {}),
      ...(options.progress ? { progress: options.progress } : {}),
    },
  );
  const newRecords = result.records.toRecords() as Record<string, unknown>[];
  const newRuns = result.runs.toRecords() as Record<string, unknown>[];
  const rows: Record<string, string | number | boolean | null>[] = [];
  study.runs.forEach((orig, i) => {
    const hash = String(newRuns[i]?.run);
    const mine = newRecords.filter((r) => r.run === hash);
    const env = orig.status?.environment;
    const backendNow = newRuns[i]?.backend ?? null;
    const stepBound = typeof orig.config.maxSteps === "number" &&
      (orig.config.seconds === null || orig.config.seconds === undefined);
    const deterministic = stepBound && env?.backend === backendNow;
    for (const metric of METRICS) {
      const a = lastRecordWith(orig.records, metric), b = lastRecordWith(mine, metric);
      if (a === null && b === null) continue;
      const bnd = band(metric, deterministic);
      const diff = a !== null && b !== null ? b - a : null;
      const rel = diff !== null && a !== 0 && a !== null ? diff / Math.abs(a) : null;
      const within = bnd === null || diff === null
        ? null
        : bnd.abs !== undefined
        ? Math.abs(diff) <= bnd.abs
        : Math.abs(rel ?? Infinity) <= bnd.rel!;
      rows.push({
        label: orig.label,
        metric,
        original: a,
        reproduced: b,
        diff,
        relDiff: rel,
        band: bnd === null ? "none" : bnd.abs !== undefined ? `±${bnd.abs}` : `±${bnd.rel! * 100}%`,
        within,
      });
    }
  });
  const comparison = rowsToFrame(rows, [
    "label",
    "metric",
    "original",
    "reproduced",
    "diff",
    "relDiff",
    "band",
    "within",
  ]);
  const fmt = (
    v: unknown,
  ) => (typeof v === "number" ? (Number.isInteger(v) ? String(v) : v.toPrecision(6)) : String(v));
  const lines = [
    `reproduced ${study.runs.length} run(s) of "${name}" into ${result.dir}`,
    ["run", "metric", "original", "reproduced", "diff", "band", "ok"].join("\t"),
    ...rows.map((r) =>
      [
        r.label,
        r.metric,
        fmt(r.original),
        fmt(r.reproduced),
        fmt(r.diff),
        r.band,
        r.within === null ? "-" : r.within ? "yes" : "NO",
      ]
        .join("\t")
    ),
  ];
  const bad = rows.filter((r) => r.within === false).length;
  lines.push(bad === 0 ? "every metric is within its band" : `${bad} metric(s) outside their band`);
  return { result, comparison, text: lines.join("\n") };
}
