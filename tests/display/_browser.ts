/**
 * Test support: open an HTML body in headless Chromium and read back what the page drew.
 *
 * @module
 */
import { findChromium, runChromium } from "../../lib/display/chromium.ts";
import { requireTool } from "../_support/tools.ts";

/** Skips (or fails under CI) when Chromium is missing. */
export const needChromium = (): boolean =>
  requireTool(findChromium() !== undefined, "chromium", "apt-get install chromium");

/**
 * Loads `body` (after optional `head` scripts) from a temp file, waits for scripts, then reports what the
 * page holds: `window.__report()` results go into `<pre id="report">`; scripts are dropped before the dump.
 */
export async function renderPage(body: string, head = ""): Promise<string> {
  const file = await Deno.makeTempFile({ prefix: "trainlarge-test-", suffix: ".html" });
  const finish = `<script>setTimeout(function () {
  var pre = document.createElement("pre"); pre.id = "report";
  pre.textContent = JSON.stringify(window.__report ? window.__report() : null);
  document.body.appendChild(pre);
  document.querySelectorAll("script").forEach(function (s) { s.remove(); });
}, 1000);</script>`;
  try {
    await Deno.writeTextFile(
      file,
      `<!DOCTYPE html><html><head><meta charset="utf-8">${head}</head><body>${body}${finish}</body></html>`,
    );
    return await runChromium(`file://${file}`, { dom: true }, { budgetMs: 5000 });
  } finally {
    await Deno.remove(file);
  }
}

/** The JSON that `window.__report()` returned. */
export function report(dom: string): unknown {
  const text = /<pre id="report">([\s\S]*?)<\/pre>/.exec(dom)?.[1];
  if (text === undefined) throw new Error(`page produced no report:\n${dom.slice(0, 2000)}`);
  return JSON.parse(
    text.replace(/&quot;/g, '"').replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&"),
  );
}

/** Number of matches of `pattern` in `dom`. */
export const count = (dom: string, pattern: RegExp): number => [...dom.matchAll(pattern)].length;
