/** Bad input files: every error names the file (and line or byte offset) and the library never guesses. */
import { assert, assertEquals, assertRejects, assertThrows } from "@std/assert";
import { readLines } from "../../lib/data/read_lines.ts";
import { loadTextDocuments } from "../../lib/data/text_files.ts";
import { readParallelJsonl, readParallelTsv } from "../../lib/data/parallel_files.ts";
import { readMnli, readTextLabelTable } from "../../lib/data/labelled_files.ts";
import { trainBpe } from "../../lib/data/bpe_train.ts";
import { fromTokenizerJson, toTokenizerJson } from "../../lib/data/tokenizer_json.ts";
import { InputError } from "../../lib/util/input_error.ts";
import { OptionError } from "../../lib/util/options.ts";

const collect = async <T>(it: AsyncIterable<T>) => {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
};

Deno.test("invalid UTF-8 is an InputError naming the file, line and byte offset; a UTF-8 BOM is skipped", async () => {
  const d = await Deno.makeTempDir();
  const bytes = new Uint8Array([
    0xef,
    0xbb,
    0xbf,
    ...new TextEncoder().encode("héllo\nok\nbad "),
    0xc3,
    0x28,
    0x0a,
  ]);
  await Deno.writeFile(`${d}/t.txt`, bytes);
  const err = await assertRejects(() => loadTextDocuments(`${d}/t.txt`), InputError);
  // "héllo\n" is 7 bytes and "ok\n" 3, after the 3-byte BOM; "bad " is 4 more: the bad byte is at 17.
  assert(err.message.includes(`${d}/t.txt:3`) && err.message.includes("byte offset 17"), err.message);
  await Deno.writeFile(`${d}/bom.txt`, new Uint8Array([0xef, 0xbb, 0xbf, 0x61, 0x0d, 0x0a, 0x62]));
  assertEquals((await collect(readLines(`${d}/bom.txt`))).map((l) => l.line), ["a", "b"]);
  await Deno.writeFile(`${d}/u16.txt`, new Uint8Array([0xff, 0xfe, 0x61, 0x00]));
  await assertRejects(() => loadTextDocuments(`${d}/u16.txt`), InputError, "UTF-16");
  await Deno.remove(d, { recursive: true });
});

Deno.test("a directory given as a file and a missing file are InputErrors naming the path", async () => {
  const d = await Deno.makeTempDir();
  const err = await assertRejects(() => loadTextDocuments(d), InputError, "is a directory");
  assertEquals(err.path, d);
  await assertRejects(() => loadTextDocuments(`${d}/none.txt`), InputError, `${d}/none.txt`);
  await Deno.remove(d, { recursive: true });
});

Deno.test("readParallelTsv() takes header names and lists the columns when one is missing", async () => {
  const d = await Deno.makeTempDir();
  await Deno.writeTextFile(`${d}/p.tsv`, "id\ten\tde\n1\thello\thallo\n");
  assertEquals(await collect(readParallelTsv(`${d}/p.tsv`, { src: "en", tgt: "de" })), [{
    src: "hello",
    tgt: "hallo",
  }]);
  const err = await assertRejects(
    () => collect(readParallelTsv(`${d}/p.tsv`, { src: "en", tgt: "fr" })),
    InputError,
  );
  assert(err.message.includes(`"fr"`) && err.message.includes(`"id", "en", "de"`), err.message);
  await assertRejects(
    () => collect(readParallelTsv(`${d}/p.tsv`, { source: 0 } as never)),
    OptionError,
    "src",
  );
  await Deno.remove(d, { recursive: true });
});

Deno.test("JSONL loaders: a null line and a missing field are errors with file, line and the fields present", async () => {
  const d = await Deno.makeTempDir();
  await Deno.writeTextFile(`${d}/p.jsonl`, '{"en": "a", "fr": "b"}\nnull\n');
  await assertRejects(
    () => collect(readParallelJsonl(`${d}/p.jsonl`, { src: "en", tgt: "fr" })),
    InputError,
    `${d}/p.jsonl:2`,
  );
  const err = await assertRejects(
    () => collect(readParallelJsonl(`${d}/p.jsonl`, { src: "en", tgt: "de" })),
    InputError,
  );
  assert(
    err.message.includes(`${d}/p.jsonl:1`) && err.message.includes('"de"') && err.message.includes("en, fr"),
  );
  await Deno.writeTextFile(`${d}/m.jsonl`, "null\n");
  await assertRejects(() => readMnli(`${d}/m.jsonl`), Error, `${d}/m.jsonl:1`);
  await Deno.remove(d, { recursive: true });
});

Deno.test("readTextLabelTable(): an empty label is an error naming the row; unknown options are refused", async () => {
  const d = await Deno.makeTempDir();
  await Deno.writeTextFile(`${d}/t.tsv`, "text\tlabel\ngood\tpos\nmeh\t\n");
  await assertRejects(() => readTextLabelTable(`${d}/t.tsv`), Error, `${d}/t.tsv:3`);
  await assertRejects(
    () => readTextLabelTable(`${d}/t.tsv`, { labelColum: "label" } as never),
    OptionError,
    "labelColumn",
  );
  await Deno.remove(d, { recursive: true });
});

Deno.test("tokenizer.json with a duplicate id or a wrongly typed field: errors with file and line", () => {
  const json = JSON.stringify(JSON.parse(toTokenizerJson(trainBpe(["aa bb"], { vocabSize: 262 }))), null, 2);
  const j = JSON.parse(json);
  const [first, second] = Object.keys(j.model.vocab).slice(10, 12);
  j.model.vocab[second] = j.model.vocab[first];
  const dup = JSON.stringify(j, null, 2);
  const line = dup.slice(0, dup.indexOf(JSON.stringify(second) + ":")).split("\n").length;
  assertThrows(
    () => fromTokenizerJson(dup, "tok.json"),
    Error,
    `tok.json:${line}: id ${j.model.vocab[first]} is given to both`,
  );
  j.model.vocab[second] = "7";
  assertThrows(() => fromTokenizerJson(JSON.stringify(j, null, 2), "tok.json"), Error, `has id "7"`);
  j.model.vocab[second] = 300;
  j.model.merges = [42];
  assertThrows(() => fromTokenizerJson(JSON.stringify(j, null, 2), "tok.json"), Error, "merges[0] 42");
});
