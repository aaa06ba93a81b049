import { assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { cubicSparsity, isPruneStep } from "../../lib/compress/schedule.ts";

Deno.test("cubicSparsity() follows Zhu & Gupta's formula at each pruning step", () => {
  const s = { initialSparsity: 0.1, finalSparsity: 0.9, startStep: 100, pruneSteps: 4, frequency: 50 };
  // hand: s_t = 0.9 + (0.1 − 0.9)(1 − k/4)^3 for k = 0..4 → 0.1, 0.5625, 0.8, 0.8875, 0.9
  const expected = [0.1, 0.9 - 0.8 * 27 / 64, 0.9 - 0.8 / 8, 0.9 - 0.8 / 64, 0.9];
  for (let k = 0; k <= 4; k++) {
    assertAlmostEquals(cubicSparsity(100 + 50 * k, s), expected[k], 1e-15);
    assertEquals(isPruneStep(100 + 50 * k, s), true);
  }
  assertEquals(cubicSparsity(99, s), 0);
  assertAlmostEquals(cubicSparsity(149, s), 0.1, 1e-15); // held until the next pruning step
  assertEquals(cubicSparsity(10_000, s), 0.9);
  assertEquals([isPruneStep(125, s), isPruneStep(350, s), isPruneStep(50, s)], [false, false, false]);
  assertThrows(() => cubicSparsity(0, { ...s, pruneSteps: 0 }), Error, "pruneSteps must be an integer ≥ 1");
  assertThrows(() => cubicSparsity(0, { ...s, finalSparsity: 2 }), Error, "finalSparsity must be in [0, 1]");
});
