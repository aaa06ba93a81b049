/**
 * Display costs: what a figure's PNG adds over a bare headless-Chromium launch (the reference), and what
 * the HTML fragment and a DataFrame table cost. Run: `deno run -A bench/display.ts`.
 */
import pl from "nodejs-polars";
import { figureHtml, lineFigure, renderFigurePng, runChromium, tableHtml } from "../lib/display/mod.ts";
import { median } from "./stats.ts";

const REPEATS = 5;

async function medianTime(f: () => Promise<unknown> | unknown): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const t0 = performance.now();
    await f();
    times.push(performance.now() - t0);
  }
  return median(times);
}

const n = 1000;
const log = pl.DataFrame({
  seconds: Array.from({ length: n }, (_, i) => i / 10),
  trainLoss: Array.from({ length: n }, (_, i) => 6 * Math.exp(-i / 300) + 2),
});
const fig = lineFigure(log, { x: "seconds", y: "trainLoss" });
await renderFigurePng(fig); // warm the OS file cache

const bare = await medianTime(() => runChromium("about:blank", { dom: true }));
const png = await medianTime(() => renderFigurePng(fig));
const html = await medianTime(() => figureHtml(fig));
const htmlBytes = (await figureHtml(fig)).length;
const rows = 100_000;
const big = pl.DataFrame({
  step: Array.from({ length: rows }, (_, i) => i),
  loss: Array.from({ length: rows }, () => 1.5),
});
const table = await medianTime(() => tableHtml(big));

console.log(`| what | median ms (${REPEATS} runs) | ratio to reference |`);
console.log(`| --- | ---: | ---: |`);
console.log(`| bare headless Chromium launch (reference) | ${bare.toFixed(0)} | 1.00 |`);
console.log(`| renderFigurePng, ${n}-point line | ${png.toFixed(0)} | ${(png / bare).toFixed(2)} |`);
console.log(
  `| figureHtml (plotly.js inlined, ${(htmlBytes / 1e6).toFixed(1)} MB) | ${html.toFixed(1)} | ${
    (html / bare).toFixed(3)
  } |`,
);
console.log(
  `| tableHtml, ${rows}-row DataFrame (20 rows shown) | ${table.toFixed(1)} | ${(table / bare).toFixed(3)} |`,
);
