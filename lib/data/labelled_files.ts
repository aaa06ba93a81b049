/**
 * Labelled text for classification: any `text,label` table (CSV, TSV or Parquet) and GLUE MNLI (TSV or
 * JSONL). CSV is parsed by `@std/csv` (quoting rules); TSV is split on tabs without quoting, as GLUE ships
 * it. Everything streams; only the resulting examples are kept. Labels become ids by a given label list
 * (an unknown label is an error naming file, row and value) or, without one, by sorted distinct values.
 *
 * @module
 */
import { CsvParseStream } from "@std/csv";
import { checkKeys, OptionError } from "../util/options.ts";
import { openOrExplain, readLines } from "./read_lines.ts";
import { readParquetRows } from "./parquet_rows.ts";
import type { TextExample } from "./wordnet_classification.ts";

/** A labelled dataset read from a file. */
export interface LabelledTexts {
  /** `labels[id]` names class `id`. */
  labels: string[];
  /** The examples in file order. */
  examples: TextExample[];
}

/** Options for `readTextLabelTable`. */
export interface TextLabelTableOptions {
  /** Column holding the text. */
  textColumn?: string;
  /** Column holding the label (a name, or an integer id when `labels` is given). */
  labelColumn?: string;
  /** The label names in id order; without it, the sorted distinct labels of the file. */
  labels?: readonly string[];
}

type Row = { where: string; text: unknown; label: unknown };

async function* tsvRows(
  path: string,
  columns: string[],
): AsyncGenerator<Record<string, string> & { _where: string }> {
  let header: string[] | undefined;
  for await (const { line, lineNo } of readLines(path, "TSV")) {
    if (line === "") continue;
    const cols = line.split("\t");
    if (!header) {
      header = cols;
      const missing = columns.filter((c) => !header!.includes(c));
      if (missing.length) {
        throw new Error(
          `${path}:1: header lacks column(s) ${missing.join(", ")}; it has: ${header.join(", ")}`,
        );
      }
      continue;
    }
    if (cols.length !== header.length) {
      throw new Error(
        `${path}:${lineNo}: malformed TSV row with ${cols.length} columns, the header has ${header.length}; ` +
          `fix or remove the line`,
      );
    }
    const rec = Object.fromEntries(header.map((h, i) => [h, cols[i]])) as Record<string, string> & {
      _where: string;
    };
    rec._where = `${path}:${lineNo}`;
    yield rec;
  }
}

async function* tableRows(path: string, textColumn: string, labelColumn: string): AsyncGenerator<Row> {
  const ext = path.toLowerCase().split(".").pop();
  if (ext === "parquet") {
    let n = 0;
    for await (const r of readParquetRows(path, [textColumn, labelColumn])) {
      yield { where: `${path}: row ${++n}`, text: r[textColumn], label: r[labelColumn] };
    }
  } else if (ext === "tsv") {
    for await (const r of tsvRows(path, [textColumn, labelColumn])) {
      yield { where: r._where, text: r[textColumn], label: r[labelColumn] };
    }
  } else if (ext === "csv") {
    const file = await openOrExplain(path, "CSV");
    const rows = file.readable.pipeThrough(new TextDecoderStream("utf-8", { fatal: true }))
      .pipeThrough(new CsvParseStream({ skipFirstRow: true }));
    let n = 1;
    try {
      for await (const r of rows as AsyncIterable<Record<string, string | undefined>>) {
        n++;
        if (n === 2) {
          for (const c of [textColumn, labelColumn]) {
            if (!(c in r)) throw new Error(`header lacks column ${c}; it has: ${Object.keys(r).join(", ")}`);
          }
        }
        yield { where: `${path}: record ${n}`, text: r[textColumn], label: r[labelColumn] };
      }
    } catch (e) {
      throw new Error(`${path}: malformed CSV near record ${n + 1}: ${(e as Error).message}`);
    }
  } else {
    throw new Error(`${path}: unsupported table extension ".${ext}"; use .csv, .tsv or .parquet`);
  }
}

function labelMapper(labels: readonly string[] | undefined, what: string) {
  const index = new Map(labels?.map((l, i) => [l, i]));
  return (raw: unknown, where: string): number | string => {
    const value = String(raw ?? "").trim();
    if (value === "") {
      throw new Error(`${where}: ${what} is empty; every row needs a label (fix or remove the row)`);
    }
    if (!labels) return value;
    const id = index.get(value) ??
      (/^\d+$/.test(value) && Number(value) < labels.length ? Number(value) : undefined);
    if (id === undefined) {
      throw new Error(
        `${where}: unknown ${what} ${JSON.stringify(value)}; expected one of ${labels.join(", ")}`,
      );
    }
    return id;
  };
}

