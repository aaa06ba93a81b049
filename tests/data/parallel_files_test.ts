import { assertEquals, assertRejects } from "@std/assert";
import pl from "nodejs-polars";
import {
  readParallelFiles,
  readParallelJsonl,
  readParallelParquet,
  readParallelTsv,
  type TextPair,
} from "../../lib/data/parallel_files.ts";

async function collect(it: AsyncIterable<TextPair>): Promise<TextPair[]> {
  const out: TextPair[] = [];
  for await (const p of it) out.push(p);
  return out;
}

const expected = [{ src: "the cat", tgt: "le chat" }, { src: 'a "quoted" dog', tgt: "un chien « cité »" }];

Deno.test("parallel loaders read aligned files, TSV, JSONL (flat and HF nested) and Parquet", async () => {
  const d = await Deno.makeTempDir();
  await Deno.writeTextFile(`${d}/train.en`, expected.map((p) => p.src).join("\n") + "\n");
  await Deno.writeTextFile(`${d}/train.fr`, expected.map((p) => p.tgt).join("\n") + "\n");
  assertEquals(await collect(readParallelFiles(`${d}/train.en`, `${d}/train.fr`)), expected);

  await Deno.writeTextFile(`${d}/p.tsv`, expected.map((p) => `7\t${p.src}\t${p.tgt}`).join("\n"));
  assertEquals(await collect(readParallelTsv(`${d}/p.tsv`, { src: 1, tgt: 2 })), expected);

  await Deno.writeTextFile(
    `${d}/flat.jsonl`,
    expected.map((p) => JSON.stringify({ en: p.src, fr: p.tgt })).join("\n"),
  );
  assertEquals(await collect(readParallelJsonl(`${d}/flat.jsonl`, { src: "en", tgt: "fr" })), expected);
  await Deno.writeTextFile(
    `${d}/hf.jsonl`,
    expected.map((p) => JSON.stringify({ translation: { en: p.src, fr: p.tgt } })).join("\n"),
  );
  assertEquals(await collect(readParallelJsonl(`${d}/hf.jsonl`, { src: "en", tgt: "fr" })), expected);

  pl.DataFrame({ translation: expected.map((p) => ({ en: p.src, fr: p.tgt })) }).writeParquet(
    `${d}/hf.parquet`,
  );
  assertEquals(await collect(readParallelParquet(`${d}/hf.parquet`, { src: "en", tgt: "fr" })), expected);
  pl.DataFrame({ en: expected.map((p) => p.src), fr: expected.map((p) => p.tgt) }).writeParquet(
    `${d}/flat.parquet`,
  );
  assertEquals(await collect(readParallelParquet(`${d}/flat.parquet`, { src: "en", tgt: "fr" })), expected);
  await Deno.remove(d, { recursive: true });
});

Deno.test("parallel loaders name the file and line of bad input", async () => {
  const d = await Deno.makeTempDir();
  await Deno.writeTextFile(`${d}/a.en`, "one\ntwo\nthree\n");
  await Deno.writeTextFile(`${d}/a.fr`, "un\ndeux\n");
  await assertRejects(
    () => collect(readParallelFiles(`${d}/a.en`, `${d}/a.fr`)),
    Error,
    `${d}/a.fr ends after 2 lines but ${d}/a.en has more (line 3)`,
  );
  await Deno.writeTextFile(`${d}/bad.tsv`, "a\tb\nonly-one-column\n");
  await assertRejects(
    () => collect(readParallelTsv(`${d}/bad.tsv`)),
    Error,
    `${d}/bad.tsv:2: malformed TSV row with 1 column(s)`,
  );
  await Deno.writeTextFile(`${d}/bad.jsonl`, '{"src": "a", "tgt": "b"}\n{"src": "a", "tgt": \n');
  await assertRejects(
    () => collect(readParallelJsonl(`${d}/bad.jsonl`)),
    Error,
    `${d}/bad.jsonl:2: malformed JSONL row`,
  );
  await Deno.writeTextFile(`${d}/field.jsonl`, '{"en": "a"}\n');
  await assertRejects(
    () => collect(readParallelJsonl(`${d}/field.jsonl`, { src: "en", tgt: "fr" })),
    Error,
    `field.jsonl:1: field "fr" is missing`,
  );
  await assertRejects(
    () => collect(readParallelFiles(`${d}/missing.en`, `${d}/a.fr`)),
    Error,
    `source file ${d}/missing.en does not exist`,
  );
  pl.DataFrame({ en: ["a"] }).writeParquet(`${d}/x.parquet`);
  await assertRejects(
    () => collect(readParallelParquet(`${d}/x.parquet`, { src: "en", tgt: "fr" })),
    Error,
    "column(s) fr not found; the file has: en",
  );
  await Deno.remove(d, { recursive: true });
});

Deno.test("readParallelFiles() closes both files when the caller stops early", async () => {
  const d = await Deno.makeTempDir();
  await Deno.writeTextFile(`${d}/x.en`, "a\nb\nc\n");
  await Deno.writeTextFile(`${d}/x.fr`, "A\nB\nC\n");
  const openFds = () => [...Deno.readDirSync("/proc/self/fd")].length; // Linux: this process's open files
  const before = openFds();
  for await (const p of readParallelFiles(`${d}/x.en`, `${d}/x.fr`)) {
    assertEquals(p, { src: "a", tgt: "A" });
    break;
  }
  assertEquals(openFds(), before);
  await Deno.remove(d, { recursive: true });
});
