import { assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { OptionError } from "../../lib/util/options.ts";
import { budgetSchedule, learningRate, schedule } from "../../lib/train/schedule.ts";

const at = (s: ReturnType<typeof schedule>, x: number) =>
  learningRate(s, s.unit === "steps" ? { step: x, seconds: 0 } : { step: 0, seconds: x });

Deno.test("learningRate() warms up linearly then decays linearly to finalLr", () => {
  const s = schedule({ peakLr: 1e-3, unit: "steps", warmup: 100, total: 1100, finalLr: 1e-4 });
  assertAlmostEquals(at(s, 50), 5e-4, 1e-12);
  assertAlmostEquals(at(s, 100), 1e-3, 1e-12);
  assertAlmostEquals(at(s, 600), 1e-4 + 0.5 * 9e-4, 1e-12);
  assertAlmostEquals(at(s, 1100), 1e-4, 1e-12);
  assertAlmostEquals(at(s, 5000), 1e-4, 1e-12);
});

Deno.test("learningRate() cosine, inverse-sqrt and constant decays match their formulas", () => {
  const cos = schedule({ peakLr: 2, unit: "steps", warmup: 0, total: 100, decay: "cosine" });
  assertAlmostEquals(at(cos, 25), 1 + Math.cos(Math.PI / 4), 1e-12);
  assertAlmostEquals(at(cos, 100), 0, 1e-12);
  const inv = schedule({ peakLr: 1, unit: "steps", warmup: 4000, total: 0, decay: "inverse_sqrt" });
  assertAlmostEquals(at(inv, 16000), 0.5, 1e-12); // fairseq: lr · √(warmup / step)
  assertAlmostEquals(at(inv, 2000), 0.5, 1e-12); // warmup
  const c = schedule({ peakLr: 3, unit: "steps", warmup: 10, total: 20, decay: "constant" });
  assertEquals(at(c, 1000), 3);
});

Deno.test("budgetSchedule() measures warmup and decay in seconds of the budget", () => {
  const s = budgetSchedule(200, { peakLr: 1, warmupFraction: 0.1 });
  assertAlmostEquals(at(s, 10), 0.5, 1e-12);
  assertAlmostEquals(at(s, 110), 0.5, 1e-12);
  assertEquals(at(s, 200), 0);
});

Deno.test("schedule() and budgetSchedule() name bad fields (OptionError): NaN, Infinity, zero, unknown keys", () => {
  const base = { peakLr: 1, unit: "steps" as const, warmup: 0, total: 1 };
  for (const peakLr of [0, -1, NaN, Infinity]) {
    assertThrows(() => schedule({ ...base, peakLr }), OptionError, "peakLr");
  }
  assertThrows(() => schedule({ ...base, unit: "epochs" as "steps" }), OptionError, "unit");
  assertThrows(() => schedule({ ...base, peakLR: 1 } as never), OptionError, "did you mean `peakLr`");
  assertThrows(() => schedule({ ...base, total: NaN }), OptionError, "total");
  assertThrows(() => budgetSchedule(10, { peakLr: 1, warmupFraction: 1 }), OptionError, "warmupFraction");
  for (const seconds of [0, NaN, Infinity]) {
    assertThrows(() => budgetSchedule(seconds, { peakLr: 1 }), OptionError, "seconds");
  }
});
