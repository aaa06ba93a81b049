/**
 * Unstructured magnitude pruning with `torch.nn.utils.prune` semantics.
 *
 * `scope: "per-tensor"` is `prune.l1_unstructured` on each selected tensor; `scope: "global"` is
 * `prune.global_unstructured(..., pruning_method=L1Unstructured)`: one threshold over the concatenation of all
 * selected tensors (in record key order). Exactly `round(sparsity × n)` entries become zero (Python rounding).
 * Masks are float32 0/1 tensors with each weight's shape, so applying one is a single `mul`.
 *
 * @module
 */
import { tf, type Variable } from "../backend/tf.ts";
import { SELECT_KEYS, type SelectOptions, selectSome, type TensorRecord } from "./select.ts";
import { checkChoice, checkKeys, checkNumber, OptionError } from "../util/options.ts";
import { pruneCount, smallestKMasks } from "./select_k.ts";

/** Options of `magnitudeMasks`. */
export interface MagnitudePruneOptions extends SelectOptions {
  /** Fraction of the selected weights to zero, in [0, 1]. */
  sparsity: number;
  /** One threshold across all selected tensors ("global", default: what the paper uses) or one per tensor. */
  scope?: "global" | "per-tensor";
  /** Existing masks to respect: their zeros stay zero (counted in the new sparsity), as torch's containers do. */
  previous?: TensorRecord;
}

async function absValues(name: string, t: tf.Tensor, previous?: tf.Tensor): Promise<Float32Array> {
  const v = await t.data();
  const prev = previous ? await previous.data() : undefined;
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const x = prev && prev[i] === 0 ? 0 : Math.abs(v[i]);
    if (Number.isNaN(x)) throw new Error(`magnitudeMasks: tensor "${name}" has NaN at flat index ${i}`);
    out[i] = x;
  }
  return out;
}

/**
 * Magnitude-pruning masks (1 keep, 0 prune) for the selected tensors. The caller owns (disposes) the
 * returned masks; `params` is not modified (see `applyMasks`).
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { tf, type Variable } from "../backend/tf.ts";
 * import { magnitudeMasks } from "./magnitude_prune.ts";
 * const params = { "w": tf.tensor2d([[0.1, -4], [3, -0.2]]) };
 * const masks = await magnitudeMasks(params, { sparsity: 0.5 });
 * assert((await masks.w.data()).join() === "0,1,1,0");
 * tf.dispose([params.w, masks.w]);
 * ```
 */
export async function magnitudeMasks(
  params: TensorRecord,
  options: MagnitudePruneOptions,
): Promise<TensorRecord> {
  const w = "magnitudeMasks";
  checkKeys(w, options, ["sparsity", "scope", "previous", ...SELECT_KEYS]);
  checkNumber(w, "sparsity", options.sparsity, { min: 0, max: 1 });
  if (options.sparsity === undefined) {
    throw new OptionError(w, "sparsity", "`sparsity` (in [0, 1]) is required");
  }
  const names = selectSome(w, params, options);
  const scope = options.scope ?? "global";
  checkChoice(w, "scope", scope, ["global", "per-tensor"]);
  for (const [name, mask] of Object.entries(options.previous ?? {})) {
    if (!params[name]) {
      throw new OptionError(
        w,
        "previous",
        `previous mask "${name}" has no tensor of that name in the record`,
      );
    }
    if (mask.shape.join() !== params[name].shape.join()) {
      throw new OptionError(
        w,
        "previous",
        `previous mask "${name}" has shape [${mask.shape}] but the tensor has [${params[name].shape}]`,
      );
    }
  }
  if (names.length === 0) {
    throw new Error("magnitudeMasks: no tensor selected (check include/includeEmbeddings)");
  }
  const scores = await Promise.all(names.map((n) => absValues(n, params[n], options.previous?.[n])));
  const masks: TensorRecord = {};
  const toTensor = (name: string, keep: Uint8Array) => {
    masks[name] = tf.tensor(Float32Array.from(keep), params[name].shape, "float32");
  };
  if (scope === "per-tensor") {
    names.forEach((n, i) =>
      toTensor(n, smallestKMasks(scores[i], pruneCount(options.sparsity, scores[i].length)))
    );
    return masks;
  }
  const total = scores.reduce((s, a) => s + a.length, 0);
  const all = new Float32Array(total);
  let offset = 0;
  for (const s of scores) {
    all.set(s, offset);
    offset += s.length;
  }
  const keep = smallestKMasks(all, pruneCount(options.sparsity, total));
  offset = 0;
  names.forEach((n, i) => {
    toTensor(n, keep.subarray(offset, offset + scores[i].length));
    offset += scores[i].length;
  });
  return masks;
}

/**
 * Multiplies each variable that has a mask by it, in place (`Variable.assign`). Masks are not disposed.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { tf, type Variable } from "../backend/tf.ts";
 * import { applyMasks } from "./magnitude_prune.ts";
 * const w = tf.variable(tf.tensor1d([1, 2, 3]));
 * const m = tf.tensor1d([1, 0, 1]);
 * applyMasks({ w }, { w: m });
 * assert((await w.data()).join() === "1,0,3");
 * tf.dispose([w, m]);
 * ```
 */
export function applyMasks(params: Record<string, Variable>, masks: TensorRecord): void {
  for (const [name, mask] of Object.entries(masks)) {
    const v = params[name];
    if (!v) throw new Error(`applyMasks: mask "${name}" has no parameter of that name`);
    checkMaskShape("applyMasks", name, mask, v);
    if (typeof (v as tf.Variable).assign !== "function") {
      throw new Error(
        `applyMasks: parameter "${name}" is not a tf.Variable; use maskedCopy for plain tensors`,
      );
    }
    tf.tidy(() => v.assign(tf.mul(v, mask)));
  }
}

/**
 * A new record: masked tensors where a mask exists, clones of the others. The caller disposes the result.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { tf, type Variable } from "../backend/tf.ts";
 * import { maskedCopy } from "./magnitude_prune.ts";
 * const p = { w: tf.tensor1d([1, 2]), b: tf.tensor1d([5]) };
 * const m = { w: tf.tensor1d([0, 1]) };
 * const out = maskedCopy(p, m);
 * assert((await out.w.data()).join() === "0,2" && (await out.b.data())[0] === 5);
 * tf.dispose([...Object.values(p), m.w, ...Object.values(out)]);
 * ```
 */
export function maskedCopy(params: TensorRecord, masks: TensorRecord): TensorRecord {
  for (const [name, mask] of Object.entries(masks)) {
    if (!params[name]) throw new Error(`maskedCopy: mask "${name}" has no tensor of that name`);
    checkMaskShape("maskedCopy", name, mask, params[name]);
  }
  const out: TensorRecord = {};
  for (const [name, t] of Object.entries(params)) {
    out[name] = masks[name] ? tf.mul(t, masks[name]) : tf.clone(t);
  }
  return out;
}

/** A mask must have its weight's exact shape: a broadcast would silently prune whole rows or columns. */
function checkMaskShape(where: string, name: string, mask: tf.Tensor, weight: tf.Tensor): void {
  if (mask.shape.join() !== weight.shape.join()) {
    throw new OptionError(
      where,
      "masks",
      `mask "${name}" has shape [${mask.shape}] but the weight has [${weight.shape}]; masks are never broadcast`,
    );
  }
}
