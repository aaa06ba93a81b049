/**
 * Streams a text file line by line (UTF-8, `\n` or `\r\n`), never holding more than one chunk in memory,
 * so files larger than memory can be read. Errors name the file.
 *
 * @module
 */
import { TextLineStream } from "@std/streams";

/** A line and its 1-based line number. */
export interface NumberedLine {
  line: string;
  lineNo: number;
}

/** Opens `path` or throws an error that names it and says what to check. */
export async function openOrExplain(path: string, what: string): Promise<Deno.FsFile> {
  try {
    return await Deno.open(path, { read: true });
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new Error(`${what} file ${path} does not exist; check the path (relative to ${Deno.cwd()})`);
    }
    throw new Error(`${what} file ${path} could not be opened: ${(e as Error).message}`);
  }
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
  const lines = file.readable.pipeThrough(new TextDecoderStream()).pipeThrough(new TextLineStream())
    .getReader();
  let lineNo = 0;
  try {
    for (;;) {
      const { done, value } = await lines.read();
      if (done) return;
      const line = value as string;
      lineNo++;
      yield { line: lineNo === 1 ? line.replace(/^\uFEFF/, "") : line, lineNo };
    }
  } finally {
    // Stopping early cancels the pipe, which closes the file only some ticks later; close it now, so the
    // descriptor is gone when the caller's loop exits. (At end of file the stream has closed it already.)
    await lines.cancel().catch(() => {});
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
