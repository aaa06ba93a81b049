/**
 * The key lists that unknown-option checks use must list every field of the options interface they guard:
 * an option added to the interface but not to the list would be refused at run time. Read from the source,
 * so a branch that adds an option to one and not the other fails here, by name.
 */
import { assertEquals } from "@std/assert";
import { TRAIN_OPTION_KEYS } from "../../lib/train/loop.ts";

const ROOT = new URL("../../", import.meta.url);

async function interfaceFields(path: string, name: string): Promise<string[]> {
  const text = await Deno.readTextFile(new URL(path, ROOT));
  const body = new RegExp(`export interface ${name}(?:<[^>]*>)? \\{([\\s\\S]*?)\\n\\}`).exec(text)![1];
  return [...body.matchAll(/^ {2}(\w+)\??:/gm)].map((m) => m[1]).sort();
}

Deno.test("TRAIN_OPTION_KEYS lists exactly the fields of TrainOptions", async () => {
  assertEquals([...TRAIN_OPTION_KEYS].sort(), await interfaceFields("lib/train/loop.ts", "TrainOptions"));
});

Deno.test("pretrainMlm's key list covers exactly the fields of PretrainOptions", async () => {
  const text = await Deno.readTextFile(new URL("lib/experiments/pretrain.ts", ROOT));
  const keys = [.../const PRETRAIN_KEYS = \[([\s\S]*?)\];/.exec(text)![1].matchAll(/"(\w+)"/g)].map((m) =>
    m[1]
  );
  assertEquals(keys.sort(), await interfaceFields("lib/experiments/pretrain.ts", "PretrainOptions"));
});
