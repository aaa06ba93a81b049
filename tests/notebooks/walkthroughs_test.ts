/**
 * The teaching walkthroughs (notebooks/01_… to 05_…):
 * 1. as committed: a `TRAINLARGE_SCALE` parameter cell near the top, a note saying which scale the saved
 *    outputs come from, an output for every `show(…)` cell, no errors, and every figure carrying its Plotly
 *    JSON and a real PNG but not the 4.9 MB of inlined plotly.js (`notebooks/lighten_outputs.ts`);
 * 2. executed headless at `TRAINLARGE_SCALE=smoke` on the trainlarge kernel, in teaching order, with the
 *    study stores in a temp dir (`TRAINLARGE_RUNS`): a cell that raises fails the test; then 01 rendered to
 *    HTML draws every figure and fills every table in Chromium with the network blocked, and so does the
 *    `report()` of the pretraining study it trained. Artefacts go to tests/out/walkthroughs/.
 */
import { assert, assertEquals, assertMatch } from "@std/assert";
import { decodeBase64 } from "@std/encoding/base64";
import { findChromium, OFFLINE_FLAGS, runChromium } from "../../lib/display/chromium.ts";
import { report } from "../../lib/study/report.ts";
import { drawnPlots, drawnTables, shownRows } from "../_support/drawn.ts";
import { commandWorks, requireTool } from "../_support/tools.ts";
import { hasPythonModule, JUPYTER, PROJECT_DIR, run, tempKernel } from "../kernel/_subprocess.ts";

/** The walkthroughs in teaching order. */
const WALKTHROUGHS = [
  "01_pretraining_size",
  "02_translation_bleu",
  "03_batch_size",
  "04_compression",
  "05_budget_planner",
];

const OUT = `${PROJECT_DIR}/tests/out/walkthroughs`;
const PLOTLY = "application/vnd.plotly.v1+json";

type Output = {
  output_type: string;
  data?: Record<string, unknown>;
  ename?: string;
  evalue?: string;
  traceback?: string[];
};
type Cell = {
  cell_type: string;
  source: string | string[];
  outputs?: Output[];
  metadata?: { tags?: string[] };
};
type Notebook = { cells: Cell[]; metadata: { kernelspec: { name: string } } };

const text = (x: unknown): string => Array.isArray(x) ? x.join("") : String(x ?? "");
const readNotebook = async (path: string): Promise<Notebook> => JSON.parse(await Deno.readTextFile(path));
const outputsOf = (nb: Notebook): Output[] => nb.cells.flatMap((c) => c.outputs ?? []);

/** Fails with the first error output's name, message and traceback. */
function assertNoErrors(name: string, nb: Notebook): void {
  const error = outputsOf(nb).find((o) => o.output_type === "error");
  assert(error === undefined, `${name}: ${error?.ename}: ${error?.evalue}\n${text(error?.traceback)}`);
}

/** Every code cell that calls show() has a display output; every figure a Plotly spec and a real PNG. */
function assertShown(name: string, nb: Notebook): Output[] {
  for (const [i, cell] of nb.cells.entries()) {
    if (cell.cell_type !== "code" || !text(cell.source).includes("await show(")) continue;
    assert(
      (cell.outputs ?? []).some((o) => o.output_type === "display_data" && o.data !== undefined),
      `${name}: cell ${i} calls show() but has no display output`,
    );
  }
  const figures = outputsOf(nb).filter((o) => o.data?.[PLOTLY] !== undefined);
  assert(figures.length >= 2, `${name}: expected figures, found ${figures.length}`);
  for (const [i, f] of figures.entries()) {
    const spec = f.data![PLOTLY] as { data: { x?: unknown[] }[] };
    assert(spec.data.length >= 1, `${name}: figure ${i} has no traces`);
    const png = decodeBase64(text(f.data!["image/png"]).replace(/\s/g, ""));
    assertEquals([...png.slice(0, 4)], [0x89, 0x50, 0x4e, 0x47], `${name}: figure ${i} has no PNG`);
    assert(png.length > 5_000, `${name}: figure ${i}'s PNG of ${png.length} bytes is too small for a plot`);
  }
  return figures;
}

Deno.test("the committed walkthroughs carry light outputs: Plotly JSON and a PNG per figure, no errors", async () => {
  for (const name of WALKTHROUGHS) {
    const path = `${PROJECT_DIR}/notebooks/${name}.ipynb`;
    const nb = await readNotebook(path);
    assertEquals(nb.metadata.kernelspec.name, "trainlarge", name);
    const params = nb.cells.findIndex((c) => c.metadata?.tags?.includes("parameters"));
    assert(
      params >= 0 && params <= 4,
      `${name}: the parameters cell must be near the top (found at ${params})`,
    );
    assert(
      text(nb.cells[params].source).includes('const scale = Deno.env.get("TRAINLARGE_SCALE") ?? "demo";'),
      `${name}: the parameters cell must read TRAINLARGE_SCALE`,
    );
    const note = nb.cells.map((c) => text(c.source)).find((s) =>
      s.includes("outputs saved in this file are from")
    );
    assert(note !== undefined, `${name}: say which scale the saved outputs come from`);
    const scale = /`scale = "(\w+)"`/.exec(note ?? "")?.[1];
    const table = text(outputsOf(nb)[0]?.data?.["text/plain"]);
    assert(
      scale !== undefined && table.includes(scale),
      `${name}: the note says ${scale}, the run says ${table}`,
    );
    assertNoErrors(name, nb);
    const figures = assertShown(name, nb);
    for (const f of figures) {
      assert(
        !("text/html" in f.data!),
        `${name}: a figure inlines plotly.js; run notebooks/lighten_outputs.ts`,
      );
    }
    const bytes = (await Deno.stat(path)).size;
    assert(bytes < 3_000_000, `${name}: ${bytes} bytes is too heavy to commit`);
  }
});

