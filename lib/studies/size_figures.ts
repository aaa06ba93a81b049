/**
 * Figures of the size studies, as in the paper's Figures 2–4: a metric (validation perplexity, BLEU) against
 * training seconds and against optimizer steps, a line per model size; and the final metric against
 * parameters in a depth panel and a width panel. Built from a study's `records` (one row per evaluation
 * point) — pure functions of the table, so a user can redraw them from a DataFrame they filtered.
 *
 * @module
 */
import type { DataFrame } from "../display/data_frame.ts";
import type { Figure, Trace } from "../display/figure.ts";
import { figureLayout } from "../display/figure.ts";

/** A record as the figures read it. */
export type Row = Record<string, unknown>;

const num = (v: unknown) => (typeof v === "bigint" ? Number(v) : v as number);

/** A size's label, e.g. `4×256` (layers × width). */
export function sizeLabel(layers: number, width: number): string {
  return `${layers}×${width}`;
}

/** What the figures plot and how a record's model size is read. */
export interface SizeMetric {
  /** Record column plotted, e.g. `"valPerplexity"` or `"bleu"`. */
  metric: string;
  /** Its axis title. */
  title: string;
  /** Logarithmic metric axis (perplexity: yes; BLEU: no). */
  logY: boolean;
  /** Depth of a record's model (e.g. its `model.layers` column). */
  depth: (row: Row) => number;
  /** Width of a record's model. */
  width: (row: Row) => number;
}

/** Pretraining: validation perplexity (log), sizes from `model.layers` × `model.width`. */
export const PERPLEXITY: SizeMetric = {
  metric: "valPerplexity",
  title: "validation perplexity (log)",
  logY: true,
  depth: (r) => num(r["model.layers"]),
  width: (r) => num(r["model.width"]),
};

/** Translation: BLEU, depth = encoder layers (+ decoder layers shown in the label). */
export const BLEU: SizeMetric = {
  metric: "bleu",
  title: "BLEU (sacreBLEU, 13a)",
  logY: false,
  depth: (r) => num(r["model.encoderLayers"]),
  width: (r) => num(r["model.width"]),
};

function evalRows(records: DataFrame, m: SizeMetric): Row[] {
  if (records.height === 0 || !records.columns.includes(m.metric)) return [];
  return records.toRecords().filter((r) => r[m.metric] !== null && r[m.metric] !== undefined) as Row[];
}

function bySize(rows: Row[], m: SizeMetric): Map<string, Row[]> {
  const out = new Map<string, { key: number; rows: Row[] }>();
  for (const r of rows) {
    const d = m.depth(r), w = m.width(r);
    const key = `${sizeLabel(d, w)}|${r.seed ?? 0}`;
    if (!out.has(key)) out.set(key, { key: d * d * w * w + d, rows: [] }); // roughly by parameter count
    out.get(key)!.rows.push(r);
  }
  return new Map([...out].sort(([, a], [, b]) => a.key - b.key).map(([k, v]) => [k, v.rows]));
}

const axes = (title: string, x: string, y: string, logX: boolean, logY: boolean) =>
  figureLayout({
    title,
    x: { title: x, type: logX ? "log" : "linear" },
    y: { title: y, type: logY ? "log" : "linear" },
  });

/**
 * A metric against training seconds or optimizer steps, a line per size (and seed when there are several).
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import pl from "nodejs-polars";
 * import { metricCurves, PERPLEXITY } from "./size_figures.ts";
 * const records = pl.DataFrame({ "model.layers": [2, 2, 4, 4], "model.width": [64, 64, 64, 64],
 *   seed: [0, 0, 0, 0], seconds: [5, 10, 5, 10], step: [50, 100, 20, 40], valPerplexity: [300, 200, 400, 250] });
 * const fig = metricCurves(records, PERPLEXITY, "seconds");
 * assert(fig.data.length === 2 && (fig.data[0].y as number[])[1] === 200);
 * ```
 */
