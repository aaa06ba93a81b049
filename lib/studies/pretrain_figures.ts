/**
 * The pretraining size study's figures, as in the paper's Figure 2/3: validation perplexity against
 * training seconds and against optimizer steps (a line per model size, log y), and final perplexity against
 * parameters in a depth panel and a width panel. Built from a study's `records` (one row per evaluation
 * point, with `model.layers`, `model.width`, `seed`) — pure functions of the table, so a user can redraw
 * them from a DataFrame they filtered.
 *
 * @module
 */
import type { DataFrame } from "../display/data_frame.ts";
import type { Figure, Trace } from "../display/figure.ts";
import { FIGURE_DEFAULTS } from "../display/figure.ts";

type Row = Record<string, unknown>;

const num = (v: unknown) => (typeof v === "bigint" ? Number(v) : v as number);

/** A size's label, e.g. `4×256` (layers × width). */
export function sizeLabel(layers: number, width: number): string {
  return `${layers}×${width}`;
}

function evalRows(records: DataFrame): Row[] {
  if (records.height === 0 || !records.columns.includes("valPerplexity")) return [];
  return records.toRecords().filter((r) =>
    r.valPerplexity !== null && r.valPerplexity !== undefined
  ) as Row[];
}

function bySize(rows: Row[]): Map<string, Row[]> {
  const out = new Map<string, Row[]>();
  for (const r of rows) {
    const key = `${sizeLabel(num(r["model.layers"]), num(r["model.width"]))}${
      r.seed !== undefined ? `|${r.seed}` : ""
    }`;
    if (!out.has(key)) out.set(key, []);
    out.get(key)!.push(r);
  }
  return new Map([...out].sort(([a], [b]) => sortKey(a) - sortKey(b)));
}

function sortKey(label: string): number {
  const [l, w] = label.split("|")[0].split("×").map(Number);
  return l * l * w * w + l; // roughly by parameter count
}

function base(title: string, x: string, y: string, logX = false): Record<string, unknown> {
  return {
    width: FIGURE_DEFAULTS.width,
    height: FIGURE_DEFAULTS.height,
    margin: { ...FIGURE_DEFAULTS.margin },
    title: { text: title },
    xaxis: { title: { text: x }, type: logX ? "log" : "linear" },
    yaxis: { title: { text: y }, type: "log" },
  };
}

function curves(records: DataFrame, x: "seconds" | "step", title: string, xTitle: string): Figure {
  const data: Trace[] = [];
  const rows0 = evalRows(records);
  const manySeeds = new Set(rows0.map((r) => r.seed)).size > 1;
  for (const [key, rows] of bySize(rows0)) {
    const [size, seed] = key.split("|");
    data.push({
      type: "scatter",
      mode: "lines+markers",
      name: manySeeds ? `${size} (seed ${seed})` : size,
      legendgroup: size,
      x: rows.map((r) => num(r[x])),
      y: rows.map((r) => num(r.valPerplexity)),
    });
  }
  return { data, layout: base(title, xTitle, "validation perplexity (log)", x === "step") };
}

/**
 * Validation perplexity against training seconds, a line per size (and seed).
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import pl from "nodejs-polars";
 * import { perplexityVsSeconds } from "./pretrain_figures.ts";
 * const records = pl.DataFrame({ "model.layers": [2, 2, 4, 4], "model.width": [64, 64, 64, 64],
 *   seed: [0, 0, 0, 0], seconds: [5, 10, 5, 10], step: [50, 100, 20, 40], valPerplexity: [300, 200, 400, 250] });
 * const fig = perplexityVsSeconds(records);
 * assert(fig.data.length === 2 && (fig.data[0].y as number[])[1] === 200);
 * ```
 */
export function perplexityVsSeconds(records: DataFrame): Figure {
  return curves(
    records,
    "seconds",
    "Validation perplexity against wall-clock",
    "training seconds (evaluation excluded)",
  );
}

/** Validation perplexity against optimizer steps (log x): larger models need fewer steps. */
export function perplexityVsSteps(records: DataFrame): Figure {
  return curves(records, "step", "Validation perplexity against optimizer steps", "optimizer steps (log)");
}

/** Final perplexity of each run (its last evaluation), with the run's size and parameter count. */
export function finalPoints(
  records: DataFrame,
  runs: DataFrame,
): { layers: number; width: number; params: number; perplexity: number; seed: number }[] {
  const params = new Map<string, number>();
  if (runs.height > 0 && runs.columns.includes("params")) {
    for (const r of runs.toRecords() as Row[]) params.set(String(r.run), num(r.params));
  }
  const last = new Map<string, Row>();
  for (const r of evalRows(records)) last.set(String(r.run), r);
  return [...last].map(([run, r]) => ({
    layers: num(r["model.layers"]),
    width: num(r["model.width"]),
    params: params.get(run) ?? NaN,
    perplexity: num(r.valPerplexity),
    seed: num(r.seed ?? 0),
  }));
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/**
 * Final perplexity against parameters in two panels: the depth panel varies layers at the most common width,
 * the width panel varies width at the most common depth (seeds averaged, their range as error bars).
 */
export function finalPerplexityVsParams(records: DataFrame, runs: DataFrame): Figure {
  const points = finalPoints(records, runs);
  const mode = (xs: number[]) => {
    const counts = new Map<number, number>();
    for (const x of xs) counts.set(x, (counts.get(x) ?? 0) + 1);
    return [...counts].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]?.[0];
  };
  const width0 = mode(points.map((p) => p.width)), layers0 = mode(points.map((p) => p.layers));
  const panel = (filter: (p: typeof points[number]) => boolean, vary: "layers" | "width", axis: "" | "2") => {
    const groups = new Map<number, typeof points>();
    for (const p of points.filter(filter)) {
      if (!groups.has(p[vary])) groups.set(p[vary], []);
      groups.get(p[vary])!.push(p);
    }
    const sorted = [...groups].sort((a, b) => a[0] - b[0]);
    const ys = sorted.map(([, g]) => mean(g.map((p) => p.perplexity)));
    return {
      type: "scatter",
      mode: "lines+markers+text",
      name: vary === "layers" ? `depth (width ${width0})` : `width (${layers0} layers)`,
      x: sorted.map(([, g]) => g[0].params),
      y: ys,
      text: sorted.map(([v]) => (vary === "layers" ? `${v} layers` : `width ${v}`)),
      textposition: "top center",
      error_y: {
        type: "data",
        symmetric: false,
        array: sorted.map(([, g], i) => Math.max(...g.map((p) => p.perplexity)) - ys[i]),
        arrayminus: sorted.map(([, g], i) => ys[i] - Math.min(...g.map((p) => p.perplexity))),
      },
      xaxis: `x${axis}`,
      yaxis: `y${axis}`,
    } as Trace;
  };
  return {
    data: [
      panel((p) => p.width === width0, "layers", ""),
      panel((p) => p.layers === layers0, "width", "2"),
    ],
    layout: {
      width: FIGURE_DEFAULTS.width,
      height: FIGURE_DEFAULTS.height,
      margin: { ...FIGURE_DEFAULTS.margin },
      title: { text: "Final validation perplexity against parameters (same wall-clock budget)" },
      xaxis: { domain: [0, 0.46], type: "log", title: { text: "parameters — deeper" } },
      yaxis: { type: "log", title: { text: "final validation perplexity (log)" } },
      xaxis2: { domain: [0.54, 1], type: "log", title: { text: "parameters — wider" } },
      yaxis2: { type: "log", anchor: "x2", matches: "y" },
      showlegend: false,
    },
  };
}
