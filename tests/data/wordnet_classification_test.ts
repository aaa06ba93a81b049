import { assert, assertEquals } from "@std/assert";
import { classBalance, loadWordNetClassification } from "../../lib/data/wordnet_classification.ts";
import { readWordNetSynsets, splitSynsets } from "../../lib/data/wordnet.ts";

Deno.test("loadWordNetClassification() draws only from downstream synsets, disjoint from pretraining", async () => {
  const d = await loadWordNetClassification({ seed: 0 });
  const split = splitSynsets(await readWordNetSynsets(), { seed: 0 });
  const pre = new Set([...split.train, ...split.validation, ...split.test].map((s) => s.id));
  assert(split.downstream.every((s) => !pre.has(s.id)));
  const expected = split.downstream.map((s) => `${s.lexClass}|${s.definition}`).sort();
  assertEquals([...d.train, ...d.validation, ...d.test].map((e) => `${e.label}|${e.text}`).sort(), expected);
  assertEquals(d.labels.length, 45);
  const balance = classBalance(d.train, 45);
  // adj.all is WordNet's largest lexicographer file: `grep -c '^[0-9]\{8\} 00 ' data.adj` gives 14,460 of 117,791
  // synsets (12.3%); a 15% random sample's share stays within ±1.5 points of that.
  assertEquals(d.labels[balance.majorityLabel], "adj.all");
  assert(Math.abs(balance.majorityAccuracy - 14_460 / 117_791) < 0.015, `${balance.majorityAccuracy}`);
});
