/**
 * The batch-size study's figures, hand-built Plotly specs from its analysis: steps to the target against
 * batch size (points per seed, the S(B) fit, the critical range shaded, B_simple marked), measured seconds
 * to the target, and the simulated data-parallel time to the target for N workers. Log-log axes: the laws
 * plotted are power laws in B. Shaded ranges are filled traces in data coordinates (no layout shapes), so
 * they read the same on log axes in every renderer.
 *
 * @module
 */
import type { DataFrame } from "../display/data_frame.ts";
import { type Figure, figureLayout, type Trace } from "../display/figure.ts";
import { criticalRange, stepsAt } from "../metrics/batch_scaling.ts";
import type { BatchSizeAnalysis } from "./batch_size_analysis.ts";

type Row = Record<string, string | number | boolean | null>;
const rowsOf = (df: DataFrame): Row[] => (df.height === 0 ? [] : df.toRecords() as Row[]);

const layout = (title: string, x: string, y: string) =>
  figureLayout({ title, x: { title: x, type: "log" }, y: { title: y, type: "log" } });

/** A shaded rectangle over `x` = [x0, x1] and `y` = [y0, y1], in the legend as `name`, without hover labels. */
function band({ name, x: [x0, x1], y: [y0, y1], fillcolor }: {
  name: string;
  x: number[];
  y: number[];
  fillcolor: string;
}): Trace {
  return {
    type: "scatter",
    mode: "lines",
    name,
    x: [x0, x1, x1, x0, x0],
    y: [y0, y0, y1, y1, y0],
    fill: "toself",
    fillcolor,
    line: { width: 0 },
    hoverinfo: "skip",
  };
}

/** Points of `y` against batch size, one marker trace per seed, and the mean per batch size as a line. */
function pointsAndMean(rows: Row[], y: string, unit: string): Trace[] {
  const reached = rows.filter((r) => r.best === true && typeof r[y] === "number");
  const seeds = [...new Set(reached.map((r) => String(r.seed)))].sort();
  const traces: Trace[] = seeds.map((seed) => {
    const rs = reached.filter((r) => String(r.seed) === seed).sort((a, b) => +a.batchSize! - +b.batchSize!);
    return {
      type: "scatter",
      mode: "markers",
      name: `seed ${seed}`,
      x: rs.map((r) => r.batchSize),
      y: rs.map((r) => r[y]),
      hovertemplate: `B=%{x}: %{y:.3g} ${unit}<extra></extra>`,
    };
  });
  const sizes = [...new Set(reached.map((r) => r.batchSize as number))].sort((a, b) => a - b);
  const means = sizes.map((b) => {
    const xs = reached.filter((r) => r.batchSize === b).map((r) => r[y] as number);
    return xs.reduce((a, c) => a + c, 0) / xs.length;
  });
  if (sizes.length > 0) {
    traces.push({
      type: "scatter",
      mode: "lines",
      name: "mean over seeds",
      x: sizes,
      y: means,
      line: { dash: "dot" },
    });
  }
  return traces;
}

const geomspace = (lo: number, hi: number, n: number) =>
  Array.from({ length: n }, (_, i) => lo * (hi / lo) ** (i / (n - 1)));

/**
 * Steps to the target against batch size, with the fit S = S_min (1 + B_noise / B), the critical range
 * [B_noise / 2, 2·B_noise] shaded, perfect scaling (S ∝ 1/B through the smallest batch's mean) for
 * reference, and the measured B_simple (± standard error) as a vertical band.
 */
