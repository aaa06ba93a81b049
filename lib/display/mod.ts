/**
 * Display: figures, tables and live progress in Jupyter notebooks (the Deno kernel), terminals and files.
 * The only layer that knows about Jupyter and Plotly.
 *
 * @example
 * ```ts
 * import pl from "nodejs-polars";
 * import { assert } from "@std/assert";
 * import { lineFigure, show } from "./mod.ts";
 * const log = pl.DataFrame({ seconds: [1, 2, 3], trainLoss: [6.1, 5.2, 4.8] });
 * const outDir = await Deno.makeTempDir();
 * const result = await show(lineFigure(log, { x: "seconds", y: "trainLoss" }), { outDir, png: false });
 * assert(result?.where === "file"); // outside the kernel: an HTML file
 * await Deno.remove(outDir, { recursive: true });
 * ```
 * @module
 */
export { barFigure, FIGURE_DEFAULTS, lineFigure, scatterFigure } from "./figure.ts";
export type { Figure, FigureOptions, Trace } from "./figure.ts";
export type { DataFrame } from "./data_frame.ts";
export { figureHtml, figurePage, PLOTLY_CONFIG, writeFigureHtml } from "./figure_html.ts";
export type { FigureHtmlOptions, PlotlySource } from "./figure_html.ts";
export { canRenderPng, renderFigurePng, writeFigurePng } from "./figure_png.ts";
export type { PngOptions } from "./figure_png.ts";
export { dtypeName, TABLE_DEFAULTS, tableBundle, tableHtml } from "./table.ts";
export type { TableOptions } from "./table.ts";
export { figureBundle, show } from "./show.ts";
export type { Showable, ShowOptions, ShowResult } from "./show.ts";
export { formatProgress, PROGRESS_DEFAULTS, progressBar, progressHtml, progressState } from "./progress.ts";
export type {
  ProgressBar,
  ProgressLabelOptions,
  ProgressMode,
  ProgressOptions,
  ProgressRecord,
  ProgressState,
} from "./progress.ts";
export { inKernel, publish } from "./kernel.ts";
export { showWarnings, warningBundle } from "./warnings.ts";
export type { ShowWarningsOptions } from "./warnings.ts";
export type { MimeBundle, PublishOptions } from "./kernel.ts";
export { findChromium, runChromium } from "./chromium.ts";
export type { ChromiumOptions } from "./chromium.ts";
export { plotlyJs } from "./plotly_js.ts";
export type { PlotlyJs } from "./plotly_js.ts";
export { studyProgress } from "./study_progress.ts";
export type { StudyProgress, StudyProgressOptions } from "./study_progress.ts";

// Types from lower layers that the signatures above mention (public here too, so the docs are whole).
export type { Warning } from "../util/warnings.ts";
