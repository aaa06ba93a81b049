/**
 * A run's identity: canonical JSON (keys sorted at every depth, no whitespace) hashed with SHA-256. Two
 * configs that differ only in key order get the same hash; any change of a value gives another.
 *
 * @module
 */
import type { Json } from "../experiments/run_kind.ts";
import { sha256Hex } from "../util/hash.ts";

/**
 * JSON with object keys sorted at every depth; rejects values JSON cannot round-trip (NaN, Infinity,
 * undefined inside arrays, functions), naming the path, so a hash never silently covers a lossy value.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { canonicalJson } from "./hash.ts";
 * assert(canonicalJson({ b: 1, a: { d: [1, 2], c: null } }) === '{"a":{"c":null,"d":[1,2]},"b":1}');
 * ```
 */
export function canonicalJson(value: unknown, path = "config"): string {
  if (value === null || typeof value === "boolean" || typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number") {
    if (!Number.isFinite(value)) {
      throw new Error(`${path} is ${value}; configs must be plain JSON (finite numbers, strings, …)`);
    }
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v, i) => canonicalJson(v, `${path}[${i}]`)).join(",")}]`;
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${
      entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v, `${path}.${k}`)}`).join(",")
    }}`;
  }
  throw new Error(`${path} is a ${typeof value}; configs must be plain JSON`);
}

/** The parts a run's identity is made of. */
export interface RunIdentity {
  /** Run kind name. */
  kind: string;
  /** Full config (defaults merged). */
  config: Json;
  /** The kind's data fingerprint for this config. */
  fingerprint: string;
  /** Library version. */
  version: string;
}

/**
 * The 12-hex-digit hash that names a run's directory: SHA-256 of the canonical identity.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { runHash } from "./hash.ts";
 * const a = await runHash({ kind: "mlm", config: { a: 1, b: 2 }, fingerprint: "f", version: "1" });
 * const b = await runHash({ kind: "mlm", config: { b: 2, a: 1 }, fingerprint: "f", version: "1" });
 * assert(a === b && a.length === 12);
 * ```
 */
export async function runHash(identity: RunIdentity): Promise<string> {
  return (await sha256Hex(canonicalJson(identity))).slice(0, 12);
}
