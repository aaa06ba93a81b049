/**
 * Checks at the start of a run that every rank was given the same configuration: each field is hashed,
 * the hashes are compared with two all-reduces (max and min), and when they differ rank 0's value of each
 * differing field is broadcast so that every rank's error names the field and both values.
 *
 * @module
 */
import { broadcastJson, type Communicator } from "./communicator.ts";

/**
 * JSON with object keys sorted, functions as their source and typed arrays as arrays.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { canonicalJson } from "./agree.ts";
 * assert(canonicalJson({ b: 1, a: new Int32Array([2]) }) === '{"a":[2],"b":1}');
 * ```
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) => {
    if (typeof v === "function") return `function ${v.name}: ${String(v)}`;
    if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
      return Array.from(v as unknown as ArrayLike<number>);
    }
    if (v !== null && typeof v === "object" && !Array.isArray(v)) {
      return Object.fromEntries(Object.keys(v).sort().map((k) => [k, (v as Record<string, unknown>)[k]]));
    }
    return v;
  }) ?? "undefined";
}

/**
 * A 52-bit hash of a string (two FNV-1a 32-bit hashes, one truncated to 20 bits), exact in a float64.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { hash52 } from "./agree.ts";
 * assert(hash52("a") !== hash52("b") && Number.isSafeInteger(hash52("a")));
 * ```
 */
export function hash52(text: string): number {
  let a = 0x811c9dc5, b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193) >>> 0;
    b = Math.imul(b ^ c, 0x01000193 + 2) >>> 0;
  }
  return a * 2 ** 20 + (b & 0xfffff);
}

/**
 * A 52-bit hash of bytes (as `hash52`), for parameter values and other large arrays.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { hashBytes } from "./agree.ts";
 * const x = new Float32Array([1, 2]);
 * assert(hashBytes(new Uint8Array(x.buffer)) !== hashBytes(new Uint8Array(new Float32Array([1, 3]).buffer)));
 * ```
 */
export function hashBytes(bytes: Uint8Array): number {
  let a = 0x811c9dc5, b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < bytes.length; i++) {
    a = Math.imul(a ^ bytes[i], 0x01000193) >>> 0;
    b = Math.imul(b ^ bytes[i], 0x01000193 + 2) >>> 0;
  }
  return a * 2 ** 20 + (b & 0xfffff);
}

const SHOWN = 160;

function shorten(json: string): string {
  return json.length <= SHOWN ? json : `${json.slice(0, SHOWN)}… (${json.length} characters)`;
}

/**
 * Throws on every rank, naming each field that differs, unless all ranks passed equal `fields`. A
 * collective: every rank must call it with the same field names.
 *
 * @example
 * ```ts
 * import { singleProcess } from "./communicator.ts";
 * import { agreeOnConfig } from "./agree.ts";
 * agreeOnConfig(singleProcess(), { seed: 0, schedule: { peakLr: 1e-3 } }); // one rank always agrees
 * ```
 */
export function agreeOnConfig(comm: Communicator, fields: Record<string, unknown>): void {
  const names = Object.keys(fields).sort();
  const jsons = names.map((n) => canonicalJson(fields[n]));
  const hashes = new Float64Array([names.length, hash52(names.join("\n")), ...jsons.map(hash52)]);
  const low = hashes.slice(0, 2), high = hashes.slice(0, 2);
  comm.allReduce(low, "min");
  comm.allReduce(high, "max");
  if (low[0] !== high[0] || low[1] !== high[1]) {
    throw new Error(
      `distributed: the ranks check different sets of configuration fields (rank ${comm.rank} has ` +
        `${names.join(", ")}): every rank must run the same version of trainlarge and the same script`,
    );
  }
  const lo = hashes.slice(2), hi = hashes.slice(2);
  comm.allReduce(lo, "min");
  comm.allReduce(hi, "max");
  const differing = names.filter((_, i) => lo[i] !== hi[i]);
  if (differing.length === 0) return;
  const parts: string[] = [];
  for (const name of differing) {
    const mine = jsons[names.indexOf(name)];
    const root = broadcastJson(comm, mine, 0);
    parts.push(
      root === mine
        ? `${name} (rank ${comm.rank} agrees with rank 0, another rank differs)`
        : `${name} is ${shorten(mine)} on rank ${comm.rank} but ${shorten(root)} on rank 0`,
    );
  }
  throw new Error(
    `distributed: the ranks were started with different configurations: ${parts.join("; ")}. ` +
      "Start every rank with the same options, data and checkpoint",
  );
}
