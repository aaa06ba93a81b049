/**
 * The analysis of a batch-size study, from its `records` and `runs` tables alone (so a cached study is
 * analysed without a backend): per run, steps/seconds/examples to the target (`targetCrossing`) and the
 * gradient noise scale from its records (`noiseScaleEstimate`); over runs, the S(B) fit
 * (`fitStepsToTarget`), the pooled B_simple, and the simulated data-parallel times (`dataParallelTimes`).
 *
 * @module
 */
import pl from "nodejs-polars";
import type { DataFrame } from "../display/data_frame.ts";
import { fitStepsToTarget, type StepsFit } from "../metrics/batch_scaling.ts";
import { noiseScaleEstimate } from "../metrics/noise_scale.ts";
import type { StudyTables } from "../study/definition.ts";
import { rowsToFrame } from "../study/tables.ts";
import { dataParallelTimes, fitComputeSeconds, type Network } from "./data_parallel.ts";
import { type LossPoint, targetCrossing } from "./time_to_target.ts";

/** The settings the analysis reads. */
export interface AnalysisSettings {
  /** The target validation loss. */
  targetValLoss: number;
  /** EMA decay of the noise-scale estimator. */
  noiseDecay: number;
  /** Worker counts to simulate. */
  workers: readonly number[];
  /** The simulated network. */
  network: Network;
}

/** B_simple pooled over runs. */
export interface NoiseScaleSummary {
  /** Inverse-variance weighted mean of the runs' end-of-run B_simple, in sequences. */
  bSimple: number;
  /** Its standard error (from the runs' standard errors). */
  stdErr: number;
  /** Runs pooled. */
  runs: number;
}

/** A run's row of the `targets` table. */
export type TargetRow = Record<string, string | number | boolean | null>;

type Cell = string | number | boolean | null;

/** Numeric columns of `targets`: Float64 even when every value is null (e.g. no run measured B_simple). */
const NUMERIC = [
  "batchSize",
  "microBatch",
  "seed",
  "peakLr",
  "stepsToTarget",
  "secondsToTarget",
  "examplesToTarget",
  "secondsPerStep",
  "finalValLoss",
  "bSimple",
  "bSimpleStdErr",
  "noiseSamples",
];

function floats(df: DataFrame, columns: readonly string[]): DataFrame {
  if (df.height === 0) return df;
  return df.withColumns(...columns.map((c) => df.getColumn(c).cast(pl.Float64)));
}
const rowsOf = (df: DataFrame): Record<string, Cell>[] =>
  df.height === 0 ? [] : (df.toRecords() as Record<string, Cell>[]);

const DP_COLUMNS = [
  "batchSize",
  "workers",
  "perWorkerBatch",
  "steps",
  "computeSeconds",
  "allReduceSeconds",
  "secondsToTarget",
];

/** What {@linkcode analyzeBatchSizeStudy} returns. */
export interface BatchSizeAnalysis {
  /** One row per run (see `batchSizeStudy`). */
  targets: DataFrame;
  /** The S(B) fit, or null with fewer than two batch sizes that reached the target. */
  fit: StepsFit | null;
  /** Pooled B_simple, or null when no run measured it. */
  noiseScale: NoiseScaleSummary | null;
  /** Simulated time to target per (B, N). */
  dataParallel: DataFrame;
}

/**
 * Analyses a batch-size study's tables (see the module doc). Columns of `targets`: run, label, batchSize,
 * microBatch, seed, peakLr, status, reached, how ("interpolated", "first" or "never"), stepsToTarget,
 * secondsToTarget, examplesToTarget, secondsPerStep (training seconds / steps of the whole run),
 * finalValLoss, bSimple, bSimpleStdErr, noiseSamples, best (the learning rate with the fewest steps to the
 * target for its batch size and seed: what the fit, the figures and the simulation use).
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { rowsToFrame } from "../study/tables.ts";
 * import { analyzeBatchSizeStudy } from "./batch_size_analysis.ts";
 * const records = rowsToFrame([8, 32].flatMap((b) => [1, 2].map((i) => ({
 *   run: `r${b}`, step: (i * 800) / b, seconds: i, valLoss: 7 - i, batchSize: b }))));
 * const runs = rowsToFrame([8, 32].map((b) => ({ run: `r${b}`, label: `B=${b}`, batchSize: b,
 *   seed: 0, peakLr: 1e-3, status: "target", step: 1600 / b, seconds: 2, params: 1000 })));
 * const a = analyzeBatchSizeStudy({ records, runs }, { targetValLoss: 5.5, noiseDecay: 0.9, workers: [1],
 *   network: { bandwidth: 1e9, latency: 0 } });
 * assert(a.targets.getColumn("stepsToTarget").toArray().join() === "150,37.5");
 * assert(a.fit!.regime === "no-saturation"); // steps fell exactly as 1/B
 * ```
 */
