/**
 * `planBudget`: beyond the paper — fit the curves the studies measured and recommend, for a training budget
 * (seconds) and an inference budget (model size in MiB), a model size, a batch size and a compression
 * level. The fits and their forms are in `budget_fit.ts`; their quality (R², RMSE) is reported beside every
 * recommendation, and a budget beyond the measured range is flagged as an extrapolation.
 *
 * Caveat, stated in the result's text: each measured run decays its learning rate to zero at its own budget,
 * so a run's curve at t is not what a run with budget t would reach; fitted within-run curves are a
 * conservative, approximate guide (Kaplan et al. 2020 fit final losses of separate runs instead — rerun
 * `pretrainSweep` with several `seconds` to do the same).
 *
 * @module
 */
import type { DataFrame } from "../display/data_frame.ts";
import type { Figure, Trace } from "../display/figure.ts";
import { figureLayout } from "../display/figure.ts";
import type { StudyResult } from "../study/runner.ts";
import { rowsToFrame } from "../study/tables.ts";
import { checkKeys, checkNumber, OptionError } from "../util/options.ts";
import { accuracyAtBits, fitPowerLaw, type PowerLawFit, predictLoss } from "./budget_fit.ts";
import { CELL_OPTION_KEYS, type CellOptions } from "./cell.ts";
import type { CompressionStudyResult } from "./compression.ts";

/** Options of {@linkcode planBudget}. */
export interface PlanBudgetOptions extends CellOptions {
  /** Training budget in seconds of this machine (required). */
  trainingSeconds: number;
  /** Inference budget: the compressed model's size in MiB. Default: no limit. */
  inferenceMiB?: number;
  /** A `pretrainSweep` result (default: run `pretrainSweep` at `scale`, cached). */
  pretrain?: StudyResult;
  /** A `compressionStudy` result (default: run `compressionStudy` at `scale` when `inferenceMiB` is given). */
  compression?: CompressionStudyResult;
  /** The critical batch size measured by `batchSizeStudy` (its B_noise), if known. */
  criticalBatch?: number;
}

/** What `planBudget` recommends. */
export interface BudgetPlan {
  /** The recommendation in one paragraph, with the fits' quality and caveats. */
  text: string;
  /** The model size with the lowest predicted validation loss at the training budget. */
  size: string;
  /** Its predicted validation loss at the budget. */
  predictedLoss: number;
  /** True when the budget lies beyond the longest measured run (an extrapolation). */
  extrapolated: boolean;
  /** Recommended batch size (the critical batch when known, else the studies' batch size). */
  batchSize: number;
  /** Best compression of the recommended size under the inference budget, when a compression study is given. */
  compression: { model: string; method: string; setting: string; accuracy: number; sizeMiB: number } | null;
  /** One row per size: the fit (lInf, a, alpha, r2, rmse, n, tMax) and the prediction at the budget. */
  fits: DataFrame;
  /** Figures: measured and fitted loss curves with the budget marked; accuracy against size with the budget. */
  figures: Figure[];
}

const num = (v: unknown) => (typeof v === "bigint" ? Number(v) : v as number);

/** Fits one power law per size label to a pretraining study's (seconds, valLoss) records. */
export function fitSizes(
  records: DataFrame,
): Map<string, { fit: PowerLawFit; points: { t: number; loss: number }[] }> {
  const bySize = new Map<string, { t: number; loss: number }[]>();
  for (const r of records.toRecords() as Record<string, unknown>[]) {
    if (typeof r.valLoss !== "number" || typeof r.seconds !== "number" || r.seconds <= 0) continue;
    const key = String(r.label);
    if (!bySize.has(key)) bySize.set(key, []);
    bySize.get(key)!.push({ t: r.seconds, loss: r.valLoss });
  }
  const out = new Map<string, { fit: PowerLawFit; points: { t: number; loss: number }[] }>();
  for (const [size, points] of bySize) {
    if (points.length >= 3) out.set(size, { fit: fitPowerLaw(points), points });
  }
  return out;
}

/** The budget as a dashed vertical line at `x`, across the whole plot height. */
const budgetLine = (x: number) => ({
  type: "line",
  xref: "x",
  yref: "paper",
  x0: x,
  x1: x,
  y0: 0,
  y1: 1,
  line: { dash: "dash" },
});

