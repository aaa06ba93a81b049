/**
 * Structured pruning: remove whole attention heads or feed-forward neurons, ranked by L2 norm.
 *
 * A *unit group* lists tensor slices that belong to the same units: for attention heads, the query/key/value
 * weight rows (and biases) of head h and the output projection's columns of head h; for FFN neurons, the
 * intermediate weight row and bias of neuron j and the output weight column j. A unit's importance is the L2
 * norm of all its scored slices together; the `round(fraction × units)` least important units of each group
 * are zeroed in every slice (ties: lower unit index first). Nothing here knows a model's naming: the
 * `attentionHeadGroup` / `ffnNeuronGroup` helpers take the tensor names and the weight layout explicitly.
 *
 * @module
 */
import { checkKeys, checkNumber, OptionError } from "../util/options.ts";
import { tf } from "../backend/tf.ts";
import type { TensorRecord } from "./select.ts";
import { roundHalfEven } from "./select_k.ts";

/** One tensor's share of a unit group: `axis` is split into consecutive blocks of `unitSize`. */
export interface UnitSlice {
  /** Parameter name of the tensor. */
  name: string;
  /** Axis along which the tensor is divided into units. */
  axis: number;
  /** Count this slice in the importance norm (default true); zeroed either way. */
  score?: boolean;
}

/** Tensor slices sharing the same units (one layer's heads, or one layer's FFN neurons). */
export interface UnitGroup {
  /** The tensors whose slices make up each unit. */
  slices: UnitSlice[];
  /** Elements per unit along each slice's axis (head size for heads, 1 for neurons). */
  unitSize: number;
}

/** Weight layout of linear layers: HF/PyTorch stores [out, in]; `x·W` style code stores [in, out]. */
export type WeightLayout = "out-in" | "in-out";

/**
 * The unit group of one attention block's heads. `qkv` are the query/key/value weight names, `qkvBias` their
 * biases (optional, zeroed but not scored), `output` the output projection weight.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { attentionHeadGroup } from "./structured_prune.ts";
 * const p = "roberta.encoder.layer.0.attention.";
 * const g = attentionHeadGroup({
 *   qkv: ["query", "key", "value"].map((n) => `${p}self.${n}.weight`),
 *   output: `${p}output.dense.weight`,
 *   headSize: 64,
 * });
 * assert(g.slices.length === 4 && g.slices[3].axis === 1 && g.unitSize === 64);
 * ```
 */
export function attentionHeadGroup(options: {
  qkv: string[];
  qkvBias?: string[];
  output: string;
  headSize: number;
  layout?: WeightLayout;
}): UnitGroup {
  const outAxis = (options.layout ?? "out-in") === "out-in" ? 0 : 1;
  return {
    unitSize: options.headSize,
    slices: [
      ...options.qkv.map((name) => ({ name, axis: outAxis })),
      { name: options.output, axis: 1 - outAxis },
      ...(options.qkvBias ?? []).map((name) => ({ name, axis: 0, score: false })),
    ],
  };
}

/**
 * The unit group of one feed-forward block's hidden neurons (`intermediate` W1, its bias, `output` W2).
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { ffnNeuronGroup } from "./structured_prune.ts";
 * const g = ffnNeuronGroup({ intermediate: "l.intermediate.dense.weight", output: "l.output.dense.weight" });
 * assert(g.unitSize === 1 && g.slices[1].axis === 1);
 * ```
 */
export function ffnNeuronGroup(options: {
  intermediate: string;
  intermediateBias?: string;
  output: string;
  layout?: WeightLayout;
}): UnitGroup {
  const outAxis = (options.layout ?? "out-in") === "out-in" ? 0 : 1;
  const slices: UnitSlice[] = [
    { name: options.intermediate, axis: outAxis },
    { name: options.output, axis: 1 - outAxis },
  ];
  if (options.intermediateBias) slices.push({ name: options.intermediateBias, axis: 0, score: false });
  return { unitSize: 1, slices };
}

/** Result of `unitMasks`: masks per touched tensor (caller disposes) and the pruned unit indices per group. */
export interface UnitPruneResult {
  /** 0/1 mask per touched tensor, same shape as the tensor. */
  masks: TensorRecord;
  /** `prunedUnits[g]`: indices of the units zeroed in group `g`, ascending. */
  prunedUnits: number[][];
}

