/**
 * All-or-nothing files: a file is written under a temporary name beside its final one, fsynced, renamed
 * into place (an atomic step on POSIX file systems) and its directory fsynced, so a reader sees either the
 * old file or the whole new one, never a part. A write killed midway leaves only a temporary file named
 * `<name>.tmp-<pid>-<uuid>`; the next write into the same directory removes such orphans once the process
 * that made them is gone.
 *
 * @module
 */

const TEMP = /\.tmp-(\d+)-[0-9a-f-]{36}$/;
/** Temp names written before the pid was part of them (`.tmp-<uuid>`, `.tmp`), removed when stale. */
const LEGACY_TEMP = /\.tmp(-[0-9a-f-]{36})?$/;
/** A legacy temp file older than this is an orphan (no pid to ask whether its writer still runs). */
const LEGACY_STALE_MS = 10 * 60_000;

/** A temporary name beside `path`, recognisable as this process's by `removeOrphanTemps`. */
export function tempPath(path: string): string {
  return `${path}.tmp-${Deno.pid}-${crypto.randomUUID()}`;
}

/** Whether process `pid` is alive (Linux: /proc; elsewhere assumed alive, so nothing is removed early). */
function alive(pid: number): boolean {
  if (pid === Deno.pid) return true;
  if (Deno.build.os !== "linux") return true;
  try {
    Deno.statSync(`/proc/${pid}`);
    return true;
  } catch {
    return false;
  }
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
 * Writes `data` to `path` all-or-nothing: temporary file, fsync, rename, fsync of the directory. The
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
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  const tmp = tempPath(path);
  try {
    const f = await Deno.open(tmp, { write: true, createNew: true });
    try {
      let at = 0;
      while (at < bytes.length) at += await f.write(bytes.subarray(at));
      await f.sync();
    } finally {
      f.close();
    }
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
    if (m) orphan = Number(m[1]) !== Deno.pid && !alive(Number(m[1]));
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
