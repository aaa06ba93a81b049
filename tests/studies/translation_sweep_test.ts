import { assert, assertEquals, assertRejects } from "@std/assert";
import { useBackend } from "../../lib/backend/use_backend.ts";
import { translationSweep } from "../../lib/studies/translation_sweep.ts";
import { OptionError } from "../../lib/util/options.ts";

Deno.test("translationSweep() at smoke scale: BLEU at every evaluation, three figures, a cache hit", async () => {
  await useBackend("cpu");
  const store = await Deno.makeTempDir();
  const study = await translationSweep({ scale: "smoke", store, progress: "silent" });
  assertEquals(study.runs.height, 3);
  assertEquals(study.runs.getColumn("label").toArray(), ["1+1×32", "2+2×32", "1+1×64"]);
  for (
    const col of ["seconds", "step", "valLoss", "bleu", "decodeSeconds", "model.encoderLayers", "model.width"]
  ) {
    assert(study.records.columns.includes(col), `records lacks ${col}: ${study.records.columns}`);
  }
  const bleus = study.records.getColumn("bleu").toArray().filter((b) => b !== null) as number[];
  assert(bleus.length >= 3 && bleus.every((b) => b >= 0 && b <= 100), `bleu ${bleus}`);
  assertEquals(study.figures.length, 3);
  assertEquals(study.figures[0].data.length, 3);
  assertEquals((study.figures[0].layout.yaxis as { type: string }).type, "linear");
  assertEquals(study.figures[2].data.map((t) => (t.x as number[]).length), [2, 2]);
  const t0 = performance.now();
  const again = await translationSweep({ scale: "smoke", store, progress: "silent" });
  assert(performance.now() - t0 < 2000, "the second call must come from the store");
  assertEquals(again.records.height, study.records.height);
  await Deno.remove(store, { recursive: true });
});

Deno.test("translationSweep() names misspelt options and bad sizes", async () => {
  await assertRejects(
    () => translationSweep({ scale: "smoke", decod: {} } as never),
    OptionError,
    "did you mean `decode`",
  );
  await assertRejects(
    () => translationSweep({ scale: "smoke", sizes: [{ encoderLayers: 1, decoderLayers: 0, width: 32 }] }),
    OptionError,
    "decoderLayers",
  );
});
