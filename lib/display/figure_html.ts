/**
 * A Figure as HTML that draws itself offline: plotly.js is inlined from the pinned npm package.
 *
 * The fragment works with and without requirejs (the classic notebook defines `define`/`require`): the
 * bundle runs inside a function whose `define`, `module` and `exports` parameters are undefined, so it takes
 * the plain-browser path and sets `window.Plotly`, and it runs only once per page.
 *
 * @module
 */
import { writeFileAtomic } from "../util/atomic_file.ts";
import type { Figure } from "./figure.ts";
import { plotlyJs } from "./plotly_js.ts";

/** Plotly's `config` for every figure: no logo, no link to the plotly cloud. */
export const PLOTLY_CONFIG: Readonly<Record<string, unknown>> = Object.freeze({
  displaylogo: false,
  responsive: true,
});

/** Where `figureHtml`/`figurePage` take plotly.js from. */
export type PlotlySource =
  /** Inline the whole bundle (≈4.8 MB): works offline, in any front end, and in saved notebooks. */
  | "inline"
  /** `<script src>` pointing at the bundle's `file:` URL: only for pages opened from this machine. */
  | "file";

/** Options for {@linkcode figureHtml} and {@linkcode figurePage}. */
export interface FigureHtmlOptions {
  /** The `id` of the plot's `<div>`; defaults to one derived from the figure's JSON. */
  divId?: string;
  /** How plotly.js is loaded; default `"inline"`. */
  plotly?: PlotlySource;
}

/** JSON that is safe inside a `<script>` element (no `</script>`, no `<!--`). */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(
    /\u2029/g,
    "\\u2029",
  );
}

let plotCounter = 0;

function defaultId(figure: Figure): string {
  // FNV-1a over the JSON keeps ids stable for the same figure; the counter separates repeats on one page.
  let hash = 0x811c9dc5;
  for (const ch of JSON.stringify(figure)) hash = Math.imul(hash ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return `trainlarge-plot-${hash.toString(16)}-${plotCounter++}`;
}

async function loader(source: PlotlySource): Promise<string> {
  const js = await plotlyJs();
  if (source === "file") return `<script type="text/javascript" src="${js.url}"></script>`;
  return `<script type="text/javascript">if (!window.Plotly) { (function (define, module, exports) {\n` +
    js.source.replace(/<\/script/gi, "<\\/script") +
    `\n}).call(window); }</script>`;
}

/**
 * An HTML fragment (for a notebook's `text/html` output) that loads plotly.js and draws `figure`.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { figureHtml } from "./figure_html.ts";
 * const html = await figureHtml({ data: [{ type: "scatter", y: [1, 3, 2] }], layout: {} }, { divId: "p" });
 * assert(html.includes('<div id="p"') && html.includes("Plotly.newPlot"));
 * ```
 */
export async function figureHtml(figure: Figure, options: FigureHtmlOptions = {}): Promise<string> {
  const id = options.divId ?? defaultId(figure);
  const width = typeof figure.layout.width === "number" ? `width:${figure.layout.width}px;` : "";
  const height = typeof figure.layout.height === "number" ? `height:${figure.layout.height}px;` : "";
  return `<div id="${id}" class="trainlarge-plot" style="${width}${height}"></div>\n` +
    (await loader(options.plotly ?? "inline")) + "\n" +
    `<script type="text/javascript">(function () {\n` +
    `  var fig = ${scriptJson(figure)};\n` +
    `  window.Plotly.newPlot(document.getElementById(${scriptJson(id)}), fig.data, fig.layout, ` +
    `${scriptJson(PLOTLY_CONFIG)});\n` +
    `})();</script>`;
}

/**
 * A standalone HTML document showing `figure` (what `writeFigureHtml` and the PNG renderer open).
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { figurePage } from "./figure_html.ts";
 * const page = await figurePage({ data: [], layout: { title: { text: "empty" } } }, { plotly: "file" });
 * assert(page.startsWith("<!DOCTYPE html>") && page.includes("<title>empty</title>"));
 * ```
 */
export async function figurePage(figure: Figure, options: FigureHtmlOptions = {}): Promise<string> {
  const title = (figure.layout.title as { text?: string } | undefined)?.text ?? "trainlarge figure";
  const escaped = title.replace(/&/g, "&amp;").replace(/</g, "&lt;");
  return `<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n<title>${escaped}</title>\n</head>\n` +
    `<body>\n${await figureHtml(figure, options)}\n</body>\n</html>\n`;
}

/**
 * Writes `figure` to `path` as a standalone HTML file that works offline (plotly.js inlined).
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { writeFigureHtml } from "./figure_html.ts";
 * const path = await Deno.makeTempFile({ suffix: ".html" });
 * await writeFigureHtml({ data: [{ type: "bar", x: ["a"], y: [1] }], layout: {} }, path);
 * assert((await Deno.readTextFile(path)).includes("window.Plotly"));
 * await Deno.remove(path);
 * ```
 */
export async function writeFigureHtml(figure: Figure, path: string): Promise<void> {
  await writeFileAtomic(path, await figurePage(figure, { plotly: "inline" }));
}
