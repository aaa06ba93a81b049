/**
 * A lock file that stops two processes from writing the same study (or run): created exclusively, holding
 * the owner's PID and host. A lock whose process is gone (same host, no such PID) is stale and taken over;
 * a live one is a clear error naming the holder.
 *
 * @module
 */
import { hostname, processAlive } from "../util/process.ts";

/** What a lock file holds. */
export interface LockInfo {
  /** The owner's process id. */
  pid: number;
  /** The owner's host name. */
  host: string;
  /** When it was taken (ISO time). */
  since: string;
}

/** A held lock; `release()` removes the file (only if it is still ours). */
export interface Lock {
  /** The lock file's path. */
  path: string;
  /** Removes the lock file. */
  release(): Promise<void>;
}

async function readLock(path: string): Promise<LockInfo | null> {
  try {
    return JSON.parse(await Deno.readTextFile(path)) as LockInfo;
  } catch {
    return null; // torn or vanished: treated as stale
  }
}

/**
 * Takes the lock at `path`, or throws an error naming the live holder. `what` names the locked thing in
 * the error ("study runs/pretrain").
 *
 * @example
 * ```ts
 * import { assertRejects } from "@std/assert";
 * import { acquireLock } from "./lock.ts";
 * const dir = await Deno.makeTempDir();
 * const lock = await acquireLock(`${dir}/.lock`, "study demo");
 * await assertRejects(() => acquireLock(`${dir}/.lock`, "study demo"), Error, `PID ${Deno.pid}`);
 * await lock.release();
 * await (await acquireLock(`${dir}/.lock`, "study demo")).release();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function acquireLock(path: string, what: string): Promise<Lock> {
  const info: LockInfo = { pid: Deno.pid, host: hostname(), since: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const f = await Deno.open(path, { write: true, createNew: true });
      await f.write(new TextEncoder().encode(JSON.stringify(info)));
      f.close();
      return {
        path,
        release: async () => {
          const now = await readLock(path);
          if (now?.pid === info.pid && now.host === info.host) await Deno.remove(path).catch(() => {});
        },
      };
    } catch (e) {
      if (!(e instanceof Deno.errors.AlreadyExists)) {
        throw new Error(`cannot lock ${what}: ${path}: ${(e as Error).message}`, { cause: e });
      }
    }
    const holder = await readLock(path);
    const stale = holder === null || (holder.host === info.host && !processAlive(holder.pid));
    const mine = holder !== null && holder.pid === info.pid && holder.host === info.host;
    if (!stale || mine) {
      throw new Error(
        `${what} is being written by PID ${holder!.pid} on ${holder!.host} since ${
          holder!.since
        } (lock file ${path}); ` +
          `wait for it to finish, or delete the lock file if that process is gone`,
      );
    }
    await Deno.remove(path).catch(() => {}); // stale: take it over
  }
  throw new Error(`cannot lock ${what}: ${path} keeps reappearing`);
}
