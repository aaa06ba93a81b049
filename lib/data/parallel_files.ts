/**
 * Parallel corpora for translation: two aligned text files (WMT style), TSV, JSONL or Parquet.
 * Text formats stream line by line; Parquet streams in chunks. Errors name the file and line.
 *
 * @module
 */
import { readLines } from "./read_lines.ts";
import { readParquetRows } from "./parquet_rows.ts";

/** One sentence pair. */
export interface TextPair {
  /** Source-language sentence. */
  src: string;
  /** Target-language sentence (the reference translation). */
  tgt: string;
}

/** Options naming the fields of a pair in TSV (column numbers), JSONL or Parquet (field names). */
export interface ParallelFieldOptions {
  /** JSONL/Parquet field of the source (e.g. "en"); TSV: column number, default 0. */
  src?: string | number;
  /** JSONL/Parquet field of the target (e.g. "fr"); TSV: column number, default 1. */
  tgt?: string | number;
}

/**
 * Streams pairs from two line-aligned files; different line counts are an error naming both files.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { readParallelFiles } from "./parallel_files.ts";
 * const en = await Deno.makeTempFile(), fr = await Deno.makeTempFile();
 * await Deno.writeTextFile(en, "the cat\n");
 * await Deno.writeTextFile(fr, "le chat\n");
 * for await (const p of readParallelFiles(en, fr)) assert(p.tgt === "le chat");
 * await Deno.remove(en), await Deno.remove(fr);
 * ```
 */
export async function* readParallelFiles(srcPath: string, tgtPath: string): AsyncGenerator<TextPair> {
  const a = readLines(srcPath, "source"), b = readLines(tgtPath, "target");
  try {
    for (let n = 0;; n++) {
      const [x, y] = await Promise.all([a.next(), b.next()]);
      if (x.done && y.done) return;
      if (x.done || y.done) {
        const [short, long] = x.done ? [srcPath, tgtPath] : [tgtPath, srcPath];
        throw new Error(
          `parallel files have different line counts: ${short} ends after ${n} lines but ${long} has more ` +
            `(line ${n + 1}); realign them so line i of one translates line i of the other`,
        );
      }
      yield { src: x.value.line, tgt: y.value.line };
    }
  } finally { // close both files even when the caller stops early or a file is short
    await Promise.allSettled([a.return(undefined), b.return(undefined)]);
  }
}

/**
 * Streams pairs from a TSV file (no header, no quoting; columns chosen by number).
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { readParallelTsv } from "./parallel_files.ts";
 * const path = await Deno.makeTempFile();
 * await Deno.writeTextFile(path, "hello\tbonjour\n");
 * for await (const p of readParallelTsv(path)) assert(p.src === "hello" && p.tgt === "bonjour");
 * await Deno.remove(path);
 * ```
 */
export async function* readParallelTsv(
  path: string,
  options: ParallelFieldOptions = {},
): AsyncGenerator<TextPair> {
  const si = Number(options.src ?? 0), ti = Number(options.tgt ?? 1);
  for await (const { line, lineNo } of readLines(path, "parallel TSV")) {
    if (line === "") continue;
    const cols = line.split("\t");
    if (cols.length <= Math.max(si, ti)) {
      throw new Error(
        `${path}:${lineNo}: malformed TSV row with ${cols.length} column(s); expected at least ` +
          `${Math.max(si, ti) + 1} tab-separated columns (fix or remove the line)`,
      );
    }
    yield { src: cols[si], tgt: cols[ti] };
  }
}

function field(obj: Record<string, unknown>, key: string): unknown {
  if (key in obj) return obj[key];
  const t = obj.translation as Record<string, unknown> | undefined; // HF translation datasets
  return t && typeof t === "object" ? t[key] : undefined;
}

/**
 * Streams pairs from JSONL: `{"en": …, "fr": …}` or HF's `{"translation": {"en": …, "fr": …}}`.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { readParallelJsonl } from "./parallel_files.ts";
 * const path = await Deno.makeTempFile();
 * await Deno.writeTextFile(path, '{"translation": {"en": "yes", "fr": "oui"}}\n');
 * for await (const p of readParallelJsonl(path, { src: "en", tgt: "fr" })) assert(p.tgt === "oui");
 * await Deno.remove(path);
 * ```
 */
export async function* readParallelJsonl(
  path: string,
  options: ParallelFieldOptions = {},
): AsyncGenerator<TextPair> {
  const s = String(options.src ?? "src"), t = String(options.tgt ?? "tgt");
  for await (const { line, lineNo } of readLines(path, "parallel JSONL")) {
    if (line.trim() === "") continue;
    let obj: Record<string, unknown>;
    try {
      obj = JSON.parse(line);
    } catch (e) {
      throw new Error(
        `${path}:${lineNo}: malformed JSONL row (${(e as Error).message}); fix or remove the line`,
      );
    }
    const src = field(obj, s), tgt = field(obj, t);
    for (const [name, v] of [[s, src], [t, tgt]] as const) {
      if (typeof v !== "string") {
        throw new Error(
          `${path}:${lineNo}: field "${name}" is missing or not a string; pass options {src, tgt}`,
        );
      }
    }
    yield { src: src as string, tgt: tgt as string };
  }
}

/**
 * Streams pairs from Parquet (HF datasets' format), by column name (struct columns are unnested).
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import pl from "nodejs-polars";
 * import { readParallelParquet } from "./parallel_files.ts";
 * const path = await Deno.makeTempFile({ suffix: ".parquet" });
 * pl.DataFrame({ translation: [{ en: "no", fr: "non" }] }).writeParquet(path);
 * for await (const p of readParallelParquet(path, { src: "en", tgt: "fr" })) assert(p.tgt === "non");
 * await Deno.remove(path);
 * ```
 */
export async function* readParallelParquet(
  path: string,
  options: ParallelFieldOptions = {},
): AsyncGenerator<TextPair> {
  const s = String(options.src ?? "src"), t = String(options.tgt ?? "tgt");
  let row = 0;
  for await (const r of readParquetRows(path, [s, t])) {
    row++;
    if (typeof r[s] !== "string" || typeof r[t] !== "string") {
      throw new Error(`${path}: row ${row} has a null or non-string "${s}" or "${t}"; clean the file`);
    }
    yield { src: r[s] as string, tgt: r[t] as string };
  }
}
