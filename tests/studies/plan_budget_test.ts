import { assert, assertAlmostEquals, assertEquals, assertRejects } from "@std/assert";
import pl from "nodejs-polars";
import { fitPowerLaw, predictLoss } from "../../lib/studies/budget_fit.ts";
import { planBudget } from "../../lib/studies/plan_budget.ts";
import type { CompressionStudyResult } from "../../lib/studies/compression.ts";
import type { StudyResult } from "../../lib/study/runner.ts";
import { OptionError } from "../../lib/util/options.ts";

// Two sizes whose loss curves cross at t = 16 s: small 3 + 2/√t, large 2 + 6/√t (equal when 1 = 4/√t).
const ts = [1, 2, 3, 5, 8, 13, 21, 34, 55, 89];
const curve = (lInf: number, a: number) => ts.map((t) => lInf + a * t ** -0.5);
const pretrain = {
  name: "synthetic",
  dir: "",
  records: pl.DataFrame({
    label: [...ts.map(() => "small"), ...ts.map(() => "large")],
    seconds: [...ts, ...ts],
    valLoss: [...curve(3, 2), ...curve(2, 6)],
  }),
  runs: pl.DataFrame({ label: ["small", "large"], batchSize: [32, 32] }),
  figures: [],
} as unknown as StudyResult;

Deno.test("fitPowerLaw() recovers a noisy power law's parameters", () => {
  let seed = 1;
  const noise = () => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * 0.01;
  const fit = fitPowerLaw(ts.map((t) => ({ t, loss: 1.5 + 4 * t ** -0.7 + noise() })));
  assertAlmostEquals(fit.lInf, 1.5, 0.05);
  assertAlmostEquals(fit.alpha, 0.7, 0.05);
  assert(fit.r2 > 0.999 && fit.rmse < 0.01);
  assertAlmostEquals(predictLoss(fit, 100), 1.5 + 4 * 100 ** -0.7, 0.02);
});

Deno.test("planBudget() picks the size that is best at the budget on curves with a known crossover", async () => {
  const short = await planBudget({ trainingSeconds: 9, pretrain });
  assertEquals(short.size, "small"); // 3 + 2/3 = 3.67 < 2 + 6/3 = 4
  assertAlmostEquals(short.predictedLoss, 3 + 2 / 3, 1e-3);
  const long = await planBudget({ trainingSeconds: 64, pretrain });
  assertEquals(long.size, "large"); // 2 + 6/8 = 2.75 < 3 + 2/8 = 3.25
  assertEquals(long.extrapolated, false);
  const far = await planBudget({ trainingSeconds: 1000, pretrain, criticalBatch: 100 });
  assert(far.extrapolated && far.text.includes("extrapolated"));
  assertEquals(far.batchSize, 100);
  assertEquals(far.fits.height, 2);
  assertEquals(far.figures.length, 1);
});

Deno.test("planBudget() chooses the most accurate compression of the recommended size that fits", async () => {
  const MiB = 8 * 2 ** 20;
  const compression = {
    records: pl.DataFrame({
      size: ["large", "large", "large", "small"],
      method: ["quantize", "quantize", "prune", "quantize"],
      bits: [8, 4, 32, 8],
      sparsity: [0, 0, 0.5, 0],
      accuracy: [0.7, 0.65, 0.68, 0.5],
      sizeBits: [4 * MiB, 2 * MiB, 3 * MiB, 1 * MiB],
    }),
  } as unknown as CompressionStudyResult;
  const plan = await planBudget({ trainingSeconds: 64, pretrain, compression, inferenceMiB: 3 });
  assertEquals(plan.compression?.setting, "sparsity 0.5"); // 0.68 beats the 4-bit 0.65; 8 bits does not fit
  assertEquals(plan.figures.length, 2);
  const tight = await planBudget({ trainingSeconds: 64, pretrain, compression, inferenceMiB: 1 });
  assertEquals(tight.compression, null);
  assert(tight.text.includes("No measured compression of large fits"));
});

Deno.test("planBudget() requires a training budget and names bad options", async () => {
  await assertRejects(() => planBudget({} as never), OptionError, "trainingSeconds");
  await assertRejects(() => planBudget({ trainingSeconds: -1, pretrain }), OptionError, "trainingSeconds");
  await assertRejects(
    () => planBudget({ trainingSeconds: 1, pretrain, inferenceMb: 2 } as never),
    OptionError,
    "inferenceMiB",
  );
});