export function stepsToTargetFigure(a: BatchSizeAnalysis, target: number): Figure {
  const rows = rowsOf(a.targets);
  const data: Trace[] = pointsAndMean(rows, "stepsToTarget", "steps");
  const xs = rows.map((r) => r.batchSize as number);
  const ys = rows.map((r) => r.stepsToTarget).filter((v): v is number => typeof v === "number");
  if (xs.length > 0 && ys.length > 0) {
    const [bLo, bHi] = [Math.min(...xs) / 1.5, Math.max(...xs) * 1.5];
    const [yLo, yHi] = [Math.min(...ys) / 1.5, Math.max(...ys) * 1.5];
    const grid = geomspace(bLo, bHi, 60);
    const mean = data.find((t) => t.name === "mean over seeds");
    if (mean) {
      const [b0, s0] = [(mean.x as number[])[0], (mean.y as number[])[0]];
      data.push({
        type: "scatter",
        mode: "lines",
        name: "perfect scaling (S ∝ 1/B)",
        // only where it stays inside the measured steps' range, so it does not stretch the y axis
        x: grid.filter((b) => s0 * b0 / b >= yLo),
        y: grid.filter((b) => s0 * b0 / b >= yLo).map((b) => s0 * b0 / b),
        line: { dash: "dash", color: "gray", width: 1 },
      });
    }
    const fit = a.fit;
    if (fit?.regime === "fit" && fit.sMin !== null && fit.bNoise !== null) {
      const f = { sMin: fit.sMin, bNoise: fit.bNoise };
      const [lo, hi] = criticalRange(fit.bNoise);
      data.push(
        band({
          name: `critical range (B_noise/2 … 2·B_noise)`,
          x: [lo, hi],
          y: [yLo, yHi],
          fillcolor: "rgba(255, 165, 0, 0.15)",
        }),
      );
      data.push({
        type: "scatter",
        mode: "lines",
        name: `fit: S_min ${fit.sMin.toFixed(0)}, B_noise ${fit.bNoise.toFixed(0)}`,
        x: grid,
        y: grid.map((b) => stepsAt(f, b)),
        line: { color: "black" },
      });
    }
    const n = a.noiseScale;
    if (n !== null) {
      const [lo, hi] = [Math.max(n.bSimple - n.stdErr, bLo), n.bSimple + n.stdErr];
      data.push(band({
        name: `B_simple ${n.bSimple.toFixed(0)} ± ${n.stdErr.toFixed(0)} (measured)`,
        x: [lo, hi],
        y: [yLo, yHi],
        fillcolor: "rgba(44, 160, 44, 0.2)",
      }));
    }
  }
  return {
    data,
    layout: layout(
      `Steps to validation loss ${target} against batch size`,
      "batch size B (sequences per step)",
      "optimizer steps to target",
    ),
  };
}

/** Measured training seconds to the target against batch size (one machine, gradient accumulation). */
export function secondsToTargetFigure(a: BatchSizeAnalysis, target: number): Figure {
  return {
    data: pointsAndMean(rowsOf(a.targets), "secondsToTarget", "s"),
    layout: layout(
      `Measured seconds to validation loss ${target} (one machine)`,
      "batch size B (sequences per step)",
      "training seconds to target (evaluation excluded)",
    ),
  };
}

/** The simulated data-parallel time to the target: a line per worker count N. */
export function dataParallelFigure(
  a: BatchSizeAnalysis,
  network: { bandwidth: number; latency: number },
): Figure {
  const rows = rowsOf(a.dataParallel);
  const workers = [...new Set(rows.map((r) => r.workers as number))].sort((x, y) => x - y);
  const data: Trace[] = workers.map((n) => {
    const rs = rows.filter((r) => r.workers === n).sort((x, y) => +x.batchSize! - +y.batchSize!);
    return {
      type: "scatter",
      mode: "lines+markers",
      name: `N = ${n}`,
      x: rs.map((r) => r.batchSize),
      y: rs.map((r) => r.secondsToTarget),
    };
  });
  const gbps = (network.bandwidth / 1e9).toFixed(2);
  const us = (network.latency * 1e6).toFixed(0);
  return {
    data,
    layout: layout(
      `Simulated data-parallel time to target (ring all-reduce, ${gbps} GB/s, ${us} µs)`,
      "global batch size B",
      "simulated seconds to target",
    ),
  };
}

/** The three figures of a batch-size study. */
export function batchSizeFigures(
  a: BatchSizeAnalysis,
  s: { targetValLoss: number; network: { bandwidth: number; latency: number } },
): Figure[] {
  return [
    stepsToTargetFigure(a, s.targetValLoss),
    secondsToTargetFigure(a, s.targetValLoss),
    dataParallelFigure(a, s.network),
  ];
}
