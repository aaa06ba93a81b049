/**
 * The demo's second part, where a system BLAS makes it affordable: a short compression study on the two
 * ends of the pretraining study's width series (reused from the demo's store, so nothing is pretrained
 * again), finetuned briefly, pruned one-shot and quantized, with a table and a verdict on whether the larger
 * model kept more of its accuracy — the paper's third finding.
 *
 * @module
 */
import type { DataFrame } from "../display/data_frame.ts";
import { COMPRESSION_PRESETS, type CompressionStudyOptions } from "../studies/compression.ts";
import type { Scale } from "../studies/cell.ts";

/**
 * The demo's compression settings per scale: the smallest and largest size of `compressionStudy`'s preset
 * (the ends of `pretrainSweep`'s width series, so their pretraining runs come from the demo's store, each with
 * its preset finetuning learning rate), a finetune shorter than the preset's (20 s), three sparsities and three
 * bit widths, evaluated on 600 test examples.
 */
export const DEMO_COMPRESSION: Readonly<Partial<Record<Scale, CompressionStudyOptions>>> = Object.freeze({
  smoke: {
    sizes: [COMPRESSION_PRESETS.smoke.sizes[0], COMPRESSION_PRESETS.smoke.sizes.at(-1)!],
    sparsities: [0, 0.5, 0.9],
    bits: [8, 4, 2],
  },
  demo: {
    sizes: [COMPRESSION_PRESETS.demo.sizes[0], COMPRESSION_PRESETS.demo.sizes.at(-1)!],
    finetune: { seconds: 20, evaluations: 1, evalExamples: 600 },
    sparsities: [0, 0.5, 0.9],
    bits: [8, 4, 2],
    evalExamples: 600,
  },
  // none at full scale: that study belongs on a GPU or a cluster, not in a 10-minute demo
});

/** One model size's line of the demo's compression table (test accuracies, 0–1). */
export interface CompressionRow {
  /** Size label, e.g. `2×256`. */
  size: string;
  /** Parameters of the uncompressed model. */
  params: number;
  /** Accuracy of the finetuned, uncompressed model. */
  dense: number;
  /** Half-width of the dense accuracy's 95% interval. */
  halfWidth: number;
  /** Accuracy after pruning, by sparsity. */
  pruned: Map<number, number>;
  /** Accuracy after quantization, by bits. */
  quantized: Map<number, number>;
}

/** Gathers the compression study's points (`records`) into one row per model size, smallest first. */
export function compressionRows(records: DataFrame): CompressionRow[] {
  const rows = new Map<string, CompressionRow>();
  for (const r of records.toRecords() as Record<string, unknown>[]) {
    const size = String(r.size);
    const row = rows.get(size) ??
      { size, params: Number(r.params), dense: NaN, halfWidth: NaN, pruned: new Map(), quantized: new Map() };
    rows.set(size, row);
    const accuracy = Number(r.accuracy);
    if (r.method === "prune") {
      row.pruned.set(Number(r.sparsity), accuracy);
      if (Number(r.sparsity) === 0) {
        row.dense = accuracy;
        row.halfWidth = (Number(r.accuracyHigh) - Number(r.accuracyLow)) / 2;
      }
    } else row.quantized.set(Number(r.bits), accuracy);
  }
  return [...rows.values()].sort((a, b) => a.params - b.params);
}

const pct = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? "—" : (100 * v).toFixed(1));

/**
 * The compression table and a verdict: does the largest model keep a larger share of its dense accuracy than
 * the smallest at the harshest pruning and quantization, by more than the evaluation's noise?
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { compressionVerdict } from "./demo_compression.ts";
 * const row = (size: string, params: number, dense: number, at90: number) => ({
 *   size, params, dense, halfWidth: 0.02,
 *   pruned: new Map([[0, dense], [0.9, at90]]), quantized: new Map([[2, dense]]),
 * });
 * const text = compressionVerdict([row("2×64", 2e5, 0.4, 0.1), row("2×256", 3e6, 0.5, 0.45)]);
 * assert(text.includes("2×256 kept 90% of its accuracy (lost 5.0 points)") && text.includes("paper's finding"));
 * ```
 */
export function compressionVerdict(rows: CompressionRow[]): string {
  if (rows.length < 2) return "the compression study needs two model sizes to compare";
  const sparsities = [...new Set(rows.flatMap((r) => [...r.pruned.keys()]))].filter((s) => s > 0).sort();
  const bits = [...new Set(rows.flatMap((r) => [...r.quantized.keys()]))].sort((a, b) => b - a);
  const header = [
    "size",
    "dense",
    ...sparsities.map((s) => `pruned ${Math.round(100 * s)}%`),
    ...bits.map((b) => `${b} bits`),
  ];
  const widths = header.map((h, i) => Math.max(i === 0 ? 9 : 6, h.length));
  const line = (cells: string[]) =>
    "  " + cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  const lines = [
    line(header),
    ...rows.map((r) =>
      line([
        r.size,
        pct(r.dense),
        ...sparsities.map((s) => pct(r.pruned.get(s))),
        ...bits.map((b) => pct(r.quantized.get(b))),
      ])
    ),
  ];
  const small = rows[0], large = rows.at(-1)!;
  const harsh = sparsities.at(-1), fewest = bits.at(-1);
  const noise = 100 * Math.max(small.halfWidth, large.halfWidth);
  const parts: string[] = [
    `Test accuracy (%) after finetuning; ±${noise.toFixed(1)} points is the evaluation's 95% interval.`,
  ];
  // Robustness is the share of its dense accuracy a model keeps (points lost would favour the weaker model,
  // which has less to lose); a difference counts when it exceeds both models' relative noise together.
  const compare = (what: string, small_: number | undefined, large_: number | undefined) => {
    if (small_ === undefined || large_ === undefined || !(small.dense > 0 && large.dense > 0)) return;
    const keptSmall = small_ / small.dense, keptLarge = large_ / large.dense;
    const band = small.halfWidth / small.dense + large.halfWidth / large.dense;
    const says = keptLarge > keptSmall + band
      ? "shows the paper's finding: the larger model is more robust"
      : keptSmall > keptLarge + band
      ? "shows the opposite of the paper's finding: the smaller model is more robust"
      : "shows no difference beyond the noise";
    const kept = (r: CompressionRow, v: number) =>
      `${(100 * v / r.dense).toFixed(0)}% of its accuracy (lost ${(100 * (r.dense - v)).toFixed(1)} points)`;
    parts.push(
      `${what}, ${large.size} kept ${kept(large, large_)} and ${small.size} ${
        kept(small, small_)
      }: this run ${says}.`,
    );
  };
  if (harsh !== undefined) {
    compare(
      `Pruned to ${Math.round(100 * harsh)}% sparsity`,
      small.pruned.get(harsh),
      large.pruned.get(harsh),
    );
  }
  if (fewest !== undefined) {
    compare(`Quantized to ${fewest} bits`, small.quantized.get(fewest), large.quantized.get(fewest));
  }
  parts.push(
    "With seconds of finetuning these are weak classifiers (the most frequent class is about 12% of the " +
      "test set); see docs/FINDINGS.md and notebooks/04_compression.ipynb for the longer study.",
  );
  return [...lines, "", parts.join(" ")].join("\n");
}
