/**
 * Save and load compressed models: a tensor record written in the `compressed_format.ts` layout, atomically
 * (temporary file + rename, so a crash never leaves a half-written model under the final name).
 *
 * @module
 */
import { writeFileAtomic } from "../util/atomic_file.ts";
import { tf } from "../backend/tf.ts";
import {
  decodeCompressed,
  encodeCompressed,
  type RawTensor,
  type TensorEncoding,
} from "./compressed_format.ts";
import { checkQuantizeOptions, type QuantizeOptions } from "./quantize.ts";
import { SELECT_KEYS, type SelectOptions, selectSome, type TensorRecord } from "./select.ts";
import { checkKeys } from "../util/options.ts";

/** Options of `saveCompressed`: how the selected tensors are stored (the others stay dense float32). */
export interface SaveCompressedOptions extends SelectOptions {
  /** "sparse": bitmask + nonzero values (for pruned models); "quantized": packed k-bit codes + scales. */
  encoding: "sparse" | "quantized";
  /** Required with "quantized". */
  quantize?: QuantizeOptions;
}

/** What `saveCompressed` wrote (flat, JSON-safe). */
export interface SaveCompressedResult {
  /** The file written. */
  path: string;
  /** File size. */
  bytes: number;
  /** Size of the same record as raw float32 (4 bytes per parameter), for the compression ratio. */
  denseBytes: number;
}

/**
 * Encodes a record to bytes (see `compressed_format.ts`).
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { tf } from "../backend/tf.ts";
 * import { encodeRecord } from "./compressed_file.ts";
 * const p = { w: tf.zeros([64, 64]) };
 * const bytes = await encodeRecord(p, { encoding: "sparse" });
 * assert(bytes.length < 64 * 64 * 4 / 4); // an all-zero matrix costs its 1-bit mask and a header
 * p.w.dispose();
 * ```
 */
export async function encodeRecord(
  params: TensorRecord,
  options: SaveCompressedOptions,
): Promise<Uint8Array> {
  checkKeys("saveCompressed", options, ["encoding", "quantize", ...SELECT_KEYS]);
  if (options.encoding !== "sparse" && options.encoding !== "quantized") {
    throw new Error(`saveCompressed: encoding must be "sparse" or "quantized", got "${options.encoding}"`);
  }
  if (options.encoding === "quantized" && !options.quantize) {
    throw new Error('saveCompressed: encoding "quantized" needs options.quantize (e.g. { bits: 8 })');
  }
  if (options.quantize) checkQuantizeOptions(options.quantize);
  const selected = new Set(selectSome("saveCompressed", params, options));
  const raw: Record<string, RawTensor> = {};
  const encodings: Record<string, TensorEncoding> = {};
  for (const [name, t] of Object.entries(params)) {
    if (t.dtype !== "float32") {
      throw new Error(`saveCompressed: tensor "${name}" is ${t.dtype}; only float32 is stored`);
    }
    raw[name] = { shape: [...t.shape], values: (await t.data()) as Float32Array };
    if (selected.has(name)) {
      encodings[name] = options.encoding === "sparse"
        ? { kind: "bitmask" }
        : { kind: "quantized", quantize: options.quantize! };
    }
  }
  return encodeCompressed(raw, encodings);
}

/**
 * Writes `params` compressed to `path` atomically.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { tf } from "../backend/tf.ts";
 * import { loadCompressed, saveCompressed } from "./compressed_file.ts";
 * const path = await Deno.makeTempFile({ suffix: ".tlcz" });
 * const p = { w: tf.tensor2d([[0.5, -1], [0.25, 2]]) };
 * const r = await saveCompressed(path, p, { encoding: "quantized", quantize: { bits: 4 } });
 * const back = await loadCompressed(path);
 * assert(r.bytes > 0 && back.w.shape.join() === "2,2");
 * tf.dispose([p.w, back.w]);
 * await Deno.remove(path);
 * ```
 */
export async function saveCompressed(
  path: string,
  params: TensorRecord,
  options: SaveCompressedOptions,
): Promise<SaveCompressedResult> {
  const bytes = await encodeRecord(params, options);
  try {
    await writeFileAtomic(path, bytes);
  } catch (e) {
    throw new Error(`saveCompressed: ${(e as Error).message}`);
  }
  const denseBytes = Object.values(params).reduce((s, t) => s + t.size * 4, 0);
  return { path, bytes: bytes.length, denseBytes };
}

/**
 * Reads a compressed model: the effective float32 weights (pruned values exactly; quantized weights as
 * `(q − zeroPoint) × scale`, bit-identical to fake quantization). The caller disposes the tensors.
 * Validation errors name the file, tensor, section and byte range.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { tf } from "../backend/tf.ts";
 * import { loadCompressed, saveCompressed } from "./compressed_file.ts";
 * const path = await Deno.makeTempFile({ suffix: ".tlcz" });
 * const w = tf.tensor2d([[0, 0, 1.5], [0, -2, 0]]);
 * await saveCompressed(path, { w }, { encoding: "sparse" });
 * const back = await loadCompressed(path);
 * assert((await back.w.data()).join() === "0,0,1.5,0,-2,0");
 * tf.dispose([w, back.w]);
 * await Deno.remove(path);
 * ```
 */
export async function loadCompressed(path: string): Promise<TensorRecord> {
  const raw = decodeCompressed(await Deno.readFile(path), path);
  const out: TensorRecord = {};
  for (const [name, t] of Object.entries(raw)) out[name] = tf.tensor(t.values, t.shape, "float32");
  return out;
}
