/**
 * A compressed-model file format: sparse tensors as bitmask + nonzero values, quantized tensors as packed
 * k-bit integers + per-channel scales and zero points, everything else dense float32.
 *
 * Layout (all integers little-endian):
 * ```
 * [0, 4)        magic "TLCZ"
 * [4, 8)        u32 format version (1)
 * [8, 12)       u32 H = header byte length
 * [12, 12 + H)  UTF-8 JSON header: { "tensors": [TensorEntry, …] }
 * [12 + H, end) payload; every section is [offset, length, fnv1a32] with offset relative to the payload
 * ```
 * TensorEntry: `{ name, shape, encoding, sections, quant? }` where `encoding` is
 * - `"dense"`: section `values` = numel float32;
 * - `"bitmask"`: section `mask` = ceil(numel / 8) bytes, bit i (LSB first) set when element i is nonzero;
 *   section `values` = the nonzero elements in order, float32 (a zero of either sign loads as +0);
 * - `"quantized"`: section `codes` = ceil(numel × bits / 8) bytes, each code `q − quantMin` in `bits` bits,
 *   packed LSB first; sections `scales` (C float32) and `zeroPoints` (C int32); `quant` =
 *   `{ bits, scheme, axis, quantMin, quantMax }` (axis −1 = per-tensor). Loading computes
 *   `(q − zeroPoint) × scale` in float32, bit-identical to `fakeQuantizeValues`.
 * The checksum is FNV-1a (32-bit) of the section's bytes. Written by hand: no npm library offers a sparse +
 * sub-byte quantized tensor container (safetensors has neither).
 *
 * @module
 */
import {
  dequantizeCodes,
  quantizeCodes,
  type QuantizeOptions,
  type QuantParams,
  quantParams,
} from "./quantize.ts";

const MAGIC = "TLCZ";
const VERSION = 1;

/** A tensor as raw values: what the format stores and restores. */
export interface RawTensor {
  /** Tensor shape. */
  shape: number[];
  /** Row-major values. */
  values: Float32Array;
}

/** How to encode one tensor. */
export type TensorEncoding = { kind: "dense" } | { kind: "bitmask" } | {
  kind: "quantized";
  quantize: QuantizeOptions;
};

type Section = [offset: number, length: number, checksum: number];
interface TensorEntry {
  name: string;
  shape: number[];
  encoding: "dense" | "bitmask" | "quantized";
  sections: Record<string, Section>;
  quant?: Omit<QuantParams, "scale" | "zeroPoint">;
}

if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
  throw new Error("compressed_format: big-endian hosts are not supported (the format is little-endian)");
}

/**
 * FNV-1a 32-bit hash of `bytes`.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { fnv1a32 } from "./compressed_format.ts";
 * assert(fnv1a32(new TextEncoder().encode("a")) === 0xe40c292c);
 * ```
 */
export function fnv1a32(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return h >>> 0;
}

function packCodes(codes: Int32Array, bits: number, quantMin: number): Uint8Array {
  const out = new Uint8Array(Math.ceil((codes.length * bits) / 8));
  let bitPos = 0;
  for (let i = 0; i < codes.length; i++, bitPos += bits) {
    const u = codes[i] - quantMin;
    const byte = bitPos >>> 3, shift = bitPos & 7;
    out[byte] |= (u << shift) & 0xff;
    if (shift + bits > 8) out[byte + 1] |= u >>> (8 - shift);
  }
  return out;
}

function unpackCodes(bytes: Uint8Array, n: number, bits: number, quantMin: number): Int32Array {
  const codes = new Int32Array(n), maskBits = (1 << bits) - 1;
  let bitPos = 0;
  for (let i = 0; i < n; i++, bitPos += bits) {
    const byte = bitPos >>> 3, shift = bitPos & 7;
    let u = bytes[byte] >>> shift;
    if (shift + bits > 8) u |= bytes[byte + 1] << (8 - shift);
    codes[i] = (u & maskBits) + quantMin;
  }
  return codes;
}

