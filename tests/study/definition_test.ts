import { assertEquals, assertNotEquals, assertThrows } from "@std/assert";
import { expandRuns, flattenConfig, getPath, mergeConfig, setPath } from "../../lib/study/definition.ts";
import { canonicalJson, runHash } from "../../lib/study/hash.ts";
import { OptionError } from "../../lib/util/options.ts";

Deno.test("expandRuns() crosses every grid field, explicit runs and seeds in a stable order", () => {
  const runs = expandRuns({
    name: "s",
    kind: "k",
    base: { seconds: 10, model: { layers: 2 } },
    runs: [{ lr: 1 }, { lr: 2 }],
    grid: { "model.width": [64, 128, 256] },
    seeds: [0, 1],
  });
  assertEquals(runs.length, 2 * 3 * 2);
  assertEquals(runs[0].overrides, { seconds: 10, model: { layers: 2, width: 64 }, lr: 1, seed: 0 });
  assertEquals(runs[1].overrides, { seconds: 10, model: { layers: 2, width: 64 }, lr: 1, seed: 1 });
  assertEquals(runs[11].overrides, { seconds: 10, model: { layers: 2, width: 256 }, lr: 2, seed: 1 });
  assertEquals(runs[11].label, "#1 width=256 seed=1");
  assertEquals(new Set(runs.map((r) => JSON.stringify(r.overrides))).size, 12);
});

Deno.test("expandRuns() rejects empty grids, bad seeds and unknown definition keys by name", () => {
  assertThrows(() => expandRuns({ name: "s", kind: "k", grid: { lr: [] } }), OptionError, "grid field `lr`");
  assertThrows(() => expandRuns({ name: "s", kind: "k", seeds: [-1] }), OptionError, "seeds");
  assertThrows(
    () => expandRuns({ name: "s", kind: "k", grids: {} } as never),
    OptionError,
    "did you mean `grid`",
  );
});

Deno.test("setPath/getPath/mergeConfig work on nested configs without mutating them", () => {
  const base = { model: { layers: 2, width: 64 }, seed: 0 };
  const changed = setPath(base, "model.width", 128);
  assertEquals(base.model.width, 64);
  assertEquals(getPath(changed, "model.width"), 128);
  assertEquals(getPath(changed, "model.depth"), undefined);
  assertEquals(mergeConfig(base, { model: { width: 32 } }), { model: { layers: 2, width: 32 }, seed: 0 });
  assertEquals(flattenConfig({ a: { b: [1] }, c: "x" }), { "a.b": "[1]", c: "x" });
});

Deno.test("runHash() ignores key order and changes with any value, fingerprint or version", async () => {
  const id = { kind: "mlm", config: { a: 1, b: { c: 2, d: 3 } }, fingerprint: "f", version: "1" };
  const same = await runHash({ ...id, config: { b: { d: 3, c: 2 }, a: 1 } });
  assertEquals(await runHash(id), same);
  for (
    const other of [
      { ...id, config: { a: 1, b: { c: 2, d: 4 } } },
      { ...id, fingerprint: "g" },
      { ...id, version: "2" },
      { ...id, kind: "seq2seq" },
    ]
  ) assertNotEquals(await runHash(other), same);
  assertThrows(() => canonicalJson({ a: NaN }), Error, "config.a is NaN");
});
