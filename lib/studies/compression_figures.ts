/**
 * Figures and the winners table of the compression study, as in the paper's Figures 6–7: accuracy against
 * nonzero parameters (pruning) and against model size in bits (quantization), a curve per model size with
 * the accuracy's 95% interval; the Pareto frontier over every compressed model; and, for a grid of inference
 * budgets, the most accurate model that fits.
 *
 * Sizes in bits: a quantized model is counted as stored (k-bit codes plus a 32-bit scale and zero point per
 * channel for the linear weights, 32 bits for everything else, `modelBits`); a pruned model as 32 bits per
 * nonzero parameter (`nonzeroParams` × 32) — the positions of the nonzeros are not counted, which favours
 * pruning (a sparse format needs about as many index bits again at moderate sparsity).
 *
 * @module
 */
import type { DataFrame } from "../display/data_frame.ts";
import type { Figure, Trace } from "../display/figure.ts";
import { figureLayout } from "../display/figure.ts";
import { rowsToFrame } from "../study/tables.ts";

/** One evaluated compressed model (a row of the compression study's `points`). */
export interface CompressionPoint {
  /** Model size label, e.g. `2×128`. */
  size: string;
  /** Trainable parameters of the uncompressed model. */
  params: number;
  /** `"prune"` or `"quantize"`. */
  method: string;
  /** Sparsity of the linear weights (pruning), else 0. */
  sparsity: number;
  /** Bits per linear weight (quantization), else 32. */
  bits: number;
  /** Test accuracy. */
  accuracy: number;
  /** 95% interval of the accuracy (Wilson). */
  accuracyLow: number;
  /** Upper end of the interval. */
  accuracyHigh: number;
  /** Nonzero parameters, all. */
  nonzeroParams: number;
  /** Size in bits, as described in the module doc. */
  sizeBits: number;
  /** Seed of the finetuned model (and its pretraining); absent where a study has one seed. */
  seed?: number;
}

const layout = (title: string, x: string) =>
  figureLayout({ title, x: { title: x, type: "log" }, y: { title: "test accuracy" } });

// The seeds among the points: with more than one, every curve, frontier and winner is per seed.
const seedsOf = (points: CompressionPoint[]) =>
  [...new Set(points.map((p) => p.seed ?? 0))].sort((a, b) => a - b);

/** A curve's name: the size, and the seed where the points hold several. */
function curveName(p: CompressionPoint, several: boolean): string {
  return several ? `${p.size} seed ${p.seed ?? 0}` : p.size;
}

function bySize(points: CompressionPoint[]): Map<string, CompressionPoint[]> {
  const several = seedsOf(points).length > 1;
  const out = new Map<string, CompressionPoint[]>();
  for (const p of [...points].sort((a, b) => a.params - b.params || (a.seed ?? 0) - (b.seed ?? 0))) {
    const name = curveName(p, several);
    if (!out.has(name)) out.set(name, []);
    out.get(name)!.push(p);
  }
  return out;
}

function curves(
  points: CompressionPoint[],
  x: (p: CompressionPoint) => number,
  text: (p: CompressionPoint) => string,
): Trace[] {
  return [...bySize(points)].map(([size, ps]) => {
    const sorted = ps.sort((a, b) => x(a) - x(b));
    return {
      type: "scatter",
      mode: "lines+markers",
      name: size,
      x: sorted.map(x),
      y: sorted.map((p) => p.accuracy),
      text: sorted.map(text),
      error_y: {
        type: "data",
        symmetric: false,
        array: sorted.map((p) => p.accuracyHigh - p.accuracy),
        arrayminus: sorted.map((p) => p.accuracy - p.accuracyLow),
      },
    };
  });
}

/**
 * Accuracy against nonzero parameters after pruning, a curve per model size.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { pruningFigure } from "./compression_figures.ts";
 * const p = { size: "1×32", params: 1e5, method: "prune", bits: 32, accuracy: 0.5, accuracyLow: 0.45,
 *   accuracyHigh: 0.55, sizeBits: 0 };
 * const fig = pruningFigure([{ ...p, sparsity: 0, nonzeroParams: 1e5 }, { ...p, sparsity: 0.5, nonzeroParams: 6e4 }]);
 * assert(fig.data.length === 1 && (fig.data[0].x as number[])[0] === 6e4);
 * ```
 */
