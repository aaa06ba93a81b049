/**
 * Tokenized-corpus cache under `.cache/tokens/`: ids of many documents in one binary file, keyed by the
 * caller (tokenizer fingerprint + corpus version). Written all-or-nothing (temp file, fsync, rename: see
 * `util/atomic_file.ts`), so a crash never leaves a half-written entry that a later run would trust; the
 * temp files of killed writes are removed by the next write.
 *
 * File layout (little-endian int32): `n`, then `n + 1` offsets, then all ids.
 *
 * @module
 */
import { removeOrphanTemps, writeFileAtomic } from "../util/atomic_file.ts";
import { checkKeys } from "../util/options.ts";
import type { Tokenizer } from "./types.ts";

/** Default cache directory, relative to the working directory (gitignored). */
export const DEFAULT_CACHE_DIR = ".cache/tokens";

/** Documents as id arrays that share one buffer. */
export type TokenizedDocs = Int32Array[];

function pack(docs: readonly ArrayLike<number>[]): Int32Array {
  let total = 0;
  for (const d of docs) total += d.length;
  const out = new Int32Array(2 + docs.length + total);
  out[0] = docs.length;
  let at = 2 + docs.length, i = 0;
  for (const d of docs) {
    out[1 + i++] = at;
    out.set(d, at);
    at += d.length;
  }
  out[1 + docs.length] = at;
  return out;
}

function unpack(buf: Int32Array, path: string): TokenizedDocs {
  const n = buf[0];
  if (!(n >= 0) || buf.length < n + 2 || buf[n + 1] !== buf.length) {
    throw new Error(`token cache ${path} is corrupt; delete it and rerun`);
  }
  const docs: TokenizedDocs = [];
  for (let i = 0; i < n; i++) docs.push(buf.subarray(buf[1 + i], buf[2 + i]));
  return docs;
}

/**
 * Tokenizes `texts` with `tok`, or reads the result cached under `key` (any string naming tokenizer and
 * corpus: e.g. `${fingerprint}-${corpusVersion}-train`).
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { tokenizeCached } from "./token_cache.ts";
 * import { trainBpe } from "./bpe_train.ts";
 * const tok = trainBpe(["one two three"], { vocabSize: 265 });
 * const dir = await Deno.makeTempDir();
 * const a = await tokenizeCached(["one two", "three"], tok, { key: "demo", dir });
 * const b = await tokenizeCached(["ignored: read from cache"], tok, { key: "demo", dir });
 * assert(b.length === 2 && b[1].join() === a[1].join());
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function tokenizeCached(
  texts: readonly string[],
  tok: Tokenizer,
  options: { key: string; dir?: string },
): Promise<TokenizedDocs> {
  checkKeys("tokenizeCached", options, ["key", "dir"]);
  if (!/^[\w.-]+$/.test(options.key)) {
    throw new Error(
      `tokenizeCached: key ${JSON.stringify(options.key)} must use only letters, digits, . _ -`,
    );
  }
  const dir = options.dir ?? DEFAULT_CACHE_DIR;
  const path = `${dir}/${options.key}.i32`;
  try {
    const bytes = await Deno.readFile(path);
    return unpack(new Int32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 2), path);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  const packed = pack(texts.map((t) => tok.encode(t)));
  try {
    await Deno.mkdir(dir, { recursive: true });
  } catch (e) {
    throw new Error(`tokenizeCached: cannot create the cache directory ${dir} (${(e as Error).message})`);
  }
  await removeOrphanTemps(dir);
  await writeFileAtomic(path, new Uint8Array(packed.buffer));
  return unpack(packed, path);
}