function lossFigure(
  fits: Map<string, { fit: PowerLawFit; points: { t: number; loss: number }[] }>,
  budget: number,
): Figure {
  const data: Trace[] = [];
  const tEnd = Math.max(budget * 1.2, ...[...fits.values()].map((f) => f.fit.tMax));
  for (const [size, { fit, points }] of fits) {
    data.push({
      type: "scatter",
      mode: "markers",
      name: `${size} measured`,
      legendgroup: size,
      x: points.map((p) => p.t),
      y: points.map((p) => p.loss),
    });
    const ts = Array.from(
      { length: 60 },
      (_, i) =>
        Math.min(...points.map((p) => p.t)) * (tEnd / Math.min(...points.map((p) => p.t))) ** (i / 59),
    );
    data.push({
      type: "scatter",
      mode: "lines",
      name: `${size} fit (R² ${fit.r2.toFixed(3)})`,
      legendgroup: size,
      x: ts,
      y: ts.map((t) => predictLoss(fit, t)),
      line: { dash: "dot" },
    });
  }
  return {
    data,
    layout: {
      ...figureLayout({
        title: `Validation loss against time, fitted L∞ + A·t^(−α); budget ${budget} s`,
        x: { title: "training seconds (log)", type: "log" },
        y: { title: "validation loss" },
      }),
      shapes: [budgetLine(budget)],
    },
  };
}

function accuracyFigure(points: CompressionStudyResult["records"], budgetBits: number | null): Figure {
  const bySize = new Map<string, { x: number; y: number }[]>();
  for (const p of points.toRecords() as Record<string, unknown>[]) {
    const k = String(p.size);
    if (!bySize.has(k)) bySize.set(k, []);
    bySize.get(k)!.push({ x: num(p.sizeBits) / 8 / 2 ** 20, y: num(p.accuracy) });
  }
  const data: Trace[] = [...bySize].map(([size, ps]) => {
    ps.sort((a, b) => a.x - b.x);
    return {
      type: "scatter",
      mode: "markers+lines",
      name: size,
      x: ps.map((p) => p.x),
      y: ps.map((p) => p.y),
    };
  });
  return {
    data,
    layout: {
      ...figureLayout({
        title: "Accuracy against compressed size",
        x: { title: "model size in MiB (log)", type: "log" },
        y: { title: "test accuracy" },
      }),
      shapes: budgetBits === null ? [] : [budgetLine(budgetBits / 8 / 2 ** 20)],
    },
  };
}

/**
 * Recommends a model size, batch size and compression level for a training and an inference budget.
 *
 * @example
 * ```ts ignore
 * import { planBudget, show } from "trainlarge";
 * const plan = await planBudget({ trainingSeconds: 600, inferenceMiB: 1, scale: "demo" });
 * console.log(plan.text);
 * for (const figure of plan.figures) await show(figure);
 * ```
 */
