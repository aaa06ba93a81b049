/**
 * Plotly figure specs built from polars DataFrames: small pure factories `(df, options) => Figure`, in the
 * spirit of Observable Plot. A `Figure` is plain JSON (Plotly's `{data, layout}`), so it can be snapshot,
 * saved, or handed to any Plotly renderer; `show()` and `writeFigureHtml()` turn it into output.
 *
 * Defaults (size, margins, template) live in {@linkcode FIGURE_DEFAULTS}, the only place that sets them.
 *
 * @module
 */
import { checkKeys } from "../util/options.ts";
import type { DataFrame } from "./data_frame.ts";

/** One Plotly trace (`{type, x, y, name, …}`), JSON-safe. */
export type Trace = Record<string, unknown>;

/** A Plotly figure: traces plus layout, JSON-safe. */
export interface Figure {
  /** The traces, drawn in order. */
  data: Trace[];
  /** Plotly layout (title, axes, size, …). */
  layout: Record<string, unknown>;
}

/** Options shared by every figure factory. */
export interface FigureOptions {
  /** Column on the x axis. */
  x: string;
  /** Column(s) on the y axis: one trace per column (per group when `color` is set). */
  y: string | string[];
  /** Column whose distinct values split the rows into one trace each (e.g. model size). */
  color?: string;
  /** Figure title. */
  title?: string;
  /** Axis titles; default to the column names. */
  xTitle?: string;
  /** Title of the y axis; defaults to the y column name(s). */
  yTitle?: string;
  /** Logarithmic axes (loss vs. wall-clock plots usually want `logX`). */
  logX?: boolean;
  /** Logarithmic y axis. */
  logY?: boolean;
  /** Pixel size; the PNG and the standalone HTML use it too. */
  width?: number;
  /** Height in pixels (default 440). */
  height?: number;
}

/** Layout every factory starts from. Frozen: spread it to change a field. */
export const FIGURE_DEFAULTS: Readonly<{ width: number; height: number; margin: Record<string, number> }> =
  Object.freeze({
    // 720x440 fits a notebook column at 100 % zoom without horizontal scrolling.
    width: 720,
    height: 440,
    // Room for axis titles, a legend on the right stays inside the width.
    margin: Object.freeze({ l: 64, r: 24, t: 48, b: 56 }),
  });

function column(df: DataFrame, name: string, role: string): unknown[] {
  if (!df.columns.includes(name)) {
    throw new Error(
      `figure: ${role} column "${name}" is not in the DataFrame; its columns are ${
        df.columns.map((c) => `"${c}"`).join(", ")
      }`,
    );
  }
  // Int64 columns may come back as bigint, which JSON cannot hold.
  return df.getColumn(name).toArray().map((v) => (typeof v === "bigint" ? Number(v) : v));
}

function groups(df: DataFrame, color: string | undefined): { name: string | undefined; rows: number[] }[] {
  if (color === undefined) return [{ name: undefined, rows: [...Array(df.height).keys()] }];
  const byKey = new Map<string, number[]>();
  column(df, color, "color").forEach((v, i) => {
    const key = String(v);
    if (!byKey.has(key)) byKey.set(key, []);
    byKey.get(key)!.push(i);
  });
  return [...byKey].map(([name, rows]) => ({ name: `${color}=${name}`, rows }));
}

function traces(df: DataFrame, options: FigureOptions, base: Trace): Trace[] {
  const ys = Array.isArray(options.y) ? options.y : [options.y];
  if (ys.length === 0) throw new Error("figure: options.y names no column; give at least one");
  const x = column(df, options.x, "x");
  const out: Trace[] = [];
  for (const yName of ys) {
    const y = column(df, yName, "y");
    for (const group of groups(df, options.color)) {
      // Rows with a missing y (e.g. validation loss, logged only at eval steps) are dropped, not drawn
      // as gaps, so a sparse series still reads as one line.
      const rows = group.rows.filter((i) => y[i] !== null && y[i] !== undefined);
      const name = [ys.length > 1 || group.name === undefined ? yName : undefined, group.name]
        .filter((s) => s !== undefined).join(" ");
      out.push({ ...base, name, x: rows.map((i) => x[i]), y: rows.map((i) => y[i]) });
    }
  }
  return out;
}

/** One axis of {@linkcode figureLayout}: its title, and its type unless Plotly should pick it from the data. */
export interface AxisSpec {
  /** The axis title. */
  title: string;
  /** `"log"` or `"linear"`; left out, Plotly infers it. */
  type?: "linear" | "log";
}