const asBytes = (a: Float32Array | Int32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/**
 * Serialises tensors with the given encodings (default dense).
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { decodeCompressed, encodeCompressed } from "./compressed_format.ts";
 * const w = { shape: [2, 4], values: new Float32Array([0, 1.5, 0, 0, -2, 0, 0, 0]) };
 * const bytes = encodeCompressed({ w }, { w: { kind: "bitmask" } });
 * assert(decodeCompressed(bytes).w.values.join() === w.values.join());
 * ```
 */
export function encodeCompressed(
  tensors: Record<string, RawTensor>,
  encodings: Record<string, TensorEncoding> = {},
): Uint8Array {
  const entries: TensorEntry[] = [];
  const chunks: Uint8Array[] = [];
  let payloadLength = 0;
  const add = (bytes: Uint8Array): Section => {
    chunks.push(bytes);
    const s: Section = [payloadLength, bytes.length, fnv1a32(bytes)];
    payloadLength += bytes.length;
    return s;
  };
  for (const [name, t] of Object.entries(tensors)) {
    const numel = t.shape.reduce((a, b) => a * b, 1);
    if (numel !== t.values.length) {
      throw new Error(
        `encodeCompressed: tensor "${name}" has ${t.values.length} values for shape [${t.shape}]`,
      );
    }
    const enc = encodings[name] ?? { kind: "dense" };
    if (enc.kind === "dense") {
      entries.push({
        name,
        shape: t.shape,
        encoding: "dense",
        sections: { values: add(asBytes(t.values.slice())) },
      });
    } else if (enc.kind === "bitmask") {
      const mask = new Uint8Array(Math.ceil(numel / 8));
      let nnz = 0;
      for (let i = 0; i < numel; i++) if (t.values[i] !== 0) (mask[i >>> 3] |= 1 << (i & 7)), nnz++;
      const values = new Float32Array(nnz);
      for (let i = 0, j = 0; i < numel; i++) if (t.values[i] !== 0) values[j++] = t.values[i];
      entries.push({
        name,
        shape: t.shape,
        encoding: "bitmask",
        sections: { mask: add(mask), values: add(asBytes(values)) },
      });
    } else if (enc.kind === "quantized") {
      const qp = quantParams(t.values, t.shape, enc.quantize);
      const codes = quantizeCodes(t.values, t.shape, qp);
      const { scale, zeroPoint, ...quant } = qp;
      entries.push({
        name,
        shape: t.shape,
        encoding: "quantized",
        quant,
        sections: {
          codes: add(packCodes(codes, qp.bits, qp.quantMin)),
          scales: add(asBytes(scale)),
          zeroPoints: add(asBytes(zeroPoint)),
        },
      });
    } else {
      throw new Error(`encodeCompressed: tensor "${name}" has unknown encoding ${JSON.stringify(enc)}`);
    }
  }
  const header = new TextEncoder().encode(JSON.stringify({ tensors: entries }));
  const out = new Uint8Array(12 + header.length + payloadLength);
  out.set(new TextEncoder().encode(MAGIC), 0);
  const dv = new DataView(out.buffer);
  dv.setUint32(4, VERSION, true);
  dv.setUint32(8, header.length, true);
  out.set(header, 12);
  let offset = 12 + header.length;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}

/**
 * Parses and validates a compressed file's bytes. Every inconsistency is an error naming `source`, the
 * tensor, the section and its absolute byte range.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { decodeCompressed } from "./compressed_format.ts";
 * try {
 *   decodeCompressed(new Uint8Array(4), "model.tlcz");
 * } catch (e) {
 *   assert((e as Error).message.startsWith("model.tlcz: file is 4 bytes"));
 * }
 * ```
 */
export function decodeCompressed(bytes: Uint8Array, source = "<bytes>"): Record<string, RawTensor> {
  const fail = (msg: string): never => {
    throw new Error(`${source}: ${msg}`);
  };
  if (bytes.length < 12) fail(`file is ${bytes.length} bytes, shorter than the 12-byte preamble`);
  if (new TextDecoder().decode(bytes.subarray(0, 4)) !== MAGIC) {
    fail(`bytes [0, 4) are not the magic "${MAGIC}": not a trainlarge compressed model`);
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = dv.getUint32(4, true);
  if (version !== VERSION) {
    fail(`format version ${version} at bytes [4, 8); this reader knows version ${VERSION}`);
  }
  const h = dv.getUint32(8, true);
  if (12 + h > bytes.length) {
    fail(`header bytes [12, ${12 + h}) run past the end of the file (${bytes.length} bytes)`);
  }
  let header: { tensors: TensorEntry[] };
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(12, 12 + h)));
  } catch (e) {
    return fail(`header bytes [12, ${12 + h}) are not valid UTF-8 JSON: ${(e as Error).message}`);
  }
  if (!header || !Array.isArray(header.tensors)) fail(`header bytes [12, ${12 + h}) have no "tensors" array`);
  const base = 12 + h, payloadLength = bytes.length - base;
  const out: Record<string, RawTensor> = {};
  for (const [k, e] of header.tensors.entries()) {
    const who = `tensor ${k} "${e?.name}"`;
    if (typeof e?.name !== "string") fail(`tensor ${k} has no name`);
    if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isInteger(d) && d >= 0)) {
      fail(`${who} has invalid shape ${JSON.stringify(e.shape)}`);
    }
    const numel = e.shape.reduce((a, b) => a * b, 1);
    const section = (key: string, expectedLength?: number): Uint8Array => {
      const s = e.sections?.[key];
      if (!Array.isArray(s) || s.length !== 3 || !s.every((x) => Number.isInteger(x) && x >= 0)) {
        return fail(`${who} has no valid "${key}" section`);
      }
      const [off, len, sum] = s;
      const range = `bytes [${base + off}, ${base + off + len})`;
      if (off + len > payloadLength) {
        fail(`${who} section "${key}" ${range} runs past the end of the file (${bytes.length} bytes)`);
      }
      if (expectedLength !== undefined && len !== expectedLength) {
        fail(
          `${who} section "${key}" ${range} has ${len} bytes, expected ${expectedLength} for shape [${e.shape}]`,
        );
      }
      const data = bytes.slice(base + off, base + off + len);
      if (fnv1a32(data) !== sum) {
        fail(`${who} section "${key}" ${range} fails its checksum (corrupted or truncated)`);
      }
      return data;
    };
    if (e.encoding === "dense") {
      out[e.name] = { shape: e.shape, values: new Float32Array(section("values", numel * 4).buffer) };
    } else if (e.encoding === "bitmask") {
      const mask = section("mask", Math.ceil(numel / 8));
      let nnz = 0;
      for (let i = 0; i < numel; i++) if (mask[i >>> 3] & (1 << (i & 7))) nnz++;
      const nz = new Float32Array(section("values", nnz * 4).buffer);
      const values = new Float32Array(numel);
      for (let i = 0, j = 0; i < numel; i++) if (mask[i >>> 3] & (1 << (i & 7))) values[i] = nz[j++];
      out[e.name] = { shape: e.shape, values };
    } else if (e.encoding === "quantized") {
      const q = e.quant;
      if (
        !q || !Number.isInteger(q.bits) || q.bits < 2 || q.bits > 8 ||
        q.quantMax - q.quantMin !== 2 ** q.bits - 1
      ) {
        return fail(`${who} has invalid quant parameters ${JSON.stringify(q)}`);
      }
      const channels = q.axis < 0 ? 1 : e.shape[q.axis];
      if (channels === undefined) fail(`${who} quant axis ${q.axis} is outside shape [${e.shape}]`);
      const qp: QuantParams = {
        ...q,
        scale: new Float32Array(section("scales", channels * 4).buffer),
        zeroPoint: new Int32Array(section("zeroPoints", channels * 4).buffer),
      };
      const codes = unpackCodes(section("codes", Math.ceil((numel * q.bits) / 8)), numel, q.bits, q.quantMin);
      const values = dequantizeCodes(codes, e.shape, qp);
      out[e.name] = { shape: e.shape, values };
    } else {
      fail(`${who} has unknown encoding "${e.encoding}"`);
    }
  }
  return out;
}
