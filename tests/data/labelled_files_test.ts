import { assertEquals, assertRejects } from "@std/assert";
import pl from "nodejs-polars";
import { MNLI_LABELS, readMnli, readTextLabelTable } from "../../lib/data/labelled_files.ts";

Deno.test("readTextLabelTable() reads CSV (with quoting), TSV and Parquet into label ids", async () => {
  const d = await Deno.makeTempDir();
  await Deno.writeTextFile(`${d}/t.csv`, 'id,text,label\n1,"fine, ""really""",pos\n2,awful,neg\n3,ok,pos\n');
  const csv = await readTextLabelTable(`${d}/t.csv`);
  assertEquals(csv.labels, ["neg", "pos"]);
  assertEquals(csv.examples, [{ text: 'fine, "really"', label: 1 }, { text: "awful", label: 0 }, {
    text: "ok",
    label: 1,
  }]);

  await Deno.writeTextFile(`${d}/t.tsv`, 'sentence\tlabel\na "raw" quote\t1\nnothing\t0\n');
  const tsv = await readTextLabelTable(`${d}/t.tsv`, {
    textColumn: "sentence",
    labels: ["negative", "positive"],
  });
  assertEquals(tsv.examples, [{ text: 'a "raw" quote', label: 1 }, { text: "nothing", label: 0 }]);

  pl.DataFrame({ text: ["x", "y"], label: ["b", "a"] }).writeParquet(`${d}/t.parquet`);
  const pq = await readTextLabelTable(`${d}/t.parquet`, { labels: ["a", "b"] });
  assertEquals(pq.examples, [{ text: "x", label: 1 }, { text: "y", label: 0 }]);
  await Deno.remove(d, { recursive: true });
});

const header =
  "index\tpromptID\tpairID\tgenre\tsentence1_binary_parse\tsentence2_binary_parse\tsentence1_parse\t" +
  "sentence2_parse\tsentence1\tsentence2\tlabel1\tgold_label";
const row = (i: number, s1: string, s2: string, g: string) =>
  `${i}\t1\t1e\tfiction\t( x )\t( y )\t(ROOT)\t(ROOT)\t${s1}\t${s2}\t${g}\t${g}`;

Deno.test("readMnli() reads the GLUE TSV and MultiNLI JSONL layouts", async () => {
  const d = await Deno.makeTempDir();
  await Deno.writeTextFile(
    `${d}/dev_matched.tsv`,
    [
      header,
      row(0, "A man sleeps.", "A person rests.", "entailment"),
      row(1, 'It\'s "hot".', "It is cold.", "contradiction"),
    ].join("\n"),
  );
  assertEquals(await readMnli(`${d}/dev_matched.tsv`), [
    { premise: "A man sleeps.", hypothesis: "A person rests.", label: 0 },
    { premise: 'It\'s "hot".', hypothesis: "It is cold.", label: 2 },
  ]);
  const j = (g: string) => JSON.stringify({ sentence1: "P", sentence2: "H", gold_label: g });
  await Deno.writeTextFile(`${d}/mnli.jsonl`, [j("neutral"), j("-"), j("entailment")].join("\n"));
  assertEquals((await readMnli(`${d}/mnli.jsonl`)).map((e) => MNLI_LABELS[e.label]), [
    "neutral",
    "entailment",
  ]);
  await Deno.remove(d, { recursive: true });
});

Deno.test("labelled loaders name the file, line and value of an unknown label or malformed row", async () => {
  const d = await Deno.makeTempDir();
  await Deno.writeTextFile(
    `${d}/m.tsv`,
    [header, row(0, "a", "b", "entailment"), row(1, "c", "d", "maybe")].join("\n"),
  );
  await assertRejects(
    () => readMnli(`${d}/m.tsv`),
    Error,
    `${d}/m.tsv:3: unknown gold_label "maybe"; expected one of entailment, neutral, contradiction`,
  );
  await Deno.writeTextFile(`${d}/short.tsv`, [header, "0\t1\tonly three"].join("\n"));
  await assertRejects(
    () => readMnli(`${d}/short.tsv`),
    Error,
    `${d}/short.tsv:2: malformed TSV row with 3 columns, the header has 12`,
  );
  await Deno.writeTextFile(`${d}/bad.jsonl`, '{"sentence1": "a"');
  await assertRejects(() => readMnli(`${d}/bad.jsonl`), Error, `${d}/bad.jsonl:1: malformed JSONL row`);
  await Deno.writeTextFile(`${d}/t.csv`, "text,label\nhello,spam\n");
  await assertRejects(
    () => readTextLabelTable(`${d}/t.csv`, { labels: ["ham"] }),
    Error,
    `${d}/t.csv: record 2: unknown label (column "label") "spam"`,
  );
  await Deno.writeTextFile(`${d}/nolabel.csv`, "text,category\nhello,spam\n");
  await assertRejects(() => readTextLabelTable(`${d}/nolabel.csv`), Error, "header lacks column label");
  await assertRejects(
    () => readTextLabelTable(`${d}/none.parquet`),
    Error,
    `Parquet file ${d}/none.parquet does not exist`,
  );
  await Deno.remove(d, { recursive: true });
});