export async function planBudget(options: PlanBudgetOptions): Promise<BudgetPlan> {
  const where = "planBudget";
  checkKeys(where, options, [
    ...CELL_OPTION_KEYS,
    "trainingSeconds",
    "inferenceMiB",
    "pretrain",
    "compression",
    "criticalBatch",
  ]);
  if (options?.trainingSeconds === undefined) {
    throw new OptionError(
      where,
      "trainingSeconds",
      "`trainingSeconds` (the training budget in seconds) is required",
    );
  }
  checkNumber(where, "trainingSeconds", options.trainingSeconds, { above: 0 });
  checkNumber(where, "inferenceMiB", options.inferenceMiB, { above: 0 });
  checkNumber(where, "criticalBatch", options.criticalBatch, { above: 0 });
  const cellOptions = {
    scale: options.scale,
    seeds: options.seeds,
    executor: options.executor,
    backend: options.backend,
    progress: options.progress,
    signal: options.signal,
  };
  const pretrain = options.pretrain ?? await (await import("./pretrain_sweep.ts")).pretrainSweep(cellOptions);
  const compression = options.compression ??
    (options.inferenceMiB !== undefined
      ? await (await import("./compression.ts")).compressionStudy(cellOptions)
      : undefined);

  const T = options.trainingSeconds;
  const fits = fitSizes(pretrain.records);
  if (fits.size === 0) {
    throw new Error(
      `${where}: the pretraining study has no size with 3 or more evaluations to fit; run it first`,
    );
  }
  const rows = [...fits].map(([size, { fit }]) => ({
    size,
    ...fit,
    predictedLoss: predictLoss(fit, T),
    extrapolated: T > fit.tMax,
  }));
  const best = rows.reduce((a, b) => (b.predictedLoss < a.predictedLoss ? b : a));
  const studyBatch = (pretrain.runs.toRecords()[0]?.batchSize as number | undefined) ?? 32;
  const batchSize = options.criticalBatch !== undefined ? Math.round(options.criticalBatch) : studyBatch;

  let comp: BudgetPlan["compression"] = null;
  const budgetBits = options.inferenceMiB !== undefined ? options.inferenceMiB * 8 * 2 ** 20 : null;
  if (compression && budgetBits !== null) {
    const mine = (compression.records.toRecords() as Record<string, unknown>[]).filter((p) =>
      p.size === best.size && num(p.sizeBits) <= budgetBits
    );
    const pick = mine.reduce<Record<string, unknown> | null>(
      (a, b) => (a === null || num(b.accuracy) > num(a.accuracy) ? b : a),
      null,
    );
    if (pick) {
      comp = {
        model: String(pick.size),
        method: String(pick.method),
        setting: pick.method === "prune" ? `sparsity ${pick.sparsity}` : `${pick.bits} bits`,
        accuracy: num(pick.accuracy),
        sizeMiB: num(pick.sizeBits) / 8 / 2 ** 20,
      };
    }
  }
  const fitText = rows.map((r) =>
    `${r.size}: L(t) = ${r.lInf.toFixed(3)} + ${r.a.toFixed(3)}·t^(−${r.alpha.toFixed(3)}), R² ${
      r.r2.toFixed(3)
    }, ` +
    `predicted ${r.predictedLoss.toFixed(3)} at ${T} s${r.extrapolated ? " (extrapolated)" : ""}`
  ).join("; ");
  const anyAcc = compression && budgetBits !== null
    ? [...new Set((compression.records.toRecords() as Record<string, unknown>[]).map((p) => String(p.size)))]
      .map((size) => ({
        size,
        acc: accuracyAtBits(
          (compression.records.toRecords() as Record<string, unknown>[]).filter((p) => p.size === size).map((
            p,
          ) => ({ sizeBits: num(p.sizeBits), accuracy: num(p.accuracy) })),
          budgetBits,
        ),
      }))
    : [];
  const text = [
    `For ${T} s of training on this machine, train ${best.size} (predicted validation loss ${
      best.predictedLoss.toFixed(3)
    }` +
    `${
      best.extrapolated ? `, extrapolated beyond the longest measured run of ${best.tMax.toFixed(0)} s` : ""
    }) with batch size ${batchSize}` +
    `${
      options.criticalBatch !== undefined
        ? " (the measured critical batch)"
        : " (the studies' batch; run batchSizeStudy for the critical batch)"
    }.`,
    comp
      ? `Under ${options.inferenceMiB} MiB, compress it by ${
        comp.method === "prune" ? "pruning to" : "quantizing to"
      } ${comp.setting}: ` +
        `test accuracy ${(comp.accuracy * 100).toFixed(1)}% at ${comp.sizeMiB.toFixed(3)} MiB.`
      : budgetBits !== null
      ? `No measured compression of ${best.size} fits ${options.inferenceMiB} MiB; ` +
        `best available per size: ${
          anyAcc.map((a) => `${a.size} ${a.acc === null ? "none" : (a.acc * 100).toFixed(1) + "%"}`).join(
            ", ",
          )
        }.`
      : "",
    `Fits: ${fitText}.`,
    "Caveat: each measured run decays its learning rate at its own budget, so within-run curves only approximate runs of other budgets.",
  ].filter(Boolean).join(" ");
  return {
    text,
    size: best.size,
    predictedLoss: best.predictedLoss,
    extrapolated: best.extrapolated,
    batchSize,
    compression: comp,
    fits: rowsToFrame(rows as unknown as Record<string, string | number | boolean | null>[]),
    figures: [lossFigure(fits, T), ...(compression ? [accuracyFigure(compression.records, budgetBits)] : [])],
  };
}
