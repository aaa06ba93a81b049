import { assert, assertEquals, assertNotEquals, assertRejects } from "@std/assert";
import { classificationCorpus, classifyDataFingerprint } from "../../lib/experiments/classification_data.ts";
import { mlmCorpus, mlmDataFingerprint } from "../../lib/experiments/mlm_run.ts";
import { seq2seqRun, translationData } from "../../lib/experiments/seq2seq_run.ts";
import { trainBpe } from "../../lib/data/bpe_train.ts";
import { saveTokenizer } from "../../lib/data/tokenizer_json.ts";

const TEXT = [
  "the cat sat on the mat",
  "a dog ran in the park",
  "birds fly over the hills",
  "the sun is warm",
];

Deno.test("mlm data from a corpus directory: its tokenizer and documents; the fingerprint follows the bytes", async () => {
  const dir = await Deno.makeTempDir();
  const tok = trainBpe(TEXT, { vocabSize: 280 });
  await saveTokenizer(tok, `${dir}/tokenizer.json`);
  await Deno.writeTextFile(`${dir}/train.txt`, TEXT.slice(0, 3).join("\n") + "\n");
  await Deno.writeTextFile(`${dir}/validation.txt`, TEXT[3] + "\n");
  const data = { vocabSize: 2048, splitSeed: 0, path: dir };
  const corpus = await mlmCorpus(data);
  assertEquals(corpus.tokenizer.vocabSize, tok.vocabSize);
  assertEquals(corpus.train.map((d) => Array.from(d)), TEXT.slice(0, 3).map((t) => tok.encode(t)));
  assertEquals(Array.from(corpus.validation[0]), tok.encode(TEXT[3]));
  const before = await mlmDataFingerprint(data);
  await Deno.writeTextFile(`${dir}/validation.txt`, "the hills are warm\n");
  assertNotEquals(await mlmDataFingerprint(data), before);
  await Deno.remove(`${dir}/train.txt`);
  await assertRejects(() => mlmDataFingerprint(data), Error, "train.txt");
});

Deno.test("classification data from labelled TSV files: labels from train.tsv, ids with the run's tokenizer", async () => {
  const dir = await Deno.makeTempDir();
  const tsv = (rows: string[][]) => "text\tlabel\n" + rows.map((r) => r.join("\t")).join("\n") + "\n";
  await Deno.writeTextFile(
    `${dir}/train.tsv`,
    tsv([[TEXT[0], "pets"], [TEXT[2], "wild"], [TEXT[1], "pets"]]),
  );
  await Deno.writeTextFile(`${dir}/validation.tsv`, tsv([[TEXT[3], "wild"]]));
  await Deno.writeTextFile(`${dir}/test.tsv`, tsv([[TEXT[1], "pets"]]));
  const tok = trainBpe(TEXT, { vocabSize: 280 });
  const data = { path: dir, splitSeed: 0 };
  const corpus = await classificationCorpus(data, tok);
  assertEquals(corpus.labels, ["pets", "wild"]);
  assertEquals(corpus.train.map((e) => e.label), [0, 1, 0]);
  assertEquals(Array.from(corpus.validation[0].ids), tok.encode(TEXT[3]));
  assertEquals(corpus.test[0].label, 0);
  assert((await classifyDataFingerprint(data)).startsWith("labelled/"));
});

Deno.test("seq2seq data from parallel files: the last pairs held out as validation, references as text", async () => {
  const dir = await Deno.makeTempDir();
  const fr = ["le chat", "un chien", "des oiseaux", "le soleil"];
  await Deno.writeTextFile(`${dir}/a.en`, TEXT.join("\n") + "\n");
  await Deno.writeTextFile(`${dir}/a.fr`, fr.join("\n") + "\n");
  const c = seq2seqRun.config({
    data: {
      train: 1,
      validation: 1,
      vocabSize: 300,
      corpusSeed: 0,
      srcPath: `${dir}/a.en`,
      tgtPath: `${dir}/a.fr`,
    },
  });
  const data = await translationData(c.data);
  assertEquals([data.train.length, data.validation.length], [3, 1]);
  assertEquals(data.references, ["le soleil"]);
  assertEquals(data.tokenizer.decode(Array.from(data.validation[0].src)), TEXT[3]);
  assert((await seq2seqRun.fingerprint(c)).startsWith("parallel/"));
  await assertRejects(
    () => translationData({ ...c.data, validation: 4 }),
    Error,
    "not more than data.validation",
  );
});