/** What {@linkcode figureLayout} sets; an axis or title left out is left out of the layout. */
export interface LayoutSpec {
  /** Figure title. */
  title?: string;
  /** The x axis. */
  x?: AxisSpec;
  /** The y axis. */
  y?: AxisSpec;
  /** Width in pixels (default {@linkcode FIGURE_DEFAULTS}'s). */
  width?: number;
  /** Height in pixels (default {@linkcode FIGURE_DEFAULTS}'s). */
  height?: number;
}

const axis = ({ title, type }: AxisSpec) =>
  type === undefined ? { title: { text: title } } : { title: { text: title }, type };

/**
 * A Plotly layout on {@linkcode FIGURE_DEFAULTS} (size, margins) with a title and axes: what every figure of
 * the library starts from (spread it to add fields, e.g. `shapes` or a second axis).
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { figureLayout } from "./figure.ts";
 * const layout = figureLayout({ title: "loss", x: { title: "seconds", type: "log" }, y: { title: "loss" } });
 * assertEquals(layout.xaxis, { title: { text: "seconds" }, type: "log" });
 * assertEquals([layout.width, layout.yaxis], [720, { title: { text: "loss" } }]);
 * ```
 */
export function figureLayout(spec: LayoutSpec): Record<string, unknown> {
  return {
    width: spec.width ?? FIGURE_DEFAULTS.width,
    height: spec.height ?? FIGURE_DEFAULTS.height,
    margin: { ...FIGURE_DEFAULTS.margin },
    ...(spec.title === undefined ? {} : { title: { text: spec.title } }),
    ...(spec.x === undefined ? {} : { xaxis: axis(spec.x) }),
    ...(spec.y === undefined ? {} : { yaxis: axis(spec.y) }),
  };
}

function layout(options: FigureOptions, yDefault: string): Record<string, unknown> {
  return figureLayout({
    title: options.title,
    x: { title: options.xTitle ?? options.x, type: options.logX ? "log" : "linear" },
    y: { title: options.yTitle ?? yDefault, type: options.logY ? "log" : "linear" },
    width: options.width,
    height: options.height,
  });
}

const yLabel = (options: FigureOptions) => Array.isArray(options.y) ? options.y.join(", ") : options.y;

/** The fields of {@linkcode FigureOptions}: every factory accepts exactly these. */
const FIGURE_OPTION_KEYS: readonly (keyof FigureOptions)[] = [
  "x",
  "y",
  "color",
  "title",
  "xTitle",
  "yTitle",
  "logX",
  "logY",
  "width",
  "height",
];

/** What every factory does: check the options (errors name `where`), then traces of `trace`'s type. */
function figure(where: string, df: DataFrame, options: FigureOptions, trace: Trace): Figure {
  checkKeys(where, options, FIGURE_OPTION_KEYS);
  return { data: traces(df, options, trace), layout: layout(options, yLabel(options)) };
}

/**
 * A line chart: one line per `y` column (and per `color` group), x in row order.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import pl from "nodejs-polars";
 * import { lineFigure } from "./figure.ts";
 * const df = pl.DataFrame({ step: [1, 2, 3], trainLoss: [5, 4, 3.5], valLoss: [null, 4.2, null] });
 * const fig = lineFigure(df, { x: "step", y: ["trainLoss", "valLoss"] });
 * assert(fig.data.length === 2 && (fig.data[1].y as number[])[0] === 4.2);
 * ```
 */
export function lineFigure(df: DataFrame, options: FigureOptions): Figure {
  return figure("lineFigure", df, options, { type: "scatter", mode: "lines" });
}

/**
 * A scatter chart: markers only, one trace per `y` column (and per `color` group).
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import pl from "nodejs-polars";
 * import { scatterFigure } from "./figure.ts";
 * const df = pl.DataFrame({ params: [1e6, 4e6], valLoss: [4.1, 3.7], size: ["small", "large"] });
 * const fig = scatterFigure(df, { x: "params", y: "valLoss", color: "size", logX: true });
 * assert(fig.data.length === 2 && fig.data[0].name === "size=small");
 * ```
 */
export function scatterFigure(df: DataFrame, options: FigureOptions): Figure {
  return figure("scatterFigure", df, options, { type: "scatter", mode: "markers" });
}

/**
 * A grouped bar chart: one bar series per `y` column (and per `color` group).
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import pl from "nodejs-polars";
 * import { barFigure } from "./figure.ts";
 * const df = pl.DataFrame({ sparsity: ["0%", "50%"], bleu: [27.1, 26.4] });
 * const fig = barFigure(df, { x: "sparsity", y: "bleu" });
 * assert(fig.data[0].type === "bar" && fig.layout.barmode === "group");
 * ```
 */
export function barFigure(df: DataFrame, options: FigureOptions): Figure {
  const fig = figure("barFigure", df, options, { type: "bar" });
  return { ...fig, layout: { ...fig.layout, barmode: "group" } };
}
