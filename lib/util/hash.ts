/**
 * Content hashes: the hex SHA-256 that checkpoints, tokenizer fingerprints and run identities are made of.
 *
 * @module
 */

/**
 * Hex SHA-256 of a string (its UTF-8 bytes) or of bytes.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { sha256Hex } from "./hash.ts";
 * // FIPS 180-2, appendix B.1.
 * assert(await sha256Hex("abc") === "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
 * assert(await sha256Hex(new TextEncoder().encode("abc")) === await sha256Hex("abc"));
 * ```
 */
export async function sha256Hex(data: string | Uint8Array): Promise<string> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}
