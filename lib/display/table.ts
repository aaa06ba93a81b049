/**
 * A polars DataFrame as a MIME bundle: an HTML table headed by its shape and dtypes, plus polars' own text
 * rendering as `text/plain`. polars' notebook display is blank in VS Code and absent in Deno, hence this.
 *
 * @module
 */
import { checkKeys } from "../util/options.ts";
import type { DataFrame } from "./data_frame.ts";
import type { MimeBundle } from "./kernel.ts";
import { escapeHtml } from "./escape_html.ts";

/** Options for {@linkcode tableBundle}. */
export interface TableOptions {
  /** Rows shown before the middle is elided (`…`): half from the top, half from the bottom. Default 20. */
  maxRows?: number;
  /** Caption above the table. */
  caption?: string;
}

/** Defaults for {@linkcode TableOptions}. */
export const TABLE_DEFAULTS: Readonly<Required<Omit<TableOptions, "caption">>> = Object.freeze({
  // 20 rows fit one screen; a training log of thousands of rows still shows its start and its end.
  maxRows: 20,
});

const SHORT_DTYPES: Record<string, string> = {
  Float64: "f64",
  Float32: "f32",
  Int64: "i64",
  Int32: "i32",
  Int16: "i16",
  Int8: "i8",
  UInt64: "u64",
  UInt32: "u32",
  UInt16: "u16",
  UInt8: "u8",
  String: "str",
  Utf8: "str",
  Bool: "bool",
  Date: "date",
  Datetime: "datetime",
  List: "list",
  Struct: "struct",
  Null: "null",
};

/** polars' short dtype name (`f64`, `str`, …), as in its own text display. */
export function dtypeName(dtype: unknown): string {
  const variant = (dtype as { variant?: string }).variant ?? String(dtype);
  return SHORT_DTYPES[variant] ?? variant.toLowerCase();
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return `<td class="null">null</td>`;
  if (typeof value === "number") {
    // Six significant digits, like polars' own display; integers stay exact.
    const text = Number.isInteger(value) ? String(value) : Number(value.toPrecision(6)).toString();
    return `<td style="text-align:right">${text}</td>`;
  }
  if (typeof value === "bigint") return `<td style="text-align:right">${value}</td>`;
  if (value instanceof Date) return `<td>${escapeHtml(value.toISOString())}</td>`;
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return `<td>${escapeHtml(text)}</td>`;
}

/**
 * An HTML table (shape, column names, dtypes, up to `maxRows` rows) for `df`.
 *
 * @example
 * ```ts
 * import pl from "nodejs-polars";
 * import { assert } from "@std/assert";
 * import { tableHtml } from "./table.ts";
 * const html = tableHtml(pl.DataFrame({ size: ["small"], loss: [3.25] }));
 * assert(html.includes("shape: (1, 2)") && html.includes("<th>size<br><small>str</small></th>"));
 * ```
 */
export function tableHtml(df: DataFrame, options: TableOptions = {}): string {
  checkKeys("tableHtml", options, ["maxRows", "caption"]);
  const maxRows = options.maxRows ?? TABLE_DEFAULTS.maxRows;
  if (!Number.isInteger(maxRows) || maxRows < 2) {
    throw new Error(`tableHtml: maxRows must be an integer ≥ 2, got ${maxRows}`);
  }
  const elided = df.height > maxRows;
  const top = elided ? Math.ceil(maxRows / 2) : df.height;
  const bottom = elided ? Math.floor(maxRows / 2) : 0;
  const rows = [...df.head(top).toRecords(), ...(bottom > 0 ? df.tail(bottom).toRecords() : [])];
  const head = df.columns.map((name, i) =>
    `<th>${escapeHtml(name)}<br><small>${escapeHtml(dtypeName(df.dtypes[i]))}</small></th>`
  ).join("");
  const body = rows.map((row, r) => {
    const tr = `<tr>${df.columns.map((name) => cell(row[name])).join("")}</tr>`;
    return elided && r === top ? `<tr>${df.columns.map(() => "<td>…</td>").join("")}</tr>${tr}` : tr;
  }).join("\n");
  const caption = options.caption === undefined ? "" : `<caption>${escapeHtml(options.caption)}</caption>`;
  return `<div class="trainlarge-table">` +
    `<small>shape: (${df.height}, ${df.width})</small>` +
    `<table border="1" class="dataframe">${caption}<thead><tr>${head}</tr></thead>\n` +
    `<tbody>\n${body}\n</tbody></table></div>`;
}

/**
 * The MIME bundle for `df`: `text/html` from {@linkcode tableHtml} and polars' text table as `text/plain`.
 *
 * @example
 * ```ts
 * import pl from "nodejs-polars";
 * import { assert } from "@std/assert";
 * import { tableBundle } from "./table.ts";
 * const bundle = tableBundle(pl.DataFrame({ step: [1, 2] }));
 * assert(String(bundle["text/plain"]).startsWith("shape: (2, 1)"));
 * ```
 */
export function tableBundle(df: DataFrame, options: TableOptions = {}): MimeBundle {
  return { "text/html": tableHtml(df, options), "text/plain": df.toString() };
}
