/**
 * Streams a text file line by line (UTF-8, `\n` or `\r\n`), never holding more than one chunk in memory,
 * so files larger than memory can be read. Errors name the file.
 *
 * @module
 */
import { InputError } from "../util/input_error.ts";

/** A line and its 1-based line number. */
export interface NumberedLine {
  line: string;
  lineNo: number;
}

/**
 * Opens `path` for reading or throws an `InputError` that names it and says what to check (missing file,
 * a directory given as a file, no permission).
 */
export async function openOrExplain(path: string, what: string): Promise<Deno.FsFile> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new InputError(path, `${what} file does not exist; check the path (relative to ${Deno.cwd()})`);
    }
    throw new InputError(path, `${what} file could not be read: ${(e as Error).message}`);
  }
  if (info.isDirectory) {
    throw new InputError(path, `is a directory, not a ${what} file; give the path of a file inside it`);
  }
  try {
    return await Deno.open(path, { read: true });
  } catch (e) {
    throw new InputError(path, `${what} file could not be opened: ${(e as Error).message}`);
  }
}

/** Byte offset of the first byte that makes `b` invalid UTF-8 (hand-written: TextDecoder does not say). */
export function firstInvalidUtf8(b: Uint8Array): number {
  for (let i = 0; i < b.length;) {
    const c = b[i];
    const n = c < 0x80
      ? 0
      : c >= 0xc2 && c <= 0xdf
      ? 1
      : c >= 0xe0 && c <= 0xef
      ? 2
      : c >= 0xf0 && c <= 0xf4
      ? 3
      : -1;
    if (n < 0) return i;
    for (let k = 1; k <= n; k++) {
      const d = b[i + k];
      if (d === undefined || (d & 0xc0) !== 0x80) return i;
      if (k === 1) { // overlongs, surrogates and > U+10FFFF are invalid too
        if (
          (c === 0xe0 && d < 0xa0) || (c === 0xed && d > 0x9f) || (c === 0xf0 && d < 0x90) ||
          (c === 0xf4 && d > 0x8f)
        ) {
          return i;
        }
      }
    }
    i += n + 1;
  }
  return -1;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/**
 * Yields each line of `path` with its line number.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { readLines } from "./read_lines.ts";
 * const path = await Deno.makeTempFile();
 * await Deno.writeTextFile(path, "a\r\nb\n");
 * const lines = [];
 * for await (const l of readLines(path)) lines.push(`${l.lineNo}:${l.line}`);
 * assert(lines.join() === "1:a,2:b");
 * await Deno.remove(path);
 * ```
 */
export async function* readLines(path: string, what = "text"): AsyncGenerator<NumberedLine> {
  const file = await openOrExplain(path, what);
  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  let pending: Uint8Array = new Uint8Array(0), offset = 0, lineNo = 0, first = true;
  const decode = (bytes: Uint8Array, at: number): NumberedLine => {
    lineNo++;
    const end = bytes.length && bytes[bytes.length - 1] === 13 ? bytes.length - 1 : bytes.length; // \r\n
    try {
      return { line: decoder.decode(bytes.subarray(0, end)), lineNo };
    } catch {
      const bad = firstInvalidUtf8(bytes);
      throw new InputError(
        path,
        `invalid UTF-8 at byte offset ${at + bad} (byte 0x${bytes[bad].toString(16).padStart(2, "0")}); ` +
          `the file must be UTF-8: convert it (e.g. iconv -f LATIN1 -t UTF-8) or fix the line`,
        lineNo,
      );
    }
  };
  try {
    for await (const chunk of file.readable) {
      let buf = concat(pending, chunk), start = 0;
      if (first && buf.length >= 3 || first && buf.length >= 2 && buf[0] !== 0xef) {
        first = false;
        if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) start = 3; // UTF-8 byte-order mark
        else if ((buf[0] === 0xff && buf[1] === 0xfe) || (buf[0] === 0xfe && buf[1] === 0xff)) {
          throw new InputError(
            path,
            `is UTF-16 (byte-order mark ${buf[0].toString(16)} ${
              buf[1].toString(16)
            }); convert it to UTF-8 ` +
              `(e.g. iconv -f UTF-16 -t UTF-8 ${path} > ${path}.utf8)`,
          );
        }
      }
      for (let nl = buf.indexOf(10, start); nl >= 0; nl = buf.indexOf(10, start)) {
        yield decode(buf.subarray(start, nl), offset + start);
        start = nl + 1;
      }
      offset += start;
      buf = buf.slice(start);
      pending = buf;
    }
    if (pending.length) yield decode(pending, offset);
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(path, `reading the ${what} file failed: ${(e as Error).message}`);
  } finally {
    closeIfOpen(file);
  }
}

function closeIfOpen(file: Deno.FsFile): void {
  try {
    file.close();
  } catch (e) {
    if (!(e instanceof Deno.errors.BadResource)) throw e; // BadResource: the stream closed it already
  }
}
