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
    `${d}/missing.en: source file does not exist`,
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
  // 4 MB each: far more than the stream buffers hold, so both files are open when the first pair arrives and
  // would stay open if the reader were not cancelled.
  await Deno.writeTextFile(`${d}/x.en`, "a\n" + "b\n".repeat(2_000_000));
  await Deno.writeTextFile(`${d}/x.fr`, "A\n" + "B\n".repeat(2_000_000));
  // Linux: which of this process's open descriptors point at the two files. (Counting all descriptors is
  // flaky: `deno test --parallel` runs other test files in the same process.)
  const openOnes = () =>
    [...Deno.readDirSync("/proc/self/fd")].flatMap(({ name }) => {
      try {
        const target = Deno.readLinkSync(`/proc/self/fd/${name}`);
        return target.startsWith(d) ? [target] : [];
      } catch {
        return []; // closed between the listing and the readlink
      }
    });
  let whileOpen: string[] = [];
  for await (const p of readParallelFiles(`${d}/x.en`, `${d}/x.fr`)) {
    assertEquals(p, { src: "a", tgt: "A" });
    whileOpen = openOnes();
    break;
  }
  // The check sees both while they are open (Deno may hold more than one descriptor per file).
  assertEquals([...new Set(whileOpen)].sort(), [`${d}/x.en`, `${d}/x.fr`]);
  // Deno releases a descriptor when its last in-flight read settles, which can be a few event-loop turns
  // after the close; a leak would keep it open for good.
  for (let waited = 0; openOnes().length > 0 && waited < 2000; waited += 10) {
    await new Promise((r) => setTimeout(r, 10));
  }
  assertEquals(openOnes(), []);
  await Deno.remove(d, { recursive: true });
});
