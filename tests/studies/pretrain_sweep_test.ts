import { assert, assertEquals, assertRejects } from "@std/assert";
import { useBackend } from "../../lib/backend/use_backend.ts";
import { pretrainSweep } from "../../lib/studies/pretrain_sweep.ts";
import { OptionError } from "../../lib/util/options.ts";

Deno.test("pretrainSweep() at smoke scale: tables, three figures, and a cache hit on the second call", async () => {
  await useBackend("cpu");
  const store = await Deno.makeTempDir();
  const t0 = performance.now();
  const study = await pretrainSweep({ scale: "smoke", store, progress: "silent" });
  const firstMs = performance.now() - t0;
  assertEquals(study.runs.height, 3);
  for (
    const col of ["run", "label", "status", "params", "flopsPerToken", "model.layers", "model.width", "seed"]
  ) {
    assert(study.runs.columns.includes(col), `runs lacks ${col}`);
  }
  for (
    const col of ["seconds", "step", "valLoss", "valPerplexity", "tokens", "model.layers", "model.width"]
  ) {
    assert(study.records.columns.includes(col), `records lacks ${col}`);
  }
  assertEquals(study.runs.getColumn("label").toArray(), ["1×32", "2×32", "1×64"]);
  assertEquals(new Set(study.runs.getColumn("status").toArray()), new Set(["budget"]));
  // parameters grow with depth and width
  const params = study.runs.getColumn("params").toArray() as number[];
  assert(params[1] > params[0] && params[2] > params[0], `params ${params}`);
  assertEquals(study.figures.length, 3);
  const [vsSeconds, vsSteps, vsParams] = study.figures;
  assertEquals(vsSeconds.data.length, 3);
  assertEquals(vsSteps.data.length, 3);
  assertEquals((vsSeconds.layout.yaxis as { type: string }).type, "log");
  // depth panel: widths 32 at 1 and 2 layers; width panel: 1 layer at widths 32 and 64
  assertEquals(vsParams.data.map((t) => (t.x as number[]).length), [2, 2]);
  assertEquals(vsParams.data[1].xaxis, "x2");
  // every curve's final point is the run's last evaluation
  const last = study.records.toRecords().filter((r) => r.label === "1×64").at(-1)!;
  const trace = vsSeconds.data.find((t) => t.name === "1×64")!;
  assertEquals((trace.y as number[]).at(-1), last.valPerplexity);

  const t1 = performance.now();
  const again = await pretrainSweep({ scale: "smoke", store, progress: "silent" });
  const secondMs = performance.now() - t1;
  assertEquals(again.records.height, study.records.height);
  assert(secondMs < firstMs / 5 && secondMs < 2000, `cached call took ${secondMs} ms (first ${firstMs} ms)`);
  await Deno.remove(store, { recursive: true });
});

Deno.test("pretrainSweep() names a misspelt option and refuses sizes together with a grid", async () => {
  await assertRejects(
    () => pretrainSweep({ scale: "smoke", widht: [64] } as never),
    OptionError,
    "did you mean `width",
  );
  await assertRejects(
    () => pretrainSweep({ scale: "smoke", sizes: [{ layers: 1, width: 32 }], widths: [64] }),
    OptionError,
    "not both",
  );
  await assertRejects(() => pretrainSweep({ scale: "tiny" as never }), OptionError, "scale");
  await assertRejects(
    () => pretrainSweep({ scale: "smoke", sizes: [{ layers: 0, width: 32 }] }),
    OptionError,
    "layers",
  );
});
