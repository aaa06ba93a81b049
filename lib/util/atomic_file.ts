/**
 * All-or-nothing files: a file is written under a temporary name beside its final one, fsynced, renamed
 * into place (an atomic step on POSIX file systems) and its directory fsynced, so a reader sees either the
 * old file or the whole new one, never a part. A write killed midway leaves only a temporary file named
 * `<name>.tmp-<pid>-<uuid>`; the next write into the same directory removes such orphans once the process
 * that made them is gone.
 *
 * @module
 */
import { processAlive } from "./process.ts";

const TEMP = /\.tmp-(\d+)-[0-9a-f-]{36}$/;
/** Temp names written before the pid was part of them (`.tmp-<uuid>`, `.tmp`), removed when stale. */
const LEGACY_TEMP = /\.tmp(-[0-9a-f-]{36})?$/;
/** A legacy temp file older than this is an orphan (no pid to ask whether its writer still runs). */
const LEGACY_STALE_MS = 10 * 60_000;

/** A temporary name beside `path`, recognisable as this process's by `removeOrphanTemps`. */
export function tempPath(path: string): string {
  return `${path}.tmp-${Deno.pid}-${crypto.randomUUID()}`;
}

/** fsyncs a directory, so a rename inside it survives a power cut (a no-op where directories can't be opened). */
export async function syncDir(dir: string): Promise<void> {
  if (Deno.build.os === "windows") return;
  let f: Deno.FsFile | undefined;
  try {
    f = await Deno.open(dir, { read: true });
    await f.sync();
  } catch {
    // Some file systems refuse fsync on directories; the rename is still atomic there.
  } finally {
    f?.close();
  }
}

/**
 * Writes all of `data` to `path` and fsyncs it before returning: a new file (an existing one is an error),
 * or with `append: true` the end of a file (created if missing).
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { writeSynced } from "./atomic_file.ts";
 * const dir = await Deno.makeTempDir();
 * await writeSynced(`${dir}/a.txt`, "hello ");
 * await writeSynced(`${dir}/a.txt`, "world", { append: true });
 * assert(await Deno.readTextFile(`${dir}/a.txt`) === "hello world");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function writeSynced(
  path: string,
  data: Uint8Array | string,
  options: { append?: boolean } = {},
): Promise<void> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  const file = await Deno.open(
    path,
    options.append ? { append: true, create: true } : { write: true, createNew: true },
  );
  try {
    let at = 0;
    while (at < bytes.length) at += await file.write(bytes.subarray(at));
    await file.sync();
  } finally {
    file.close();
  }
}

/**
 * Writes `data` to `path` all-or-nothing: temporary file, fsync, rename, fsync of the directory; first
 * removes the temporary files that killed writes left in that directory (`removeOrphanTemps`). The
 * directory must exist. Errors name the path and say what to check.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { writeFileAtomic } from "./atomic_file.ts";
 * const dir = await Deno.makeTempDir();
 * await writeFileAtomic(`${dir}/a.txt`, "hello");
 * assert(await Deno.readTextFile(`${dir}/a.txt`) === "hello");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  // What the module promises: the next write into a directory clears the orphans of killed writes there.
  await removeOrphanTemps(dirOf(path));
  const tmp = tempPath(path);
  try {
    await writeSynced(tmp, data);
    await Deno.rename(tmp, path);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw new Error(
      `cannot write "${path}": ${(e as Error).message}; check that its directory exists and is writable`,
      {
        cause: e,
      },
    );
  }
  await syncDir(dirOf(path));
}

function dirOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? "." : i === 0 ? "/" : path.slice(0, i);
}

/**
 * Removes temporary files and directories left in `dir` by writes that were killed: names ending in
 * `.tmp-<pid>-<uuid>` whose process is gone, and older temp names (`.tmp`, `.tmp-<uuid>`) untouched for ten
 * minutes. Returns the names removed. A missing `dir` removes nothing.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { removeOrphanTemps } from "./atomic_file.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/x.i32.tmp-999999999-00000000-0000-0000-0000-000000000000`, "partial");
 * assert((await removeOrphanTemps(dir)).length === 1);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function removeOrphanTemps(dir: string): Promise<string[]> {
  const removed: string[] = [];
  let entries: Deno.DirEntry[];
  try {
    entries = await Array.fromAsync(Deno.readDir(dir));
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return removed;
    throw e;
  }
  for (const e of entries) {
    const m = TEMP.exec(e.name);
    let orphan = false;
    if (m) orphan = Number(m[1]) !== Deno.pid && !processAlive(Number(m[1]));
    else if (LEGACY_TEMP.test(e.name)) {
      const info = await Deno.lstat(`${dir}/${e.name}`).catch(() => null);
      orphan = info !== null && Date.now() - (info.mtime?.getTime() ?? 0) > LEGACY_STALE_MS;
    }
    if (!orphan) continue;
    await Deno.remove(`${dir}/${e.name}`, { recursive: true }).catch(() => {});
    removed.push(e.name);
  }
  return removed;
}
