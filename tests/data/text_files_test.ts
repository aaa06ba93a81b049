import { assertEquals, assertRejects } from "@std/assert";
import { loadTextDocuments, readTextDocuments } from "../../lib/data/text_files.ts";

Deno.test("readTextDocuments() reads WikiText-style paragraphs and one-document-per-line files", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(
    `${dir}/wiki.txt`,
    "\uFEFF = Valkyria = \n\n The game began .\r\n It sold well .\n\n\n = Reception = \n",
  );
  const paras: string[] = [];
  for await (const d of readTextDocuments(`${dir}/wiki.txt`, { mode: "paragraph" })) paras.push(d);
  assertEquals(paras, ["= Valkyria =", "The game began .\nIt sold well .", "= Reception ="]);
  assertEquals(await loadTextDocuments(`${dir}/wiki.txt`), [
    "= Valkyria =",
    "The game began .",
    "It sold well .",
    "= Reception =",
  ]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("readTextDocuments() streams a file much larger than its chunk size", async () => {
  const path = await Deno.makeTempFile();
  const lines = Array.from({ length: 50_000 }, (_, i) => `document number ${i}`);
  await Deno.writeTextFile(path, lines.join("\n"));
  let n = 0, last = "";
  for await (const d of readTextDocuments(path)) [n, last] = [n + 1, d];
  assertEquals([n, last], [50_000, "document number 49999"]);
  await Deno.remove(path);
});

Deno.test("a missing file and an empty corpus give errors naming the file", async () => {
  await assertRejects(
    () => loadTextDocuments("/no/such/corpus.txt"),
    Error,
    "/no/such/corpus.txt: text corpus file does not exist",
  );
  const path = await Deno.makeTempFile();
  await Deno.writeTextFile(path, "\n  \n\n");
  await assertRejects(() => loadTextDocuments(path), Error, `text corpus ${path} is empty`);
  await Deno.remove(path);
});