export function analyzeBatchSizeStudy(tables: StudyTables, s: AnalysisSettings): BatchSizeAnalysis {
  const byRun = new Map<string, Record<string, Cell>[]>();
  for (const r of rowsOf(tables.records)) {
    const key = String(r.run);
    if (!byRun.has(key)) byRun.set(key, []);
    byRun.get(key)!.push(r);
  }
  const rows: TargetRow[] = [];
  for (const run of rowsOf(tables.runs)) {
    const records = (byRun.get(String(run.run)) ?? []).sort((a, b) => Number(a.step) - Number(b.step));
    const b = Number(run.batchSize);
    const micro = run.microBatch === null || run.microBatch === undefined ? b : Number(run.microBatch);
    const points: LossPoint[] = records.filter((r) => typeof r.valLoss === "number").map((r) => ({
      loss: r.valLoss as number,
      at: { step: Number(r.step), seconds: Number(r.seconds) },
    }));
    const crossing = targetCrossing(points, s.targetValLoss);
    const samples = records.filter((r) =>
      typeof r.gradSqSmall === "number" && typeof r.gradSqBig === "number"
    )
      .map((r) => ({ gradSqSmall: r.gradSqSmall as number, gradSqBig: r.gradSqBig as number }));
    const noise = samples.length > 0 && micro < b
      ? noiseScaleEstimate(samples, { bSmall: micro, bBig: b, decay: s.noiseDecay })
      : null;
    const steps = crossing.at.step ?? null;
    rows.push({
      run: run.run,
      label: run.label,
      batchSize: b,
      microBatch: micro,
      seed: run.seed ?? null,
      peakLr: run.peakLr ?? null,
      status: run.status,
      reached: crossing.reached,
      how: crossing.how,
      stepsToTarget: steps,
      secondsToTarget: crossing.at.seconds ?? null,
      examplesToTarget: steps === null ? null : steps * b,
      secondsPerStep: Number(run.step) > 0 ? Number(run.seconds) / Number(run.step) : null,
      finalValLoss: points.at(-1)?.loss ?? null,
      bSimple: noise?.bSimple ?? null,
      bSimpleStdErr: noise?.stdErr ?? null,
      noiseSamples: samples.length,
      best: false,
    });
  }
  // Per (batch size, seed): the learning rate that reached the target in the fewest steps (a sweep's winner;
  // with one learning rate per batch size, every run that reached the target).
  const winners = new Map<string, TargetRow>();
  for (const r of rows) {
    if (!r.reached || typeof r.stepsToTarget !== "number" || r.stepsToTarget <= 0) continue;
    const key = `${r.batchSize}|${r.seed}`;
    const w = winners.get(key);
    if (w === undefined || (r.stepsToTarget as number) < (w.stepsToTarget as number)) winners.set(key, r);
  }
  for (const w of winners.values()) w.best = true;
  const targets = floats(rowsToFrame(rows, ["run", "label", "batchSize", "microBatch", "seed"]), NUMERIC);
  const reached = rows.filter((r) => r.best);
  const distinct = new Set(reached.map((r) => r.batchSize)).size;
  const fit = distinct >= 2
    ? fitStepsToTarget(
      reached.map((r) => ({ batchSize: r.batchSize as number, steps: r.stepsToTarget as number })),
    )
    : null;

  const measured = rows.filter((r) =>
    typeof r.bSimple === "number" && typeof r.bSimpleStdErr === "number" &&
    (r.bSimpleStdErr as number) > 0
  );
  let noiseScale: NoiseScaleSummary | null = null;
  if (measured.length > 0) {
    const w = measured.map((r) => 1 / (r.bSimpleStdErr as number) ** 2);
    const total = w.reduce((a, b) => a + b, 0);
    const bSimple = measured.reduce((acc, r, i) => acc + w[i] * (r.bSimple as number), 0) / total;
    noiseScale = { bSimple, stdErr: Math.sqrt(1 / total), runs: measured.length };
  }

  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const sizes = [...new Set(rows.map((r) => r.batchSize as number))].sort((a, b) => a - b);
  const steps = sizes.flatMap((b) => {
    const xs = reached.filter((r) => r.batchSize === b).map((r) => r.stepsToTarget as number);
    return xs.length > 0 ? [{ batchSize: b, steps: mean(xs) }] : [];
  });
  const timed = rows.filter((r) => typeof r.secondsPerStep === "number")
    .map((r) => ({ batchSize: r.batchSize as number, seconds: r.secondsPerStep as number }));
  const compute = timed.length > 0 ? fitComputeSeconds(timed) : null;
  const params = rowsOf(tables.runs).map((r) => Number(r.params)).find((p) => p > 0) ?? 0;
  const dataParallel = floats(
    rowsToFrame(
      params > 0 && compute !== null
        ? dataParallelTimes({ steps, compute, params, workers: s.workers, network: s.network }).map((r) => ({
          ...r,
        }))
        : [],
      DP_COLUMNS,
    ),
    DP_COLUMNS,
  );
  return { targets, fit, noiseScale, dataParallel };
}
