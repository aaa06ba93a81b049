/**
 * Fingerprints of data files, for run identities: a run that reads files is a new run when their bytes
 * change.
 *
 * @module
 */

/**
 * SHA-256 (hex, first 16 characters) over the paths' names, sizes and bytes, in the given order. Errors
 * name the file that cannot be read.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { filesFingerprint } from "./file_fingerprint.ts";
 * const path = await Deno.makeTempFile();
 * await Deno.writeTextFile(path, "a");
 * const before = await filesFingerprint([path]);
 * await Deno.writeTextFile(path, "b");
 * assert(before.length === 16 && before !== await filesFingerprint([path]));
 * ```
 */
export async function filesFingerprint(paths: readonly string[]): Promise<string> {
  const parts: Uint8Array[] = [];
  const enc = new TextEncoder();
  for (const path of paths) {
    let bytes: Uint8Array;
    try {
      bytes = await Deno.readFile(path);
    } catch (e) {
      throw new Error(`data file ${path} cannot be read (${(e as Error).message}); check the path`);
    }
    parts.push(enc.encode(`${path.split("/").pop()}:${bytes.length}:`), bytes);
  }
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  const digest = await crypto.subtle.digest("SHA-256", all);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("").slice(0, 16);
}
