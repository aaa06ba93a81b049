/**
 * The on-disk layout that makes checkpoints all-or-nothing. A checkpoint root holds one directory per save,
 * `step-00000123/` (a second save at the same step: `step-00000123-1/`, and so on). Each is written
 * completely under a temporary name (`step-00000123.tmp-<pid>-<uuid>/`), every file fsynced, then
 * `manifest.json` — each file's size and SHA-256 — written last, and the directory renamed into place in
 * one atomic step. Readers verify the manifest before they trust a byte, so a save cut by `kill -9` or a
 * power cut is either absent or whole. The next save removes the leftovers and keeps the newest `keepLast`.
 *
 * @module
 */
import { removeOrphanTemps, syncDir, tempPath, writeSynced } from "../util/atomic_file.ts";
import { sha256Hex } from "../util/hash.ts";

/** The manifest's `format` field; bump when the layout changes. */
export const CHECKPOINT_FORMAT = "trainlarge-checkpoint/1";
const MANIFEST = "manifest.json";
const NAME = /^step-(\d{8,})(?:-(\d+))?$/;

/** A checkpoint directory that is missing, incomplete or does not match its manifest. */
export class CheckpointError extends Error {
  /** The directory (or file) at fault. */
  readonly path: string;
  /**
   * Builds the error; the message starts with `path`.
   *
   * @param path the directory or file at fault
   * @param message what is wrong and what to do
   */
  constructor(path: string, message: string) {
    super(`${path}: ${message}`);
    this.name = "CheckpointError";
    this.path = path;
  }
}

interface Manifest {
  format: string;
  step: number;
  files: Record<string, { bytes: number; sha256: string }>;
}

/** The step directories under `root`, oldest first (by step, then generation). */
async function stepDirs(root: string): Promise<{ name: string; step: number; gen: number }[]> {
  const out: { name: string; step: number; gen: number }[] = [];
  try {
    for await (const e of Deno.readDir(root)) {
      const m = NAME.exec(e.name);
      if (m && e.isDirectory) out.push({ name: e.name, step: Number(m[1]), gen: Number(m[2] ?? 0) });
    }
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return out;
    throw new CheckpointError(root, `cannot list the checkpoint root (${(e as Error).message})`);
  }
  return out.sort((a, b) => a.step - b.step || a.gen - b.gen);
}

