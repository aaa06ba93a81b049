/**
 * A Figure as a static PNG, drawn by plotly.js itself (`Plotly.toImage`) inside headless Chromium, so the
 * image matches the interactive plot. Front ends that run no scripts (GitHub's viewer, nbviewer, a PDF
 * export, an untrusted notebook) show this image instead.
 *
 * @module
 */
import { writeFileAtomic } from "../util/atomic_file.ts";
import type { Figure } from "./figure.ts";
import { FIGURE_DEFAULTS } from "./figure.ts";
import { findChromium, runChromium } from "./chromium.ts";
import { scriptJson } from "./figure_html.ts";
import { plotlyJs } from "./plotly_js.ts";
import { decodeBase64 } from "@std/encoding/base64";

/** Options for {@linkcode renderFigurePng}. */
export interface PngOptions {
  /** Pixel ratio: 2 gives a sharp image on high-DPI screens at twice the bytes. Default 1. */
  scale?: number;
}

/** True when a PNG can be rendered here (Chromium is installed). */
export function canRenderPng(): boolean {
  return findChromium() !== undefined;
}

function page(figure: Figure, plotlyUrl: string, scale: number): string {
  const width = typeof figure.layout.width === "number" ? figure.layout.width : FIGURE_DEFAULTS.width;
  const height = typeof figure.layout.height === "number" ? figure.layout.height : FIGURE_DEFAULTS.height;
  // The result lands in <pre id=…> and every <script> is removed so the dumped DOM stays small.
  return `<!DOCTYPE html><html><head><meta charset="utf-8"></head><body><div id="plot"></div>
<script src="${plotlyUrl}"></script>
<script>
function report(id, text) {
  var pre = document.createElement("pre"); pre.id = id; pre.textContent = text; document.body.appendChild(pre);
  document.querySelectorAll("script").forEach(function (s) { s.remove(); });
}
try {
  var fig = ${scriptJson(figure)};
  Plotly.newPlot("plot", fig.data, fig.layout, { staticPlot: true })
    .then(function (gd) {
      return Plotly.toImage(gd, { format: "png", width: ${width}, height: ${height}, scale: ${scale} });
    })
    .then(function (url) { report("png", url); }, function (e) { report("error", String(e)); });
} catch (e) { report("error", String(e)); }
</script></body></html>`;
}

/**
 * Renders `figure` to PNG bytes with headless Chromium. Throws when Chromium is missing (check
 * {@linkcode canRenderPng}) or plotly.js reports an error.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { canRenderPng, renderFigurePng } from "./figure_png.ts";
 * if (canRenderPng()) {
 *   const png = await renderFigurePng({ data: [{ type: "scatter", y: [1, 3, 2] }], layout: {} });
 *   assert(png[1] === 0x50 && png[2] === 0x4e && png[3] === 0x47); // "\x89PNG"
 * }
 * ```
 */
export async function renderFigurePng(figure: Figure, options: PngOptions = {}): Promise<Uint8Array> {
  const js = await plotlyJs();
  const file = await Deno.makeTempFile({ prefix: "trainlarge-figure-", suffix: ".html" });
  try {
    await Deno.writeTextFile(file, page(figure, js.url, options.scale ?? 1));
    const dom = await runChromium(new URL(`file://${file}`).href, { dom: true });
    const error = /<pre id="error">([\s\S]*?)<\/pre>/.exec(dom)?.[1];
    if (error !== undefined) throw new Error(`renderFigurePng: plotly.js failed: ${error}`);
    const base64 = /<pre id="png">data:image\/png;base64,([A-Za-z0-9+/=]+)<\/pre>/.exec(dom)?.[1];
    if (base64 === undefined) {
      throw new Error(
        "renderFigurePng: Chromium finished before plotly.js produced an image (page timed out)",
      );
    }
    return decodeBase64(base64);
  } finally {
    await Deno.remove(file).catch(() => {});
  }
}

/**
 * Writes `figure` to `path` as a PNG (needs Chromium).
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { canRenderPng, writeFigurePng } from "./figure_png.ts";
 * if (canRenderPng()) {
 *   const path = await Deno.makeTempFile({ suffix: ".png" });
 *   await writeFigurePng({ data: [{ type: "bar", x: ["a", "b"], y: [2, 1] }], layout: {} }, path);
 *   assert((await Deno.stat(path)).size > 1000);
 *   await Deno.remove(path);
 * }
 * ```
 */
export async function writeFigurePng(figure: Figure, path: string, options: PngOptions = {}): Promise<void> {
  await writeFileAtomic(path, await renderFigurePng(figure, options));
}