export function pruningFigure(points: CompressionPoint[]): Figure {
  return {
    data: curves(
      points.filter((p) => p.method === "prune"),
      (p) => p.nonzeroParams,
      (p) => `sparsity ${p.sparsity}`,
    ),
    layout: layout("Pruning: accuracy against nonzero parameters", "nonzero parameters (log)"),
  };
}

/** Accuracy against model size in bits after quantization, a curve per model size. */
export function quantizationFigure(points: CompressionPoint[]): Figure {
  return {
    data: curves(points.filter((p) => p.method === "quantize"), (p) => p.sizeBits, (p) => `${p.bits} bits`),
    layout: layout("Quantization: accuracy against model size", "model size in bits (log)"),
  };
}

/**
 * The points no other point beats: no smaller-or-equal model is at least as accurate (and better in one).
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { paretoFrontier } from "./compression_figures.ts";
 * const p = (sizeBits: number, accuracy: number) => ({ sizeBits, accuracy });
 * const front = paretoFrontier([p(10, 0.5), p(20, 0.4), p(30, 0.7), p(5, 0.1)]);
 * assert(front.map((x) => x.sizeBits).join() === "5,10,30");
 * ```
 */
export function paretoFrontier<P extends { sizeBits: number; accuracy: number }>(points: P[]): P[] {
  const sorted = [...points].sort((a, b) => a.sizeBits - b.sizeBits || b.accuracy - a.accuracy);
  const out: P[] = [];
  let best = -Infinity;
  for (const p of sorted) {
    if (p.accuracy > best) {
      out.push(p);
      best = p.accuracy;
    }
  }
  return out;
}

/** Every compressed model (markers by size) with the Pareto frontier drawn through the best (one per seed). */
export function frontierFigure(points: CompressionPoint[]): Figure {
  const data: Trace[] = [...bySize(points)].map(([size, ps]) => ({
    type: "scatter",
    mode: "markers",
    name: size,
    x: ps.map((p) => p.sizeBits),
    y: ps.map((p) => p.accuracy),
    text: ps.map((p) => (p.method === "prune" ? `pruned ${p.sparsity}` : `${p.bits} bits`)),
    marker: { symbol: ps.map((p) => (p.method === "prune" ? "circle" : "diamond")) },
  }));
  const seeds = seedsOf(points);
  for (const seed of seeds) {
    const front = paretoFrontier(points.filter((p) => (p.seed ?? 0) === seed));
    data.push({
      type: "scatter",
      mode: "lines",
      name: seeds.length > 1 ? `Pareto frontier, seed ${seed}` : "Pareto frontier",
      x: front.map((p) => p.sizeBits),
      y: front.map((p) => p.accuracy),
      line: { dash: seed === seeds[0] ? "dot" : "dash", color: "black" },
    });
  }
  return {
    data,
    layout: layout("Which model wins at each size: every compressed model", "model size in bits (log)"),
  };
}

/**
 * For budgets spread over the points' sizes (powers of two), the most accurate model that fits: its size,
 * method, setting and accuracy — per seed (a `seed` column) where the points hold several, since the best of
 * several seeds' noisy accuracies would flatter every budget.
 */
export function winnersTable(points: CompressionPoint[]): DataFrame {
  if (points.length === 0) return rowsToFrame([]);
  const lo = Math.floor(Math.log2(Math.min(...points.map((p) => p.sizeBits))));
  const hi = Math.ceil(Math.log2(Math.max(...points.map((p) => p.sizeBits))));
  const seeds = seedsOf(points);
  const rows = [];
  for (const seed of seeds) {
    const ofSeed = points.filter((p) => (p.seed ?? 0) === seed);
    for (let e = lo; e <= hi; e++) {
      const budget = 2 ** e;
      const fits = ofSeed.filter((p) => p.sizeBits <= budget);
      if (fits.length === 0) continue;
      const best = fits.reduce((a, b) => (b.accuracy > a.accuracy ? b : a));
      rows.push({
        ...(seeds.length > 1 ? { seed } : {}),
        budgetMiB: budget / 8 / 2 ** 20,
        model: best.size,
        method: best.method,
        setting: best.method === "prune" ? `sparsity ${best.sparsity}` : `${best.bits} bits`,
        accuracy: best.accuracy,
        accuracyLow: best.accuracyLow,
        accuracyHigh: best.accuracyHigh,
        sizeMiB: best.sizeBits / 8 / 2 ** 20,
      });
    }
  }
  return rowsToFrame(rows);
}
