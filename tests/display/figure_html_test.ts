import { assert, assertEquals } from "@std/assert";
import { figureHtml, figurePage, writeFigureHtml } from "../../lib/display/figure_html.ts";
import type { Figure } from "../../lib/display/figure.ts";
import { requireTool } from "../_support/tools.ts";
import { count, needChromium, renderPage, report } from "./_browser.ts";
import { runChromium } from "../../lib/display/chromium.ts";

const REQUIRE_JS = "/usr/share/javascript/requirejs/require.js"; // Debian libjs-requirejs, as the classic notebook uses

const figure: Figure = {
  data: [
    { type: "scatter", mode: "lines+markers", name: "train", x: [1, 2, 3, 4], y: [4, 3, 2.5, 2] },
    { type: "scatter", mode: "markers", name: "val </script> <b>", x: [2, 4], y: [3.2, 2.4] },
  ],
  layout: { width: 500, height: 300, title: { text: "loss" } },
};

// Plotly draws each trace as <g class="trace scatter …"> and each marker as <path class="point" …>.
const TRACE = /<g class="trace scatter[^"]*"/g;
const POINT = /<path class="point"/g;

Deno.test("figureHtml() draws in a page without requirejs and leaves no AMD loader behind", async () => {
  if (!needChromium()) return;
  const html = await figureHtml(figure, { divId: "plain" });
  const dom = await renderPage(
    html +
      `<script>window.__report = function () { return { define: typeof define, plotly: typeof Plotly } };</script>`,
  );
  assertEquals(count(dom, TRACE), 2);
  assertEquals(count(dom, POINT), 6); // 4 + 2 markers
  assertEquals(report(dom), { define: "undefined", plotly: "object" });
});

Deno.test("figureHtml() draws under requirejs (classic notebook) without upsetting the AMD loader", async () => {
  if (!needChromium()) return;
  let hasRequire = false;
  try {
    hasRequire = (await Deno.stat(REQUIRE_JS)).isFile;
  } catch { /* missing */ }
  if (
    !requireTool(hasRequire, "require.js", "apt-get install libjs-requirejs (comes with jupyter-notebook)")
  ) return;
  const head = `<script src="file://${REQUIRE_JS}"></script><script>
    var errors = [];
    requirejs.onError = function (e) { errors.push("requirejs: " + e); };
    window.addEventListener("error", function (e) { errors.push("window: " + e.message); });
  </script>`;
  const probe = `<script>
    var amdValue = null;
    define("probe", [], function () { return 7; });
    require(["probe"], function (v) { amdValue = v; });
    window.__report = function () { return { errors: errors, amd: !!(window.define && define.amd), amdValue: amdValue }; };
  </script>`;
  const dom = await renderPage(
    (await figureHtml(figure, { divId: "a" })) + (await figureHtml(figure, { divId: "b" })) + probe,
    head,
  );
  assertEquals(count(dom, TRACE), 4); // two figures on one page, plotly.js evaluated once
  assertEquals(report(dom), { errors: [], amd: true, amdValue: 7 });
});

Deno.test("figureHtml() keeps trace names out of the markup (no script injection)", async () => {
  const html = await figureHtml(figure, { divId: "x" });
  assert(!html.includes("val </script>"));
  assert(html.includes("val \\u003c/script> \\u003cb>"));
  assertEquals((await figureHtml(figure, { plotly: "file", divId: "x" })).length < 10_000, true);
});

Deno.test("writeFigureHtml() writes a standalone page that draws offline", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/loss.html`;
    await writeFigureHtml(figure, path);
    const page = await Deno.readTextFile(path);
    assert(page.startsWith("<!DOCTYPE html>") && page.includes("<title>loss</title>"));
    assert(!/<script[^>]*\ssrc=/.test(page), "the page must inline plotly.js, not load it");
    assertEquals(page, await figurePage(figure, { divId: /<div id="([^"]+)"/.exec(page)![1] }));
    if (!needChromium()) return;
    const dom = await runChromium(`file://${path}`, { dom: true });
    assertEquals(count(dom, TRACE), 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