/**
 * Reads a `text,label` table from CSV, TSV or Parquet (chosen by extension).
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { readTextLabelTable } from "./labelled_files.ts";
 * const path = await Deno.makeTempFile({ suffix: ".csv" });
 * await Deno.writeTextFile(path, 'text,label\n"good, really",pos\nbad,neg\n');
 * const d = await readTextLabelTable(path);
 * assert(d.labels.join() === "neg,pos" && d.examples[0].label === 1 && d.examples[0].text === "good, really");
 * await Deno.remove(path);
 * ```
 */
export async function readTextLabelTable(
  path: string,
  options: TextLabelTableOptions = {},
): Promise<LabelledTexts> {
  checkKeys("readTextLabelTable", options, ["textColumn", "labelColumn", "labels"]);
  if (options.labels !== undefined && (!Array.isArray(options.labels) || options.labels.length < 1)) {
    throw new OptionError(
      "readTextLabelTable",
      "labels",
      "`labels` must list the label names (an empty list can match no row)",
    );
  }
  const textColumn = options.textColumn ?? "text", labelColumn = options.labelColumn ?? "label";
  const map = labelMapper(options.labels, `label (column "${labelColumn}")`);
  const raw: { text: string; label: number | string }[] = [];
  for await (const r of tableRows(path, textColumn, labelColumn)) {
    if (typeof r.text !== "string") {
      throw new Error(`${r.where}: column "${textColumn}" is empty or not text`);
    }
    raw.push({ text: r.text, label: map(r.label, r.where) });
  }
  if (raw.length === 0) throw new Error(`${path}: the table has no rows; give a file with data`);
  const labels = options.labels
    ? [...options.labels]
    : [...new Set(raw.map((r) => r.label as string))].sort();
  const ids = new Map(labels.map((l, i) => [l, i]));
  return {
    labels,
    examples: raw.map((r) => ({
      text: r.text,
      label: typeof r.label === "number" ? r.label : ids.get(r.label)!,
    })),
  };
}

/** MNLI's labels in GLUE / HF order. */
export const MNLI_LABELS: readonly string[] = Object.freeze(["entailment", "neutral", "contradiction"]);

/** One MNLI example. */
export interface NliExample {
  /** The premise sentence. */
  premise: string;
  /** The hypothesis sentence, to be judged against the premise. */
  hypothesis: string;
  /** Index into `MNLI_LABELS`. */
  label: number;
}

/**
 * Reads GLUE MNLI from its TSV (`sentence1`, `sentence2`, `gold_label`) or the MultiNLI JSONL. Rows whose
 * gold label is `-` (annotators disagreed; MultiNLI marks them so) are skipped, as GLUE does.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { readMnli } from "./labelled_files.ts";
 * const path = await Deno.makeTempFile({ suffix: ".jsonl" });
 * await Deno.writeTextFile(path, '{"sentence1": "A dog runs.", "sentence2": "An animal moves.", "gold_label": "entailment"}\n');
 * const ex = await readMnli(path);
 * assert(ex.length === 1 && ex[0].label === 0);
 * await Deno.remove(path);
 * ```
 */
export async function readMnli(path: string): Promise<NliExample[]> {
  const map = labelMapper(MNLI_LABELS, "gold_label");
  const out: NliExample[] = [];
  const add = (s1: unknown, s2: unknown, gold: unknown, where: string) => {
    if (gold === "-") return;
    if (typeof s1 !== "string" || typeof s2 !== "string") {
      throw new Error(`${where}: sentence1 or sentence2 is missing or not text`);
    }
    out.push({ premise: s1, hypothesis: s2, label: map(gold, where) as number });
  };
  if (path.toLowerCase().endsWith(".tsv")) {
    for await (const r of tsvRows(path, ["sentence1", "sentence2", "gold_label"])) {
      add(r.sentence1, r.sentence2, r.gold_label, r._where);
    }
  } else if (/\.jsonl?$/i.test(path)) {
    for await (const { line, lineNo } of readLines(path, "MNLI JSONL")) {
      if (line.trim() === "") continue;
      let o: Record<string, unknown>;
      try {
        o = JSON.parse(line);
      } catch (e) {
        throw new Error(
          `${path}:${lineNo}: malformed JSONL row (${(e as Error).message}); fix or remove the line`,
        );
      }
      if (o === null || typeof o !== "object" || Array.isArray(o)) {
        throw new Error(
          `${path}:${lineNo}: the row is ${line.trim()}, not a JSON object; fix or remove the line`,
        );
      }
      add(
        o.sentence1 ?? o.premise,
        o.sentence2 ?? o.hypothesis,
        o.gold_label ?? o.label,
        `${path}:${lineNo}`,
      );
    }
  } else {
    throw new Error(`${path}: MNLI must be .tsv (GLUE) or .jsonl (MultiNLI)`);
  }
  if (out.length === 0) {
    throw new Error(`${path}: no labelled MNLI rows found; is this the test split (no labels)?`);
  }
  return out;
}