/**
 * Writes `files` as a new checkpoint directory for `step` under `root` (created if missing), all-or-nothing;
 * removes leftovers of killed saves and all but the newest `keepLast` checkpoints. Returns the new
 * directory's path.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { latestCheckpoint, readCheckpointFiles, writeCheckpointFiles } from "./checkpoint_store.ts";
 * const root = await Deno.makeTempDir();
 * await writeCheckpointFiles(root, 1, { "a.txt": new TextEncoder().encode("one") });
 * const dir = await writeCheckpointFiles(root, 2, { "a.txt": new TextEncoder().encode("two") });
 * assert(dir.endsWith("step-00000002") && (await latestCheckpoint(root)) === dir);
 * assert(new TextDecoder().decode((await readCheckpointFiles(dir))["a.txt"]) === "two");
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export async function writeCheckpointFiles(
  root: string,
  step: number,
  files: Record<string, Uint8Array>,
  options: { keepLast?: number } = {},
): Promise<string> {
  const keepLast = options.keepLast ?? 2;
  try {
    await Deno.mkdir(root, { recursive: true });
  } catch (e) {
    throw new CheckpointError(root, `cannot create the checkpoint directory (${(e as Error).message})`);
  }
  await removeOrphanTemps(root);
  const base = `step-${String(step).padStart(8, "0")}`;
  const tmp = tempPath(`${root}/${base}`);
  try {
    await Deno.mkdir(tmp);
    const manifest: Manifest = { format: CHECKPOINT_FORMAT, step, files: {} };
    for (const [name, bytes] of Object.entries(files)) {
      await writeSynced(`${tmp}/${name}`, bytes);
      manifest.files[name] = { bytes: bytes.length, sha256: await sha256Hex(bytes) };
    }
    await writeSynced(
      `${tmp}/${MANIFEST}`,
      new TextEncoder().encode(JSON.stringify(manifest, null, 2) + "\n"),
    );
    await syncDir(tmp);
    const same = (await stepDirs(root)).filter((d) => d.step === step);
    const name = same.length ? `${base}-${Math.max(...same.map((d) => d.gen)) + 1}` : base;
    await Deno.rename(tmp, `${root}/${name}`);
    await syncDir(root);
    const all = await stepDirs(root);
    for (const old of all.slice(0, Math.max(0, all.length - keepLast))) {
      await Deno.remove(`${root}/${old.name}`, { recursive: true });
    }
    return `${root}/${name}`;
  } catch (e) {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
    if (e instanceof CheckpointError) throw e;
    throw new CheckpointError(
      root,
      `saving the checkpoint failed (${(e as Error).message}); is it writable?`,
    );
  }
}

/**
 * Reads every file of the checkpoint directory `dir` and checks each against the manifest (size and
 * SHA-256); throws a `CheckpointError` naming the file when the checkpoint is incomplete or altered.
 *
 * @example
 * ```ts
 * import { assertRejects } from "@std/assert";
 * import { CheckpointError, readCheckpointFiles, writeCheckpointFiles } from "./checkpoint_store.ts";
 * const root = await Deno.makeTempDir();
 * const dir = await writeCheckpointFiles(root, 0, { "a.bin": new Uint8Array([1, 2, 3]) });
 * await Deno.writeFile(`${dir}/a.bin`, new Uint8Array([1, 2, 4]));
 * await assertRejects(() => readCheckpointFiles(dir), CheckpointError, "a.bin");
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export async function readCheckpointFiles(dir: string): Promise<Record<string, Uint8Array>> {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(await Deno.readTextFile(`${dir}/${MANIFEST}`));
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new CheckpointError(dir, `no ${MANIFEST}: not a complete checkpoint (a save was cut short?)`);
    }
    throw new CheckpointError(`${dir}/${MANIFEST}`, `unreadable manifest (${(e as Error).message})`);
  }
  if (manifest?.format !== CHECKPOINT_FORMAT || typeof manifest.files !== "object") {
    throw new CheckpointError(
      `${dir}/${MANIFEST}`,
      `format ${JSON.stringify(manifest?.format)} is not ${CHECKPOINT_FORMAT}`,
    );
  }
  const out: Record<string, Uint8Array> = {};
  for (const [name, want] of Object.entries(manifest.files)) {
    let bytes: Uint8Array;
    try {
      bytes = await Deno.readFile(`${dir}/${name}`);
    } catch (e) {
      throw new CheckpointError(
        `${dir}/${name}`,
        `listed in the manifest but unreadable (${(e as Error).message})`,
      );
    }
    if (bytes.length !== want.bytes || (await sha256Hex(bytes)) !== want.sha256) {
      throw new CheckpointError(
        `${dir}/${name}`,
        `does not match the manifest (${bytes.length} bytes, manifest says ${want.bytes}, or its SHA-256 differs); ` +
          `the checkpoint was altered or damaged`,
      );
    }
    out[name] = bytes;
  }
  return out;
}

/**
 * The newest complete, verified checkpoint directory under `root`, or null when there is none (or no
 * `root`). Incomplete or damaged directories are skipped, never returned.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { latestCheckpoint } from "./checkpoint_store.ts";
 * assert((await latestCheckpoint(await Deno.makeTempDir())) === null);
 * ```
 */
export async function latestCheckpoint(root: string): Promise<string | null> {
  return (await readLatestCheckpoint(root))?.dir ?? null;
}

/** The newest complete checkpoint under `root` with its verified files, or null (see `latestCheckpoint`). */
export async function readLatestCheckpoint(
  root: string,
): Promise<{ dir: string; files: Record<string, Uint8Array> } | null> {
  for (const d of (await stepDirs(root)).reverse()) {
    try {
      return { dir: `${root}/${d.name}`, files: await readCheckpointFiles(`${root}/${d.name}`) };
    } catch (e) {
      if (!(e instanceof CheckpointError)) throw e;
    }
  }
  return null;
}

/** Whether `dir` is itself one checkpoint (holds a manifest) rather than a root of them. */
export async function isCheckpointDir(dir: string): Promise<boolean> {
  try {
    await Deno.stat(`${dir}/${MANIFEST}`);
    return true;
  } catch {
    return false;
  }
}