/** Maps a flat index of a row-major tensor to its unit along `axis`. */
function unitIndexer(shape: readonly number[], axis: number, unitSize: number): (i: number) => number {
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const size = shape[axis];
  return (i) => Math.floor((Math.floor(i / inner) % size) / unitSize);
}

/**
 * Masks removing the `round(fraction × units)` lowest-norm units of every group.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { tf } from "../backend/tf.ts";
 * import { unitMasks } from "./structured_prune.ts";
 * // Two neurons: W1 rows [1,1] and [3,0]; W2 columns [1,0] and [0,1]. Neuron 0 has the smaller norm.
 * const params = { w1: tf.tensor2d([[1, 1], [3, 0]]), w2: tf.tensor2d([[1, 0], [0, 1]]) };
 * const groups = [{ unitSize: 1, slices: [{ name: "w1", axis: 0 }, { name: "w2", axis: 1 }] }];
 * const { masks, prunedUnits } = await unitMasks(params, groups, { fraction: 0.5 });
 * assert(prunedUnits[0].join() === "0" && (await masks.w2.data()).join() === "0,1,0,1");
 * tf.dispose([...Object.values(params), ...Object.values(masks)]);
 * ```
 */
export async function unitMasks(
  params: TensorRecord,
  groups: readonly UnitGroup[],
  options: { fraction: number },
): Promise<UnitPruneResult> {
  checkKeys("unitMasks", options, ["fraction"]);
  checkNumber("unitMasks", "fraction", options.fraction, { min: 0, max: 1 });
  if (options.fraction === undefined) {
    throw new OptionError("unitMasks", "fraction", "`fraction` is required");
  }
  const keep: Record<string, Float32Array> = {};
  const prunedUnits: number[][] = [];
  for (const [g, group] of groups.entries()) {
    let units = -1;
    for (const s of group.slices) {
      const t = params[s.name];
      if (!t) throw new Error(`unitMasks: group ${g} names tensor "${s.name}", which is not in the record`);
      if (s.axis < 0 || s.axis >= t.rank) {
        throw new Error(
          `unitMasks: group ${g} tensor "${s.name}" has no axis ${s.axis} (shape [${t.shape}])`,
        );
      }
      if (t.shape[s.axis] % group.unitSize !== 0) {
        throw new Error(
          `unitMasks: tensor "${s.name}" axis ${s.axis} has size ${
            t.shape[s.axis]
          }, not a multiple of unitSize ${group.unitSize}`,
        );
      }
      const u = t.shape[s.axis] / group.unitSize;
      if (units >= 0 && u !== units) {
        throw new Error(
          `unitMasks: group ${g} tensor "${s.name}" has ${u} units but earlier slices have ${units}`,
        );
      }
      units = u;
    }
    const sumSq = new Float64Array(units);
    for (const s of group.slices) {
      if (s.score === false) continue;
      const t = params[s.name];
      const v = await t.data();
      const unitOf = unitIndexer(t.shape, s.axis, group.unitSize);
      for (let i = 0; i < v.length; i++) sumSq[unitOf(i)] += v[i] * v[i];
    }
    const k = roundHalfEven(options.fraction * units);
    const order = Array.from({ length: units }, (_, i) => i).sort((a, b) => sumSq[a] - sumSq[b] || a - b);
    const pruned = order.slice(0, k).sort((a, b) => a - b);
    prunedUnits.push(pruned);
    const isPruned = new Uint8Array(units);
    for (const u of pruned) isPruned[u] = 1;
    for (const s of group.slices) {
      const t = params[s.name];
      const m = keep[s.name] ??= new Float32Array(t.size).fill(1);
      const unitOf = unitIndexer(t.shape, s.axis, group.unitSize);
      for (let i = 0; i < m.length; i++) if (isPruned[unitOf(i)]) m[i] = 0;
    }
  }
  const masks: TensorRecord = {};
  for (const [name, m] of Object.entries(keep)) masks[name] = tf.tensor(m, params[name].shape, "float32");
  return { masks, prunedUnits };
}
