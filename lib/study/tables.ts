/**
 * A study's tables as polars DataFrames, built column by column from flat rows (a missing field is null;
 * numbers are Float64, booleans Boolean, anything else Utf8), so every run contributes the same schema
 * whatever fields its first rows happened to have. Also the Parquet export.
 *
 * @module
 */
import pl from "nodejs-polars";
import type { DataFrame } from "../display/data_frame.ts";
import { writeFileAtomic } from "../util/atomic_file.ts";

/** A flat row. */
export type Row = Record<string, string | number | boolean | null | undefined>;

/**
 * A DataFrame from rows: columns in first-seen order, typed by their non-null values.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { rowsToFrame } from "./tables.ts";
 * const df = rowsToFrame([{ step: 1, valLoss: null }, { step: 2, valLoss: 3.5, run: "a" }]);
 * assert(df.height === 2 && df.columns.join() === "step,valLoss,run");
 * assert(df.getColumn("valLoss").toArray()[1] === 3.5 && df.getColumn("run").toArray()[0] === null);
 * ```
 */
export function rowsToFrame(rows: readonly Row[], columnOrder: readonly string[] = []): DataFrame {
  const names: string[] = [...columnOrder];
  const seen = new Set(names);
  for (const r of rows) {
    for (const k of Object.keys(r)) if (!seen.has(k)) (seen.add(k), names.push(k));
  }
  const series = names.map((name) => {
    const values = rows.map((r) => r[name] ?? null);
    const kinds = new Set(values.filter((v) => v !== null).map((v) => typeof v));
    if (kinds.size === 1 && kinds.has("number")) return pl.Series(name, values, pl.Float64);
    if (kinds.size === 1 && kinds.has("boolean")) return pl.Series(name, values, pl.Bool);
    return pl.Series(name, values.map((v) => (v === null ? null : String(v))), pl.Utf8);
  });
  return pl.DataFrame(series);
}

/** Writes `df` as Parquet at `path`, atomically. */
export async function writeParquetAtomic(df: DataFrame, path: string): Promise<void> {
  const tmp = `${path}.partial-${crypto.randomUUID().slice(0, 8)}`;
  try {
    df.writeParquet(tmp);
    await writeFileAtomic(path, await Deno.readFile(tmp));
  } finally {
    await Deno.remove(tmp).catch(() => {});
  }
}
