/**
 * A `report()` HTML file opened in headless Chromium with the network blocked draws every figure (a non-empty
 * SVG per plot, one drawn group per trace) and fills every table; and the network block itself is checked
 * against a local server (a page that asks it for something reaches it only without the block).
 */
import { assert, assertEquals } from "@std/assert";
import { OFFLINE_FLAGS, runChromium } from "../../lib/display/chromium.ts";
import { linregKind } from "../../lib/experiments/linreg_kind.ts";
import { report } from "../../lib/study/report.ts";
import { runStudy } from "../../lib/study/runner.ts";
import { needChromium } from "../display/_browser.ts";
import { drawnPlots, drawnTables, shownRows } from "../_support/drawn.ts";

/** Serves anything on 127.0.0.1 and counts the requests; the page asks for an image and a fetch. */
async function requestsSeen(offline: boolean): Promise<number> {
  let seen = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, () => {
    seen++;
    return new Response("x");
  });
  const url = `http://127.0.0.1:${server.addr.port}`;
  const file = await Deno.makeTempFile({ suffix: ".html" });
  try {
    await Deno.writeTextFile(
      file,
      `<!DOCTYPE html><html><body><img src="${url}/a.png"><script>fetch("${url}/b").catch(() => {});</script>` +
        `</body></html>`,
    );
    await runChromium(`file://${file}`, { dom: true }, {
      budgetMs: 2000,
      ...(offline ? { args: [...OFFLINE_FLAGS] } : {}),
    });
    return seen;
  } finally {
    await server.shutdown();
    await Deno.remove(file);
  }
}

Deno.test("OFFLINE_FLAGS keep Chromium from reaching even a server on loopback", async () => {
  if (!needChromium()) return;
  assert(await requestsSeen(false) >= 1, "without the flags the page must reach the local server");
  assertEquals(await requestsSeen(true), 0, "with the flags the page must reach nothing");
});

Deno.test("report() HTML draws every figure and fills every table in Chromium with the network blocked", async () => {
  if (!needChromium()) return;
  const store = await Deno.makeTempDir({ prefix: "trainlarge-report-" });
  try {
    const study = await runStudy({
      name: "report-browser",
      kind: linregKind,
      base: { maxSteps: 30 },
      grid: { lr: [0.02, 0.05, 0.1] },
    }, { store, progress: "silent" });
    assert(study.figures.length >= 1);
    const { html } = await report(study, { png: false });
    const page = await Deno.readTextFile(html);
    assert(
      !/<(?:script|img|link)[^>]+(?:src|href)="(?:https?:)?\/\//i.test(page),
      "the report loads nothing remote",
    );
    const dom = await runChromium(`file://${html}`, { dom: true }, {
      budgetMs: 10_000,
      args: [...OFFLINE_FLAGS],
    });

    const plots = drawnPlots(dom);
    assertEquals(plots.length, study.figures.length, "one drawn plot per figure");
    plots.forEach((p, i) => {
      const traces = study.figures[i].data.length;
      assert(p.svg, `figure ${i} has no SVG`);
      assertEquals(p.traces, traces, `figure ${i} should draw its ${traces} traces`);
      assertEquals(p.tracesWithPaths, traces, `figure ${i}: every trace needs a drawn path`);
    });

    // The runs table (3 runs, all shown), the records table (all rows up to its 400-row cap).
    const tables = drawnTables(dom);
    assert(tables.length >= 2, `expected the runs and records tables, found ${tables.length}`);
    assertEquals(tables[0].height, 3);
    assertEquals(tables[1].height, study.records.height);
    for (const [i, t] of tables.entries()) {
      assert(t.height !== null && t.height > 0, `table ${i} is empty`);
      assertEquals(t.bodyRows, shownRows(t.height!, i === 0 ? 1000 : 400), `table ${i} rows`);
    }
  } finally {
    await Deno.remove(store, { recursive: true });
  }
});
