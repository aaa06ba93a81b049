/**
 * `show()`: put a Figure or a DataFrame in front of the user, wherever the code runs.
 *
 * In the Deno Jupyter kernel it emits one `display_data` MIME bundle that every common front end can render:
 * - figures: `application/vnd.plotly.v1+json` (JupyterLab/VS Code Plotly renderers), `text/html` with
 *   plotly.js inlined (classic notebook with requirejs, Lab, VS Code, nbconvert HTML), `image/png` from
 *   headless Chromium when installed (GitHub, nbviewer, PDF, untrusted notebooks), and `text/plain`;
 * - DataFrames: an HTML table with shape and dtypes, and polars' text table.
 *
 * Outside the kernel (`deno run`, `deno test`) it writes a standalone HTML file and says where on stderr.
 *
 * @module
 */
import { checkKeys } from "../util/options.ts";
import { writeFileAtomic } from "../util/atomic_file.ts";
import type { DataFrame } from "./data_frame.ts";
import type { Figure } from "./figure.ts";
import { figureHtml, figurePage } from "./figure_html.ts";
import { canRenderPng, renderFigurePng } from "./figure_png.ts";
import { inKernel, type MimeBundle, publish } from "./kernel.ts";
import { tableBundle, type TableOptions } from "./table.ts";
import { encodeBase64 } from "@std/encoding/base64";

/** What {@linkcode show} accepts. */
export type Showable = Figure | DataFrame;

/** Options for {@linkcode show} and {@linkcode figureBundle}. */
export interface ShowOptions {
  /** Include a static PNG (needs Chromium; omitted when it is missing). Default true. */
  png?: boolean;
  /** Names the output so a later `show(…, {displayId, update: true})` replaces it in place. */
  displayId?: string;
  /** Replace the output named `displayId` instead of adding one (kernel only). */
  update?: boolean;
  /** Outside the kernel: the folder the HTML file goes to. Default `$TRAINLARGE_SHOW_DIR`, else a temp dir. */
  outDir?: string;
  /** Table options for DataFrames. */
  table?: TableOptions;
}

/** Where {@linkcode show} put its output outside the kernel. */
export type ShowResult =
  | { where: "file"; path: string }
  | { where: "text"; reason: string };

function isFigure(x: unknown): x is Figure {
  const f = x as Figure;
  return typeof f === "object" && f !== null && Array.isArray(f.data) && typeof f.layout === "object";
}

function isDataFrame(x: unknown): x is DataFrame {
  const d = x as DataFrame;
  return typeof d === "object" && d !== null && Array.isArray(d.columns) && typeof d.getColumn === "function";
}

function figureText(figure: Figure): string {
  const title = (figure.layout.title as { text?: string } | undefined)?.text;
  const names = figure.data.map((t) => String(t.name ?? t.type ?? "trace"));
  return `Figure${title ? ` "${title}"` : ""}: ${figure.data.length} trace(s)` +
    (names.length > 0 ? ` (${names.join(", ")})` : "");
}

/**
 * The MIME bundle `show()` emits for a figure, and its per-type metadata.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { figureBundle } from "./show.ts";
 * const { bundle } = await figureBundle({ data: [{ type: "scatter", y: [1, 2] }], layout: {} }, { png: false });
 * assert("application/vnd.plotly.v1+json" in bundle && "text/html" in bundle && !("image/png" in bundle));
 * ```
 */
export async function figureBundle(
  figure: Figure,
  options: Pick<ShowOptions, "png"> = {},
): Promise<{ bundle: MimeBundle; metadata: Record<string, unknown> }> {
  const bundle: MimeBundle = {
    "application/vnd.plotly.v1+json": {
      data: figure.data,
      layout: figure.layout,
      config: { displaylogo: false },
    },
    "text/html": await figureHtml(figure),
    "text/plain": figureText(figure),
  };
  const metadata: Record<string, unknown> = {};
  if ((options.png ?? true) && canRenderPng()) {
    try {
      bundle["image/png"] = encodeBase64(await renderFigurePng(figure));
      const { width, height } = figure.layout;
      if (typeof width === "number" && typeof height === "number") metadata["image/png"] = { width, height };
    } catch (error) {
      // A broken browser must not lose the interactive figure: keep the rest and say why.
      metadata["trainlarge"] = { pngError: String(error) };
    }
  }
  return { bundle, metadata };
}

