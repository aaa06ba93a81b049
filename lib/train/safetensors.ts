/**
 * The safetensors file format, written by hand (there is no maintained JS package for it): an 8-byte
 * little-endian header length N, N bytes of JSON header `{name: {dtype, shape, data_offsets: [begin, end]}}`
 * (offsets relative to the data section, padded with spaces to a multiple of 8), then the raw
 * little-endian tensor bytes. Spec: https://github.com/huggingface/safetensors#format.
 *
 * Decoding validates everything and names the tensor and byte range that is wrong.
 *
 * @module
 */

/** Data types this implementation reads and writes. */
export type Dtype = "F32" | "I32" | "U8";

/** One tensor's bytes, as a typed array in row-major order. */
export interface SafeTensor {
  /** Element type as safetensors names it. */
  dtype: Dtype;
  /** Dimensions, outermost first. */
  shape: number[];
  /** The elements; its length is the product of `shape`. */
  data: Float32Array | Int32Array | Uint8Array;
}

const BYTES: Record<Dtype, number> = { F32: 4, I32: 4, U8: 1 };

if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
  throw new Error("safetensors: this implementation assumes a little-endian host");
}

function elements(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * Serialises `tensors` (in insertion order) with optional string `metadata`.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { decodeSafetensors, encodeSafetensors } from "./safetensors.ts";
 * const bytes = encodeSafetensors({ w: { dtype: "F32", shape: [2], data: new Float32Array([1, 2]) } });
 * assert(Array.from(decodeSafetensors(bytes).tensors.w.data).join() === "1,2");
 * ```
 */
export function encodeSafetensors(
  tensors: Record<string, SafeTensor>,
  metadata?: Record<string, string>,
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    const bytes = elements(t.shape) * BYTES[t.dtype];
    if (t.data.byteLength !== bytes) {
      throw new Error(
        `safetensors: tensor "${name}" has ${t.data.byteLength} bytes, its ${t.dtype} [${t.shape}] needs ${bytes}`,
      );
    }
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  json += " ".repeat((8 - ((8 + new TextEncoder().encode(json).length) % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const t of Object.values(tensors)) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
    at += t.data.byteLength;
  }
  return out;
}

/**
 * Parses and validates a safetensors file. `source` names the file in error messages.
 *
 * @example
 * ```ts
 * import { assertThrows } from "@std/assert";
 * import { decodeSafetensors } from "./safetensors.ts";
 * assertThrows(() => decodeSafetensors(new Uint8Array(4), "x.safetensors"), Error, "x.safetensors: 4 bytes");
 * ```
 */
export function decodeSafetensors(
  bytes: Uint8Array,
  source = "<bytes>",
): { tensors: Record<string, SafeTensor>; metadata: Record<string, string> } {
  const fail = (what: string): never => {
    throw new Error(`${source}: ${what}`);
  };
  if (bytes.length < 8) {
    fail(`${bytes.length} bytes is too short for a safetensors file (8-byte header length missing)`);
  }
  const n64 = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (n64 > BigInt(bytes.length - 8)) {
    fail(
      `header length ${n64} (bytes 0-7) exceeds the ${
        bytes.length - 8
      } bytes after it; the file is truncated or not safetensors`,
    );
  }
  const n = Number(n64);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch (e) {
    return fail(`header (bytes 8-${8 + n - 1}) is not valid UTF-8 JSON: ${(e as Error).message}`);
  }
  if (header === null || typeof header !== "object" || Array.isArray(header)) {
    fail("header is not a JSON object");
  }
  const dataStart = 8 + n, dataLength = bytes.length - dataStart;
  const tensors: Record<string, SafeTensor> = {};
  const ranges: Array<[number, number, string]> = [];
  for (const [name, entry] of Object.entries(header)) {
    if (name === "__metadata__") continue;
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const dtype = e?.dtype as Dtype;
    if (!(typeof dtype === "string" && dtype in BYTES)) {
      fail(
        `tensor "${name}" has dtype ${JSON.stringify(e?.dtype)}; supported: ${Object.keys(BYTES).join(", ")}`,
      );
    }
    const shape = e.shape as number[];
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
      fail(`tensor "${name}" has shape ${JSON.stringify(e.shape)}; expected a list of non-negative integers`);
    }
    const off = e.data_offsets as number[];
    if (
      !Array.isArray(off) || off.length !== 2 || !off.every((x) => Number.isInteger(x) && x >= 0) ||
      off[1] < off[0]
    ) {
      fail(
        `tensor "${name}" has data_offsets ${
          JSON.stringify(e.data_offsets)
        }; expected [begin, end] with begin ≤ end`,
      );
    }
    const [begin, end] = off;
    const where = `data bytes ${begin}-${end} (file bytes ${dataStart + begin}-${dataStart + end})`;
    if (end > dataLength) {
      fail(`tensor "${name}": ${where} run past the end of the file (${dataLength} data bytes)`);
    }
    const need = elements(shape) * BYTES[dtype];
    if (end - begin !== need) {
      fail(`tensor "${name}": ${where} hold ${end - begin} bytes but ${dtype} [${shape}] needs ${need}`);
    }
    const raw = bytes.slice(dataStart + begin, dataStart + end); // copy: aligned, and detached from the file
    const data = dtype === "F32"
      ? new Float32Array(raw.buffer)
      : dtype === "I32"
      ? new Int32Array(raw.buffer)
      : raw;
    tensors[name] = { dtype, shape, data };
    ranges.push([begin, end, name]);
  }
  ranges.sort((a, b) => a[0] - b[0]);
  let covered = 0;
  for (const [begin, end, name] of ranges) {
    if (begin < covered) {
      fail(`tensor "${name}": data bytes ${begin}-${end} overlap the previous tensor (ends at ${covered})`);
    }
    if (begin > covered) fail(`data bytes ${covered}-${begin} belong to no tensor (before "${name}")`);
    covered = end;
  }
  if (covered !== dataLength) {
    fail(`data bytes ${covered}-${dataLength} belong to no tensor (trailing bytes)`);
  }
  const metadata = (header.__metadata__ ?? {}) as Record<string, string>;
  return { tensors, metadata };
}
