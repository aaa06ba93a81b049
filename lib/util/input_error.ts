/**
 * The error for bad input files (missing, a directory, not UTF-8, a malformed row, an unknown column): it
 * names the file and, where known, the line and byte offset, and says what to do.
 *
 * @module
 */

/** A problem with an input file; `path` (and `line`, when known) say where. */
export class InputError extends Error {
  /** The file at fault. */
  readonly path: string;
  /** 1-based line number, when the problem is on one line. */
  readonly line?: number;
  /**
   * Builds the error; the message starts with `path` (and `:line`).
   *
   * @param path the file at fault
   * @param message what is wrong and what to do
   * @param line the 1-based line, when known
   */
  constructor(path: string, message: string, line?: number) {
    super(`${path}${line === undefined ? "" : `:${line}`}: ${message}`);
    this.name = "InputError";
    this.path = path;
    this.line = line;
  }
}
