/**
 * Fake-quantize the selected tensors of a parameter record, for accuracy evaluation of a k-bit model, and
 * report the storage it would take.
 *
 * @module
 */
import { tf } from "../backend/tf.ts";
import {
  checkQuantizeOptions,
  fakeQuantizeValues,
  QUANTIZE_KEYS,
  quantizedBits,
  type QuantizeOptions,
} from "./quantize.ts";
import { SELECT_KEYS, type SelectOptions, selectSome, type TensorRecord } from "./select.ts";
import { checkKeys } from "../util/options.ts";

/** One row per tensor (flat, JSON-safe): storage in bits before and after. */
export interface QuantizeRow {
  /** Tensor name. */
  name: string;
  /** Number of elements. */
  numel: number;
  /** 0 when the tensor was not selected (kept float32). */
  bits: number;
  /** Bits to store the tensor as written: codes plus scales and zero points, or 32 per element if kept float32. */
  storageBits: number;
  /** Bits of the same tensor as float32 (32 per element). */
  denseBits: number;
}

/** Result of `fakeQuantizeRecord`: the new record (caller disposes) and its storage report. */
export interface FakeQuantizeResult {
  /** Every tensor of the input record, the selected ones fake-quantized (caller disposes). */
  params: TensorRecord;
  /** One row per tensor, in record order. */
  rows: QuantizeRow[];
  /** Σ storageBits over the whole record, float32 tensors included. */
  totalBits: number;
  /** Σ denseBits (32 per parameter). */
  denseBits: number;
}

/**
 * Fake-quantizes the selected tensors (others are cloned unchanged).
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { tf } from "../backend/tf.ts";
 * import { fakeQuantizeRecord } from "./quantize_record.ts";
 * const p = { w: tf.tensor2d([[0.1, -0.7], [0.3, 0.9]]), b: tf.tensor1d([0.123]) };
 * const r = await fakeQuantizeRecord(p, { bits: 4 });
 * // w: 4 bits × 4 + 2 channels × (32-bit scale + 32-bit zero point); b stays 32-bit
 * assert(r.rows[0].storageBits === 16 + 128 && r.rows[1].storageBits === 32);
 * tf.dispose([...Object.values(p), ...Object.values(r.params)]);
 * ```
 */
export async function fakeQuantizeRecord(
  params: TensorRecord,
  options: QuantizeOptions & SelectOptions,
): Promise<FakeQuantizeResult> {
  checkKeys("fakeQuantizeRecord", options, [...QUANTIZE_KEYS, ...SELECT_KEYS]);
  const { include: _i, includeEmbeddings: _e, embeddingPattern: _p, ...quantize } = options;
  checkQuantizeOptions(quantize);
  const selected = new Set(selectSome("fakeQuantizeRecord", params, options));
  const out: TensorRecord = {};
  const rows: QuantizeRow[] = [];
  for (const [name, t] of Object.entries(params)) {
    const denseBits = t.size * 32;
    if (!selected.has(name)) {
      out[name] = tf.clone(t);
      rows.push({ name, numel: t.size, bits: 0, storageBits: denseBits, denseBits });
      continue;
    }
    let result;
    try {
      result = fakeQuantizeValues((await t.data()) as Float32Array, t.shape, quantize);
    } catch (e) {
      throw new Error(`fakeQuantizeRecord: tensor "${name}": ${(e as Error).message}`);
    }
    out[name] = tf.tensor(result.values, t.shape, "float32");
    rows.push({
      name,
      numel: t.size,
      bits: options.bits,
      storageBits: quantizedBits(t.size, result.params),
      denseBits,
    });
  }
  const totalBits = rows.reduce((s, r) => s + r.storageBits, 0),
    denseBits = rows.reduce((s, r) => s + r.denseBits, 0);
  return { params: out, rows, totalBits, denseBits };
}
