import { assertEquals, assertRejects } from "@std/assert";
import { tokenizeCached } from "../../lib/data/token_cache.ts";

const charTok = {
  vocabSize: 300,
  special: { bos: 0, pad: 1, eos: 2, unk: 3, mask: 4 },
  encode: (t: string) => [...t].map((c) => 5 + c.charCodeAt(0) % 295),
  decode: () => "",
};

Deno.test("tokenizeCached() writes once and reads back the same ids", async () => {
  const dir = await Deno.makeTempDir();
  const texts = ["abc", "", "hello world"];
  const a = await tokenizeCached(texts, charTok, { key: "k1", dir });
  assertEquals(a.map((d) => [...d]), texts.map(charTok.encode));
  const b = await tokenizeCached([], {
    ...charTok,
    encode: () => {
      throw new Error("must not be called");
    },
  }, { key: "k1", dir });
  assertEquals(b.map((d) => [...d]), texts.map(charTok.encode));
  assertEquals([...Deno.readDirSync(dir)].map((e) => e.name), ["k1.i32"]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("tokenizeCached() leaves nothing in the cache when tokenizing fails midway", async () => {
  const dir = await Deno.makeTempDir();
  let n = 0;
  const failing = {
    ...charTok,
    encode: (t: string) => {
      if (++n === 2) throw new Error("boom");
      return charTok.encode(t);
    },
  };
  await assertRejects(() => tokenizeCached(["a", "b", "c"], failing, { key: "k2", dir }), Error, "boom");
  assertEquals([...Deno.readDirSync(dir)], []);
  await Deno.writeFile(`${dir}/k3.i32`, new Uint8Array([9, 0, 0, 0, 1, 0, 0, 0]));
  await assertRejects(
    () => tokenizeCached(["a"], charTok, { key: "k3", dir }),
    Error,
    `token cache ${dir}/k3.i32 is corrupt; delete it`,
  );
  await Deno.remove(dir, { recursive: true });
});