Deno.test({
  name:
    "the walkthroughs execute headless at smoke scale, and 01 and its study report draw in Chromium offline",
  // run() abandons the pipe readers of a kernel that outlives its client (see ../kernel/_subprocess.ts)
  sanitizeResources: false,
  async fn(t) {
    const tools = await commandWorks(JUPYTER, ["nbconvert", "--version"]) &&
      await hasPythonModule("nbclient");
    if (
      !requireTool(
        tools,
        "jupyter nbconvert + nbclient",
        "apt-get install jupyter-nbconvert python3-nbclient",
      )
    ) return;
    if (!requireTool(findChromium() !== undefined, "chromium", "apt-get install chromium")) return;
    await Deno.mkdir(OUT, { recursive: true });
    const kernel = await tempKernel("auto");
    const runs = await Deno.makeTempDir({ prefix: "trainlarge-walkthrough-runs-" });
    const env = { ...kernel.env, TRAINLARGE_SCALE: "smoke", TRAINLARGE_RUNS: runs };
    try {
      for (const name of WALKTHROUGHS) {
        await t.step(`${name} executes at smoke scale`, async () => {
          const executed = await run(JUPYTER, [
            "nbconvert",
            "--to=notebook",
            "--execute",
            "--ExecutePreprocessor.timeout=600",
            "--ExecutePreprocessor.startup_timeout=120",
            `notebooks/${name}.ipynb`,
            `--output-dir=${OUT}`,
            `--output=${name}.executed`,
          ], { env, timeoutMs: 900_000 });
          assert(executed.code === 0, `nbconvert --execute ${name} failed:\n${executed.output.slice(-4000)}`);
          const nb = await readNotebook(`${OUT}/${name}.executed.ipynb`);
          assertNoErrors(name, nb);
          assertShown(name, nb);
          assertMatch(text(outputsOf(nb)[0]?.data?.["text/plain"]), /smoke/, "the parameter cell's table");
        });
      }

      await t.step("01 rendered to HTML draws every figure and table offline", async () => {
        const name = WALKTHROUGHS[0];
        const nb = await readNotebook(`${OUT}/${name}.executed.ipynb`);
        const figures = outputsOf(nb).filter((o) => o.data?.[PLOTLY] !== undefined);
        const tables = outputsOf(nb).filter((o) => text(o.data?.["text/html"]).includes('class="dataframe"'));
        const exported = await run(JUPYTER, [
          "nbconvert",
          "--to=html",
          `${OUT}/${name}.executed.ipynb`,
          `--output-dir=${OUT}`,
          `--output=${name}`,
        ], { env, timeoutMs: 120_000 });
        assert(exported.code === 0, `nbconvert --to html failed:\n${exported.output}`);
        const dom = await runChromium(`file://${OUT}/${name}.html`, { dom: true }, {
          budgetMs: 20_000,
          timeoutMs: 120_000,
          args: [...OFFLINE_FLAGS],
        });
        const plots = drawnPlots(dom);
        assertEquals(plots.length, figures.length, "one drawn plot per figure output");
        plots.forEach((p, i) => {
          const traces = (figures[i].data![PLOTLY] as { data: unknown[] }).data.length;
          assert(p.svg, `figure ${i} has no SVG`);
          assertEquals(p.traces, traces, `figure ${i} should draw its ${traces} traces`);
          assertEquals(p.tracesWithPaths, traces, `figure ${i}: every trace needs a drawn path`);
        });
        const drawn = drawnTables(dom);
        assertEquals(drawn.length, tables.length, "one HTML table per DataFrame output");
        drawn.forEach((d, i) => {
          assert(d.height !== null && d.height > 0, `table ${i} is empty`);
          assertEquals(d.bodyRows, shownRows(d.height!, 20), `table ${i} rows`);
        });
      });

      await t.step("report() of the pretraining study draws offline", async () => {
        const { html } = await report(`${runs}/pretrain-smoke`, { png: false });
        const file = JSON.parse(await Deno.readTextFile(html.replace(/report\.html$/, "study.json")));
        const dom = await runChromium(`file://${html}`, { dom: true }, {
          budgetMs: 10_000,
          args: [...OFFLINE_FLAGS],
        });
        const plots = drawnPlots(dom);
        assertEquals(plots.length, file.figures.length, "one drawn plot per figure");
        plots.forEach((p, i) => {
          assert(p.traces >= 1 && p.tracesWithPaths === p.traces, `figure ${i}: ${JSON.stringify(p)}`);
        });
        const drawn = drawnTables(dom);
        assertEquals(drawn[0].height, file.runs.length, "the runs table has a row per run");
        drawn.forEach((d, i) => assert(d.height! > 0 && d.bodyRows > 0, `table ${i} is empty`));
      });
    } finally {
      await kernel.cleanup();
      await Deno.remove(runs, { recursive: true });
    }
  },
});
