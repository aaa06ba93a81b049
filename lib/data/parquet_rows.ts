/**
 * Reads Parquet rows in chunks with polars (lazy scan + slice), so a file larger than memory is never
 * loaded whole. Struct columns (HF translation datasets store `{en, fr}` in one `translation` column) are
 * unnested first.
 *
 * @module
 */
import pl from "nodejs-polars";

/** Rows per chunk: large enough that polars' per-scan overhead is small. */
export const PARQUET_CHUNK_ROWS = 65_536;

/**
 * Yields the rows of a Parquet file as records, `columns` only (after unnesting struct columns).
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import pl from "nodejs-polars";
 * import { readParquetRows } from "./parquet_rows.ts";
 * const path = await Deno.makeTempFile({ suffix: ".parquet" });
 * pl.DataFrame({ text: ["a", "b"], label: ["x", "y"] }).writeParquet(path);
 * const rows = [];
 * for await (const r of readParquetRows(path, ["text", "label"])) rows.push(r);
 * assert(rows.length === 2 && rows[1].label === "y");
 * await Deno.remove(path);
 * ```
 */
export async function* readParquetRows(
  path: string,
  columns: readonly string[],
): AsyncGenerator<Record<string, unknown>> {
  try {
    await Deno.stat(path);
  } catch {
    throw new Error(`Parquet file ${path} does not exist; check the path (relative to ${Deno.cwd()})`);
  }
  let scan;
  try {
    scan = pl.scanParquet(path);
    const schema = scan.slice(0, 0).collectSync();
    const structs = schema.columns.filter((c) => schema.getColumn(c).dtype.variant === "Struct");
    for (const c of structs) scan = scan.unnest(c);
    const have = scan.slice(0, 0).collectSync().columns;
    const missing = columns.filter((c) => !have.includes(c));
    if (missing.length) {
      throw new Error(`column(s) ${missing.join(", ")} not found; the file has: ${have.join(", ")}`);
    }
    scan = scan.select(...columns);
  } catch (e) {
    throw new Error(`Parquet file ${path}: ${(e as Error).message}`);
  }
  for (let offset = 0;; offset += PARQUET_CHUNK_ROWS) {
    const chunk = scan.slice(offset, PARQUET_CHUNK_ROWS).collectSync();
    if (chunk.height === 0) return;
    for (const r of chunk.toRecords()) yield r;
    if (chunk.height < PARQUET_CHUNK_ROWS) return;
  }
}
