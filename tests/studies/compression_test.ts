import { assert, assertEquals, assertRejects } from "@std/assert";
import { useBackend } from "../../lib/backend/use_backend.ts";
import { compressionStudy } from "../../lib/studies/compression.ts";
import { paretoFrontier, winnersTable } from "../../lib/studies/compression_figures.ts";
import { OptionError } from "../../lib/util/options.ts";

Deno.test("compressionStudy() at smoke scale: pruned and quantized points per size, figures, winners, cache", async () => {
  await useBackend("cpu");
  const dir = await Deno.makeTempDir();
  const options = {
    scale: "smoke" as const,
    store: `${dir}/compression`,
    pretrainStores: [dir],
    progress: "silent" as const,
  };
  const study = await compressionStudy(options);
  assertEquals(study.runs.height, 2); // two finetuned sizes
  const points = study.records.toRecords() as Record<string, unknown>[];
  assertEquals(points.length, 2 * (3 + 2)); // 3 sparsities and 2 bit widths per size
  for (
    const col of [
      "size",
      "method",
      "sparsity",
      "bits",
      "accuracy",
      "accuracyLow",
      "accuracyHigh",
      "nonzeroParams",
      "sizeBits",
    ]
  ) {
    assert(study.records.columns.includes(col), `records lacks ${col}`);
  }
  for (const p of points) {
    const acc = p.accuracy as number;
    assert(acc >= 0 && acc <= 1 && (p.accuracyLow as number) <= acc && acc <= (p.accuracyHigh as number));
  }
  // pruning to 90% leaves far fewer nonzero parameters than the unpruned model of the same size
  const of = (size: string, sparsity: number) =>
    points.find((p) =>
      p.size === size && p.method === "prune" && Math.abs((p.sparsity as number) - sparsity) < 0.02
    )!;
  assert((of("1×32", 0.9).nonzeroParams as number) < (of("1×32", 0).nonzeroParams as number));
  // 2-bit models are smaller than 8-bit ones
  const q = (size: string, bits: number) => points.find((p) => p.size === size && p.bits === bits)!;
  assert((q("1×64", 2).sizeBits as number) < (q("1×64", 8).sizeBits as number));
  assertEquals(study.figures.length, 3);
  assertEquals(study.figures[0].data.length, 2);
  assertEquals(study.figures[1].data.length, 2);
  assert(study.winners.height >= 1 && study.winners.columns.includes("model"));
  const t0 = performance.now();
  const again = await compressionStudy(options);
  assert(performance.now() - t0 < 3000, "the second call must come from the stores");
  assertEquals(again.records.height, study.records.height);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("paretoFrontier() and winnersTable() pick the most accurate model under each budget", () => {
  const p = (size: string, sizeBits: number, accuracy: number) => ({
    size,
    params: 0,
    method: "quantize",
    sparsity: 0,
    bits: 8,
    accuracy,
    accuracyLow: accuracy,
    accuracyHigh: accuracy,
    nonzeroParams: 0,
    sizeBits,
  });
  const points = [
    p("small", 2 ** 20, 0.4),
    p("large", 2 ** 23, 0.6),
    p("large", 2 ** 21, 0.5),
    p("small", 2 ** 22, 0.45),
  ];
  assertEquals(paretoFrontier(points).map((x) => x.accuracy), [0.4, 0.5, 0.6]);
  const winners = winnersTable(points).toRecords();
  // budgets 2^20 .. 2^23 bits: small, large@2^21, large@2^21 (0.5 > 0.45), large@2^23
  assertEquals(winners.map((w) => w.accuracy), [0.4, 0.5, 0.5, 0.6]);
  assertEquals(winners.map((w) => w.model), ["small", "large", "large", "large"]);
});

Deno.test("compressionStudy() names bad options", async () => {
  await assertRejects(
    () => compressionStudy({ scale: "smoke", bit: [4] } as never),
    OptionError,
    "did you mean `bits`",
  );
  await assertRejects(() => compressionStudy({ scale: "smoke", bits: [1] }), OptionError, "bits[0]");
  await assertRejects(
    () => compressionStudy({ scale: "smoke", sparsities: [1] }),
    OptionError,
    "sparsities[0]",
  );
});
