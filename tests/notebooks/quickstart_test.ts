/**
 * notebooks/00_quickstart.ipynb runs headless on the trainlarge kernel (`jupyter nbconvert --execute`), its
 * outputs hold the Plotly bundle, the PNG and the table, and the notebook rendered to HTML draws the plot in
 * headless Chromium. Artefacts (executed notebook, HTML, screenshot) go to tests/out/notebooks/.
 */
import { assert, assertEquals } from "@std/assert";
import { decodeBase64 } from "@std/encoding/base64";
import { findChromium, runChromium } from "../../lib/display/chromium.ts";
import { commandWorks, requireTool } from "../_support/tools.ts";
import { hasPythonModule, JUPYTER, PROJECT_DIR, run, tempKernel } from "../kernel/_subprocess.ts";

const OUT = `${PROJECT_DIR}/tests/out/notebooks`;

type Output = { output_type: string; data?: Record<string, unknown>; ename?: string; evalue?: string };
type Cell = { cell_type: string; source: string | string[]; outputs?: Output[] };

const text = (x: unknown): string => Array.isArray(x) ? x.join("") : String(x ?? "");

Deno.test("00_quickstart.ipynb executes headless and its HTML export draws the Plotly figure", async () => {
  const tools = await commandWorks(JUPYTER, ["nbconvert", "--version"]) && await hasPythonModule("nbclient");
  if (
    !requireTool(tools, "jupyter nbconvert + nbclient", "apt-get install jupyter-nbconvert python3-nbclient")
  ) return;
  if (!requireTool(findChromium() !== undefined, "chromium", "apt-get install chromium")) return;
  await Deno.mkdir(OUT, { recursive: true });
  const kernel = await tempKernel("wasm");
  try {
    // 1. Execute. A cell error fails nbconvert (no --allow-errors).
    const executed = await run(JUPYTER, [
      "nbconvert",
      "--to=notebook",
      "--execute",
      "--ExecutePreprocessor.timeout=240",
      "--ExecutePreprocessor.startup_timeout=120",
      "notebooks/00_quickstart.ipynb",
      `--output-dir=${OUT}`,
      "--output=00_quickstart.executed",
    ], { env: kernel.env, timeoutMs: 300_000 });
    assert(executed.code === 0, `nbconvert --execute failed:\n${executed.output}`);
    const nb = JSON.parse(await Deno.readTextFile(`${OUT}/00_quickstart.executed.ipynb`));
    assertEquals(nb.metadata.kernelspec.name, "trainlarge");
    const outputs: Output[] = (nb.cells as Cell[]).flatMap((c) => c.outputs ?? []);
    assertEquals(outputs.filter((o) => o.output_type === "error"), []);

    // 2. The figure's bundle: Plotly JSON with two non-empty traces, a real PNG, offline HTML.
    const figures = outputs.filter((o) => o.data?.["application/vnd.plotly.v1+json"] !== undefined);
    assertEquals(figures.length, 1, "expected exactly one Plotly figure");
    const fig = figures[0].data!;
    const spec = fig["application/vnd.plotly.v1+json"] as {
      data: { name: string; x: number[]; y: number[] }[];
    };
    assertEquals(spec.data.map((t) => t.name), ["trainLoss", "valLoss"]);
    assert(spec.data.every((t) => t.y.length >= 2 && t.y.length === t.x.length), "traces need ≥ 2 points");
    assert(spec.data[0].y.every((y) => Number.isFinite(y) && y > 0), "train losses must be positive numbers");
    const png = decodeBase64(text(fig["image/png"]).replace(/\s/g, ""));
    assertEquals([...png.slice(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
    assert(png.length > 5_000, `PNG of ${png.length} bytes is too small to hold a plot`);
    const html = text(fig["text/html"]);
    assert(html.includes("Plotly.newPlot") && !/<script[^>]*\ssrc=/.test(html), "HTML must inline plotly.js");

    // 3. The training log table, and the progress bar's final in-place state.
    const tables = outputs.filter((o) =>
      text(o.data?.["text/html"]).includes('<table border="1" class="dataframe">')
    );
    const log = tables.find((o) =>
      text(o.data!["text/html"]).includes("<th>trainLoss<br><small>f64</small></th>")
    );
    assert(log !== undefined, "no DataFrame table of the training log");
    assert(/shape: \(\d+, 8\)/.test(text(log!.data!["text/plain"])), text(log!.data!["text/plain"]));
    const progress = outputs.filter((o) => text(o.data?.["text/html"]).includes("trainlarge-progress"));
    assertEquals(progress.length, 1, "the progress bar must be one output updated in place");
    const bar = text(progress[0].data!["text/plain"]);
    assert(
      /tiny MLM .*100% step \d+ · .*of 20\.0s · [\d,]+ tok\/s · train \d+\.\d{3}, val \d+\.\d{3} · done/.test(
        bar,
      ),
      bar,
    );

    // 4. Render to HTML and let Chromium draw it: the plot's SVG must hold both traces with drawn lines.
    const exported = await run(JUPYTER, [
      "nbconvert",
      "--to=html",
      `${OUT}/00_quickstart.executed.ipynb`,
      `--output-dir=${OUT}`,
      "--output=00_quickstart",
    ], { env: kernel.env, timeoutMs: 120_000 });
    assert(exported.code === 0, `nbconvert --to html failed:\n${exported.output}`);
    const page = `file://${OUT}/00_quickstart.html`;
    const dom = await runChromium(page, { dom: true }, { budgetMs: 15_000 });
    // Each trace is <g class="trace scatter …">; its line is the first <path class="js-line" d="M…L…"> inside
    // (legend entries are <g class="traces">, with a short "M5,0h30" sample line, and do not match).
    const lines = [
      ...dom.matchAll(/<g class="trace scatter[^"]*"[^>]*>[\s\S]*?<path class="js-line" d="([^"]+)"/g),
    ]
      .map((m) => m[1]);
    assertEquals(lines.length, 2, "the rendered plot must hold the trainLoss and valLoss traces");
    lines.forEach((d, i) => {
      const segments = (d.match(/L/g) ?? []).length; // plotly may merge collinear points, never add any
      const points = spec.data[i].x.length;
      assert(
        segments >= Math.min(2, points - 1) && segments <= points - 1,
        `trace ${i} drew ${segments} segments: ${d}`,
      );
    });
    assert(
      dom.includes("Masked-LM loss, tiny model, 20 s budget"),
      "the figure title is missing from the SVG",
    );
    await runChromium(page, { screenshot: `${OUT}/00_quickstart.png` }, {
      width: 1200,
      height: 2400,
      budgetMs: 15_000,
    });
    assert((await Deno.stat(`${OUT}/00_quickstart.png`)).size > 10_000, "screenshot looks empty");
  } finally {
    await kernel.cleanup();
  }
});