export function metricCurves(records: DataFrame, m: SizeMetric, x: "seconds" | "step"): Figure {
  const data: Trace[] = [];
  const rows0 = evalRows(records, m);
  const manySeeds = new Set(rows0.map((r) => r.seed)).size > 1;
  for (const [key, rows] of bySize(rows0, m)) {
    const [size, seed] = key.split("|");
    data.push({
      type: "scatter",
      mode: "lines+markers",
      name: manySeeds ? `${size} (seed ${seed})` : size,
      legendgroup: size,
      x: rows.map((r) => num(r[x])),
      y: rows.map((r) => num(r[m.metric])),
    });
  }
  const name = m.title.replace(/ \(log\)$/, "");
  return {
    data,
    layout: x === "seconds"
      ? axes(
        `${name[0].toUpperCase()}${name.slice(1)} against wall-clock`,
        "training seconds (evaluation excluded)",
        m.title,
        false,
        m.logY,
      )
      : axes(
        `${name[0].toUpperCase()}${name.slice(1)} against optimizer steps`,
        "optimizer steps (log)",
        m.title,
        true,
        m.logY,
      ),
  };
}

/** The final value of the metric for each run (its last evaluation), with its size and parameter count. */
export function finalPoints(
  records: DataFrame,
  runs: DataFrame,
  m: SizeMetric,
): { depth: number; width: number; params: number; value: number; seed: number }[] {
  const params = new Map<string, number>();
  if (runs.height > 0 && runs.columns.includes("params")) {
    for (const r of runs.toRecords() as Row[]) params.set(String(r.run), num(r.params));
  }
  const last = new Map<string, Row>();
  for (const r of evalRows(records, m)) last.set(String(r.run), r);
  return [...last].map(([run, r]) => ({
    depth: m.depth(r),
    width: m.width(r),
    params: params.get(run) ?? NaN,
    value: num(r[m.metric]),
    seed: num(r.seed ?? 0),
  }));
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

function mode(xs: number[]): number | undefined {
  const counts = new Map<number, number>();
  for (const x of xs) counts.set(x, (counts.get(x) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]?.[0];
}

/**
 * The final metric against parameters in two panels: the depth panel varies depth at the most common width,
 * the width panel varies width at the most common depth (seeds averaged, their range as error bars).
 */
export function finalVsParams(records: DataFrame, runs: DataFrame, m: SizeMetric): Figure {
  const points = finalPoints(records, runs, m);
  const width0 = mode(points.map((p) => p.width)), depth0 = mode(points.map((p) => p.depth));
  const panel = (filter: (p: typeof points[number]) => boolean, vary: "depth" | "width", axis: "" | "2") => {
    const groups = new Map<number, typeof points>();
    for (const p of points.filter(filter)) {
      if (!groups.has(p[vary])) groups.set(p[vary], []);
      groups.get(p[vary])!.push(p);
    }
    const sorted = [...groups].sort((a, b) => a[0] - b[0]);
    const ys = sorted.map(([, g]) => mean(g.map((p) => p.value)));
    return {
      type: "scatter",
      mode: "lines+markers+text",
      name: vary === "depth" ? `deeper (width ${width0})` : `wider (${depth0} layers)`,
      x: sorted.map(([, g]) => g[0].params),
      y: ys,
      text: sorted.map(([v]) => (vary === "depth" ? `${v} layer${v === 1 ? "" : "s"}` : `width ${v}`)),
      cliponaxis: false,
      textposition: "top center",
      error_y: {
        type: "data",
        symmetric: false,
        array: sorted.map(([, g], i) => Math.max(...g.map((p) => p.value)) - ys[i]),
        arrayminus: sorted.map(([, g], i) => ys[i] - Math.min(...g.map((p) => p.value))),
      },
      xaxis: `x${axis}`,
      yaxis: `y${axis}`,
    } as Trace;
  };
  const name = m.title.replace(/ \(log\)$/, "");
  return {
    data: [panel((p) => p.width === width0, "depth", ""), panel((p) => p.depth === depth0, "width", "2")],
    layout: {
      ...figureLayout({ title: `Final ${name} against parameters (same wall-clock budget)` }),
      xaxis: { domain: [0, 0.46], type: "log", title: { text: "parameters — deeper" } },
      yaxis: { type: m.logY ? "log" : "linear", title: { text: `final ${m.title}` } },
      xaxis2: { domain: [0.54, 1], type: "log", title: { text: "parameters — wider" } },
      yaxis2: { type: m.logY ? "log" : "linear", anchor: "x2", matches: "y" },
      showlegend: false,
    },
  };
}

/** A size sweep's three figures: `m` against seconds, against steps, and its final value against parameters. */
export function sizeSweepFigures(records: DataFrame, runs: DataFrame, m: SizeMetric): Figure[] {
  return [
    metricCurves(records, m, "seconds"),
    metricCurves(records, m, "step"),
    finalVsParams(records, runs, m),
  ];
}
