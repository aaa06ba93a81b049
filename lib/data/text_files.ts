/**
 * Plain-text corpora (WikiText-style or one document per line), streamed as documents.
 *
 * `mode: "line"`: every non-blank line is a document. `mode: "paragraph"`: documents are separated by
 * blank lines. WikiText's ` = Heading = ` lines are kept as text (they are part of that corpus).
 *
 * @module
 */
import { checkKeys } from "../util/options.ts";
import { readLines } from "./read_lines.ts";

/** Options for `readTextDocuments`. */
export interface TextDocumentOptions {
  /** How documents are delimited. */
  mode?: "line" | "paragraph";
}

/**
 * Streams the documents of a text file.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { readTextDocuments } from "./text_files.ts";
 * const path = await Deno.makeTempFile();
 * await Deno.writeTextFile(path, "a b\nc\n\nd\n");
 * const docs = [];
 * for await (const d of readTextDocuments(path, { mode: "paragraph" })) docs.push(d);
 * assert(docs.length === 2 && docs[0] === "a b\nc");
 * await Deno.remove(path);
 * ```
 */
export async function* readTextDocuments(
  path: string,
  options: TextDocumentOptions = {},
): AsyncGenerator<string> {
  checkKeys("readTextDocuments", options, ["mode"]);
  const mode = options.mode ?? "line";
  if (mode !== "line" && mode !== "paragraph") {
    throw new Error(`readTextDocuments: mode must be "line" or "paragraph", got ${JSON.stringify(mode)}`);
  }
  let para: string[] = [];
  for await (const { line } of readLines(path, "text corpus")) {
    const blank = line.trim() === "";
    if (mode === "line") {
      if (!blank) yield line.trim();
    } else if (blank) {
      if (para.length) yield para.join("\n");
      para = [];
    } else para.push(line.trim());
  }
  if (para.length) yield para.join("\n");
}

/**
 * All documents of a text file in memory; an empty corpus is an error that names the file.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { loadTextDocuments } from "./text_files.ts";
 * const path = await Deno.makeTempFile();
 * await Deno.writeTextFile(path, "one\n\ntwo\n");
 * assert((await loadTextDocuments(path)).length === 2);
 * await Deno.remove(path);
 * ```
 */
export async function loadTextDocuments(path: string, options: TextDocumentOptions = {}): Promise<string[]> {
  const docs: string[] = [];
  for await (const d of readTextDocuments(path, options)) docs.push(d);
  if (docs.length === 0) {
    throw new Error(`text corpus ${path} is empty (no non-blank lines); give a file with text`);
  }
  return docs;
}