let fileCounter = 0;
let tempDir: Promise<string> | undefined; // one folder per process, so a script's figures sit together

async function writeOutsideKernel(x: Showable, options: ShowOptions): Promise<ShowResult> {
  let dir = options.outDir;
  try {
    dir ??= Deno.env.get("TRAINLARGE_SHOW_DIR") || undefined;
  } catch { /* no --allow-env: fall through to a temp dir */ }
  if (dir === undefined) {
    tempDir ??= Deno.makeTempDir({ prefix: "trainlarge-show-" });
    tempDir.catch(() => (tempDir = undefined));
    dir = await tempDir;
  }
  try {
    await Deno.mkdir(dir, { recursive: true });
  } catch (e) {
    throw new Error(
      `cannot create the output folder "${dir}": ${(e as Error).message}; pass a writable outDir`,
    );
  }
  const kind = isFigure(x) ? "figure" : "table";
  const path = `${dir.replace(/\/$/, "")}/${kind}-${Date.now()}-${fileCounter++}.html`;
  const html = isFigure(x) ? await figurePage(x) : `<!DOCTYPE html>\n<html><head><meta charset="utf-8">` +
    `<title>table</title></head><body>${tableBundle(x, options.table)["text/html"]}</body></html>\n`;
  await writeFileAtomic(path, html);
  return { where: "file", path };
}

/**
 * Shows a Figure or a DataFrame: as notebook output inside the Deno Jupyter kernel (resolving to
 * `undefined`), as an HTML file elsewhere (its path goes to stderr and into the result). Never throws for a showable value: if no file
 * can be written (e.g. no `--allow-write`), the text rendering goes to stdout instead.
 *
 * @example
 * ```ts
 * import pl from "nodejs-polars";
 * import { assert } from "@std/assert";
 * import { show } from "./show.ts";
 * const outDir = await Deno.makeTempDir();
 * const result = await show(pl.DataFrame({ step: [1, 2], loss: [3, 2] }), { outDir });
 * assert(result?.where === "file" && (await Deno.readTextFile(result.path)).includes("<table"));
 * await Deno.remove(outDir, { recursive: true });
 * ```
 */
export async function show(x: Showable, options: ShowOptions = {}): Promise<ShowResult | undefined> {
  checkKeys("show", options, ["png", "displayId", "update", "outDir", "table"]);
  if (!isFigure(x) && !isDataFrame(x)) {
    throw new Error(
      `show: expected a Figure ({data, layout}) or a polars DataFrame, got ${
        x === null ? "null" : typeof x
      }; build figures with lineFigure/scatterFigure/barFigure`,
    );
  }
  if (inKernel()) {
    const { bundle, metadata } = isFigure(x)
      ? await figureBundle(x, options)
      : { bundle: tableBundle(x, options.table), metadata: {} };
    await publish(bundle, { displayId: options.displayId, update: options.update, metadata });
    // Like IPython's display(), nothing comes back in the kernel: `await show(x)` as a cell's last
    // expression then adds no "Out[n]" output of its own under the figure.
    return undefined;
  }
  try {
    const result = await writeOutsideKernel(x, options);
    if (result.where === "file") console.error(`show: wrote ${result.path} (open it in a browser)`);
    return result;
  } catch (error) {
    // A folder the caller chose must be usable: say which and why, rather than falling back to text.
    if (options.outDir !== undefined) throw new Error(`show: ${(error as Error).message}`, { cause: error });
    console.log(isFigure(x) ? figureText(x) : x.toString());
    return { where: "text", reason: `could not write an HTML file: ${error}` };
  }
}
