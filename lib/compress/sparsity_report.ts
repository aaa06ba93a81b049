/**
 * Sparsity reports: nonzero counts per tensor and overall, as flat JSON-safe rows.
 *
 * @module
 */
import { type SelectOptions, selectTensors, type TensorRecord } from "./select.ts";

/** One row of a sparsity report; `name` is "(selected)" for the total over the selected tensors. */
export interface SparsityRow {
  /** Tensor name, or "(selected)" for the total. */
  name: string;
  /** Number of elements. */
  numel: number;
  /** Number of elements that are not zero. */
  nonzero: number;
  /** 1 − nonzero / numel. */
  sparsity: number;
}

/** Per-tensor rows, the total over the selected tensors, and the count over the whole record. */
export interface SparsityReport {
  /** One row per selected tensor, in record order. */
  tensors: SparsityRow[];
  /** Total over the selected tensors. */
  overall: SparsityRow;
  /** Nonzero parameters of the whole record (selected or not): the model's effective size. */
  totalNonzero: number;
  /** Parameters of the whole record (selected or not). */
  totalParameters: number;
}

/**
 * Counts zeros exactly (reads each tensor once).
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { tf } from "../backend/tf.ts";
 * import { sparsityReport } from "./sparsity_report.ts";
 * const p = { w: tf.tensor2d([[0, 1], [0, 0]]), b: tf.tensor1d([0, 2]) };
 * const r = await sparsityReport(p);
 * assert(r.overall.sparsity === 0.75 && r.totalNonzero === 2 && r.totalParameters === 6);
 * tf.dispose(Object.values(p));
 * ```
 */
export async function sparsityReport(
  params: TensorRecord,
  options: SelectOptions = {},
): Promise<SparsityReport> {
  const selected = new Set(selectTensors(params, options));
  const tensors: SparsityRow[] = [];
  let totalNonzero = 0, totalParameters = 0;
  for (const [name, t] of Object.entries(params)) {
    const v = await t.data();
    let nonzero = 0;
    for (let i = 0; i < v.length; i++) if (v[i] !== 0) nonzero++;
    totalNonzero += nonzero;
    totalParameters += v.length;
    if (selected.has(name)) {
      tensors.push({ name, numel: v.length, nonzero, sparsity: v.length ? 1 - nonzero / v.length : 0 });
    }
  }
  const numel = tensors.reduce((s, r) => s + r.numel, 0),
    nonzero = tensors.reduce((s, r) => s + r.nonzero, 0);
  const overall = { name: "(selected)", numel, nonzero, sparsity: numel ? 1 - nonzero / numel : 0 };
  return { tensors, overall, totalNonzero, totalParameters };
}
