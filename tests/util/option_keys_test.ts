/**
 * The key lists that unknown-option checks use must list every field of the options interface they guard:
 * an option added to an interface but not to its list would be refused at run time. Read from the source,
 * so a branch that adds (or renames) an option in one place and not the other fails here, by name.
 */
import { assertEquals } from "@std/assert";
import { TRAIN_OPTION_KEYS } from "../../lib/train/loop.ts";

const ROOT = new URL("../../", import.meta.url);
const sources = new Map<string, string>();
for await (const url of walk(new URL("lib/", ROOT))) sources.set(url.pathname, await Deno.readTextFile(url));

async function* walk(dir: URL): AsyncGenerator<URL> {
  for await (const e of Deno.readDir(dir)) {
    const url = new URL(e.name + (e.isDirectory ? "/" : ""), dir);
    if (e.isDirectory) yield* walk(url);
    else if (e.name.endsWith(".ts")) yield url;
  }
}

const UTILITY_TYPES = new Set(["Omit", "Partial", "Pick", "Required", "Readonly", "Record"]);

/** The fields of `export interface name`, inherited ones included. */
function fields(name: string): string[] {
  for (const text of sources.values()) {
    const m = new RegExp(`export interface ${name}(?:<[^>]*>)?(?: extends ([^{]+))? \\{([\\s\\S]*?)\\n\\}`)
      .exec(text);
    if (!m) continue;
    const own = [...m[2].matchAll(/^ {2}(?:readonly )?(\w+)\??:/gm)].map((x) => x[1]);
    const bases = [...(m[1] ?? "").matchAll(/\b([A-Z]\w+)\b/g)].map((x) => x[1]).filter((b) =>
      !UTILITY_TYPES.has(b)
    );
    return [...new Set([...own, ...bases.flatMap(fields)])].sort();
  }
  throw new Error(`interface ${name} not found under lib/`);
}

/**
 * The key list a check uses: the literal list of `checkKeys("where", options, [...])`, or, when `where` is a
 * constant's NAME, the literal list of `const NAME = [...]` in a file that passes NAME to `checkKeys`.
 */
function keyList(where: string): string[] {
  const named = /^[A-Z][A-Z0-9_]*$/.test(where);
  const list = named
    ? new RegExp(`const ${where}\\b[^=]*=\\s*(?:Object\\.freeze\\()?\\[([^\\]]*)\\]`)
    : new RegExp(`checkKeys\\(\\s*"${where}",\\s*[\\w.]+,\\s*\\[([^\\]]*)\\]`);
  for (const text of sources.values()) {
    const m = list.exec(text);
    if (!m) continue;
    if (named && !new RegExp(`checkKeys\\([^)]*\\b${where}\\b`).test(text)) {
      throw new Error(`${where} is declared but no checkKeys(…) in its file uses it`);
    }
    return [...m[1].matchAll(/"(\w+)"/g)].map((x) => x[1]).sort();
  }
  throw new Error(
    named
      ? `no const ${where} = [...] under lib/`
      : `no checkKeys("${where}", …) with a literal list under lib/`,
  );
}

const GUARDED: [string, string][] = [
  ["seq2seqBatches", "Seq2SeqBatchOptions"],
  ["classificationBatches", "ClassificationBatchOptions"],
  ["loadWordNetCorpus", "WordNetSplitOptions"],
  ["loadWordNetTokenized", "WordNetTokenizedOptions"],
  ["trainBpe", "TrainBpeOptions"],
  ["loadTranslationTokenized", "TranslationTokenizedOptions"],
  ["trainStep", "TrainStepOptions"],
  ["FIGURE_OPTION_KEYS", "FigureOptions"],
  ["PRETRAIN_KEYS", "PretrainOptions"],
  ["QUANTIZE_KEYS", "QuantizeOptions"],
  ["OPTION_KEYS", "RunStudyOptions"],
  ["DEFINITION_KEYS", "StudyDefinition"],
  ["tableHtml", "TableOptions"],
  ["createAdamW", "AdamWConfig"],
  ["readTextDocuments", "TextDocumentOptions"],
  ["show", "ShowOptions"],
  ["mlmBatches", "MlmBatchOptions"],
  ["bleu", "BleuOptions"],
  ["readTextLabelTable", "TextLabelTableOptions"],
  ["readParallelTsv", "ParallelFieldOptions"],
  ["saveCheckpoint", "SaveCheckpointOptions"],
  ["loadCheckpoint", "LoadCheckpointOptions"],
  ["cubic schedule", "CubicSchedule"],
];

Deno.test("every literal unknown-option list matches the fields of the interface it guards", () => {
  for (const [where, name] of GUARDED) assertEquals(keyList(where), fields(name), `${where} vs ${name}`);
});

Deno.test("TRAIN_OPTION_KEYS lists exactly the fields of TrainOptions", () => {
  assertEquals([...TRAIN_OPTION_KEYS].sort(), fields("TrainOptions"));
});
