/**
 * Files that are whole or absent: written to a temporary name in the same directory, flushed to disk
 * (fsync), then renamed over the target (atomic on POSIX file systems), so a reader never sees a torn file,
 * whatever moment the writer is killed at. Also: append-with-fsync for line logs.
 *
 * @module
 */

/**
 * Writes `data` to `path` atomically (temp file + fsync + rename). The temp file is named
 * `<path>.tmp-<random>` and removed if writing fails.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { writeFileAtomic } from "./atomic_file.ts";
 * const dir = await Deno.makeTempDir();
 * await writeFileAtomic(`${dir}/a.json`, '{"ok":true}');
 * assert((await Deno.readTextFile(`${dir}/a.json`)) === '{"ok":true}');
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  const tmp = `${path}.tmp-${crypto.randomUUID().slice(0, 8)}`;
  try {
    const file = await Deno.open(tmp, { write: true, createNew: true });
    try {
      let off = 0;
      while (off < bytes.length) off += await file.write(bytes.subarray(off));
      await file.sync();
    } finally {
      file.close();
    }
    await Deno.rename(tmp, path);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw new Error(`could not write ${path}: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * Appends `text` to `path` (created if missing) and fsyncs before returning, so an appended line survives a
 * crash of the process or the machine.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { appendSynced } from "./atomic_file.ts";
 * const dir = await Deno.makeTempDir();
 * await appendSynced(`${dir}/log.jsonl`, "1\n");
 * await appendSynced(`${dir}/log.jsonl`, "2\n");
 * assert((await Deno.readTextFile(`${dir}/log.jsonl`)) === "1\n2\n");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function appendSynced(path: string, text: string): Promise<void> {
  const file = await Deno.open(path, { append: true, create: true });
  try {
    const bytes = new TextEncoder().encode(text);
    let off = 0;
    while (off < bytes.length) off += await file.write(bytes.subarray(off));
    await file.sync();
  } finally {
    file.close();
  }
}

/**
 * Removes the temp files `writeFileAtomic` leaves when its process is killed mid-write (`*.tmp-*` in `dir`).
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { removeOrphanedTemps } from "./atomic_file.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/a.json.tmp-1234abcd`, "partial");
 * assert((await removeOrphanedTemps(dir)) === 1);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function removeOrphanedTemps(dir: string): Promise<number> {
  let n = 0;
  try {
    for await (const e of Deno.readDir(dir)) {
      if (e.isFile && /\.tmp-[0-9a-f]{8}$/.test(e.name)) {
        await Deno.remove(`${dir}/${e.name}`).catch(() => {});
        n++;
      }
    }
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return n;
}
