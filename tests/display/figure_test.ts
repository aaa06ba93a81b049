import pl from "nodejs-polars";
import { assertEquals, assertThrows } from "@std/assert";
import { barFigure, FIGURE_DEFAULTS, lineFigure, scatterFigure } from "../../lib/display/figure.ts";

const log = pl.DataFrame({
  seconds: [1, 2, 3, 1, 2],
  trainLoss: [6, 5, 4.5, 7, 6.5],
  valLoss: [null, 5.2, null, null, 6.9],
  size: ["small", "small", "small", "large", "large"],
});

Deno.test("lineFigure() makes one trace per y column and color group, dropping missing y", () => {
  const fig = lineFigure(log, { x: "seconds", y: ["trainLoss", "valLoss"], color: "size", title: "loss" });
  assertEquals(fig.data.map((t) => t.name), [
    "trainLoss size=small",
    "trainLoss size=large",
    "valLoss size=small",
    "valLoss size=large",
  ]);
  assertEquals(fig.data[0], {
    type: "scatter",
    mode: "lines",
    name: "trainLoss size=small",
    x: [1, 2, 3],
    y: [6, 5, 4.5],
  });
  assertEquals(fig.data[2].x, [2]);
  assertEquals(fig.data[3].y, [6.9]);
  assertEquals(fig.layout, {
    width: FIGURE_DEFAULTS.width,
    height: FIGURE_DEFAULTS.height,
    margin: { l: 64, r: 24, t: 48, b: 56 },
    title: { text: "loss" },
    xaxis: { title: { text: "seconds" }, type: "linear" },
    yaxis: { title: { text: "trainLoss, valLoss" }, type: "linear" },
  });
});

Deno.test("scatterFigure() and barFigure() set trace types, log axes and sizes", () => {
  const s = scatterFigure(log, {
    x: "seconds",
    y: "trainLoss",
    logX: true,
    logY: true,
    width: 300,
    height: 200,
  });
  assertEquals([s.data.length, s.data[0].mode, s.data[0].name], [1, "markers", "trainLoss"]);
  assertEquals([(s.layout.xaxis as { type: string }).type, (s.layout.yaxis as { type: string }).type], [
    "log",
    "log",
  ]);
  assertEquals([s.layout.width, s.layout.height], [300, 200]);
  const b = barFigure(log, { x: "size", y: "trainLoss", yTitle: "loss" });
  assertEquals(
    [b.data[0].type, b.layout.barmode, (b.layout.yaxis as { title: { text: string } }).title.text],
    ["bar", "group", "loss"],
  );
});

Deno.test("figures are plain JSON: Int64 columns become numbers, the spec survives a JSON round trip", () => {
  const df = pl.DataFrame({ step: [1, 2, 3] }).withColumns(pl.col("step").cast(pl.Int64).alias("tokens"));
  const fig = lineFigure(df, { x: "step", y: "tokens" });
  assertEquals(JSON.parse(JSON.stringify(fig)), fig);
  assertEquals(fig.data[0].y, [1, 2, 3]);
});

Deno.test("figure factories name a missing column and list the real ones", () => {
  const error = assertThrows(() => lineFigure(log, { x: "secs", y: "trainLoss" }), Error);
  assertEquals(
    error.message,
    `figure: x column "secs" is not in the DataFrame; its columns are "seconds", "trainLoss", "valLoss", "size"`,
  );
  assertThrows(() => lineFigure(log, { x: "seconds", y: [] }), Error, "options.y names no column");
  assertThrows(
    () => lineFigure(log, { x: "seconds", y: "trainLoss", color: "model" }),
    Error,
    `color column "model"`,
  );
});
