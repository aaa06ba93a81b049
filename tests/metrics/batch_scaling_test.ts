import { assert, assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { criticalRange, fitStepsToTarget, stepsAt } from "../../lib/metrics/batch_scaling.ts";
import { createRng } from "../../lib/util/random.ts";

const SIZES = [4, 8, 16, 32, 64, 128, 256, 512];

Deno.test("fitStepsToTarget recovers S_min and B_noise exactly from noiseless points", () => {
  for (const [sMin, bNoise] of [[100, 64], [2000, 7], [50, 300]]) {
    const fit = fitStepsToTarget(SIZES.map((b) => ({ batchSize: b, steps: sMin * (1 + bNoise / b) })));
    assertEquals(fit.regime, "fit");
    assertAlmostEquals(fit.sMin!, sMin, 1e-6 * sMin);
    assertAlmostEquals(fit.bNoise!, bNoise, 1e-6 * bNoise);
    assert(fit.relRmse < 1e-9 && fit.bNoiseStdErr! < 1e-6 * bNoise);
  }
});

Deno.test("fitStepsToTarget on noisy synthetic data (5% noise, 3 seeds per size): within 2 standard errors", () => {
  const [sMin, bNoise] = [400, 48];
  let within = 0;
  const trials = 40;
  for (let t = 0; t < trials; t++) {
    const rng = createRng(`fit:${t}`);
    const points = SIZES.flatMap((b) =>
      [0, 1, 2].map(() => ({ batchSize: b, steps: sMin * (1 + bNoise / b) * (1 + 0.05 * rng.normal()) }))
    );
    const fit = fitStepsToTarget(points);
    assertEquals(fit.regime, "fit");
    assert(Math.abs(fit.bNoise! - bNoise) / bNoise < 0.2, `trial ${t}: B_noise ${fit.bNoise}`);
    assert(Math.abs(fit.sMin! - sMin) / sMin < 0.1, `trial ${t}: S_min ${fit.sMin}`);
    assert(fit.relRmse > 0.02 && fit.relRmse < 0.08);
    if (Math.abs(fit.bNoise! - bNoise) < 2 * fit.bNoiseStdErr!) within++;
  }
  // a calibrated standard error covers the truth ~95% of the time at 2 SE
  assert(within >= 0.85 * trials, `${within}/${trials} within 2 SE`);
});

Deno.test("fitStepsToTarget names the regimes where B_noise is not identified", () => {
  const perfect = fitStepsToTarget(SIZES.map((b) => ({ batchSize: b, steps: 10000 / b })));
  assertEquals([perfect.regime, perfect.bNoise], ["no-saturation", null]);
  const flat = fitStepsToTarget(SIZES.map((b, i) => ({ batchSize: b, steps: 100 + (i % 2) })));
  assertEquals([flat.regime, flat.bNoise], ["no-benefit", null]);
  assertThrows(
    () => fitStepsToTarget([{ batchSize: 8, steps: 10 }, { batchSize: 8, steps: 11 }]),
    Error,
    "two distinct",
  );
  assertThrows(
    () => fitStepsToTarget([{ batchSize: 8, steps: 0 }, { batchSize: 16, steps: 1 }]),
    Error,
    "point 0",
  );
});

Deno.test("criticalRange: doubling B cuts steps by 1/3 at its low end and 1/6 at its high end", () => {
  const fit = { sMin: 1, bNoise: 100 };
  const [lo, hi] = criticalRange(100);
  assertAlmostEquals(1 - stepsAt(fit, 2 * lo) / stepsAt(fit, lo), 1 / 3, 1e-12);
  assertAlmostEquals(1 - stepsAt(fit, 2 * hi) / stepsAt(fit, hi), 1 / 6, 1e-12);
});
