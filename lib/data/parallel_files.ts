/**
 * Parallel corpora for translation: two aligned text files (WMT style), TSV, JSONL or Parquet.
 * Text formats stream line by line; Parquet streams in chunks. Errors name the file and line.
 *
 * @module
 */
import { checkKeys, OptionError } from "../util/options.ts";
import { InputError } from "../util/input_error.ts";
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
  /** JSONL/Parquet field of the source (e.g. "en"); TSV: column number (default 0) or header name. */
  src?: string | number;
  /** JSONL/Parquet field of the target (e.g. "fr"); TSV: column number (default 1) or header name. */
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
  checkKeys("readParallelTsv", options, ["src", "tgt"]);
  const spec = [options.src ?? 0, options.tgt ?? 1];
  for (const [i, v] of spec.entries()) {
    if (typeof v === "number" && !(Number.isInteger(v) && v >= 0)) {
      const name = i ? "tgt" : "src";
      throw new OptionError(
        "readParallelTsv",
        name,
        `\`${name}\` must be a column number ≥ 0 or a header name, got ${v}`,
      );
    }
  }
  // Column names (not numbers) mean the first line is a header that names the columns.
  const byName = spec.some((v) => typeof v === "string" && !/^\d+$/.test(v));
  let si = Number(spec[0]), ti = Number(spec[1]);
  let header = !byName;
  for await (const { line, lineNo } of readLines(path, "parallel TSV")) {
    if (line === "") continue;
    const cols = line.split("\t");
    if (!header) {
      header = true;
      const at = spec.map((v) => typeof v === "string" && !/^\d+$/.test(v) ? cols.indexOf(v) : Number(v));
      const missing = spec.filter((_, i) => at[i] < 0);
      if (missing.length) {
        throw new InputError(
          path,
          `column(s) ${missing.map((m) => JSON.stringify(m)).join(", ")} not found; the header has: ${
            cols.map((c) => JSON.stringify(c)).join(", ")
          } (or pass column numbers, e.g. { src: 0, tgt: 1 })`,
          lineNo,
        );
      }
      [si, ti] = at;
      continue;
    }
    if (cols.length <= Math.max(si, ti)) {
      throw new InputError(
        path,
        `malformed TSV row with ${cols.length} column(s); expected at least ` +
          `${Math.max(si, ti) + 1} tab-separated columns (fix or remove the line)`,
        lineNo,
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
  checkKeys("readParallelJsonl", options, ["src", "tgt"]);
  const s = String(options.src ?? "src"), t = String(options.tgt ?? "tgt");
  for await (const { line, lineNo } of readLines(path, "parallel JSONL")) {
    if (line.trim() === "") continue;
    let obj: Record<string, unknown>;
    try {
      obj = JSON.parse(line);
    } catch (e) {
      throw new InputError(
        path,
        `malformed JSONL row (${(e as Error).message}); fix or remove the line`,
        lineNo,
      );
    }
    if (obj === null || typeof obj !== "object" || Array.isArray(obj)) {
      throw new InputError(
        path,
        `the row is ${line.trim()}, not a JSON object; fix or remove the line`,
        lineNo,
      );
    }
    const src = field(obj, s), tgt = field(obj, t);
    for (const [name, v] of [[s, src], [t, tgt]] as const) {
      if (typeof v !== "string") {
        const have = Object.keys(obj).concat(
          obj.translation && typeof obj.translation === "object"
            ? Object.keys(obj.translation).map((k) => `translation.${k}`)
            : [],
        );
        throw new InputError(
          path,
          `field "${name}" is ${
            v === undefined ? "missing" : `${JSON.stringify(v)}, not a string`
          }; the row has: ${have.join(", ")} (pass options { src, tgt } naming the fields)`,
          lineNo,
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
  checkKeys("readParallelParquet", options, ["src", "tgt"]);
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
