import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { demoSummary } from "../../lib/cli/demo.ts";
import { main } from "../../lib/cli/main.ts";
import type { TrainRecord } from "../../lib/train/loop.ts";

function record(step: number, seconds: number, valLoss: number | null, status = "running"): TrainRecord {
  return {
    step,
    seconds,
    tokens: step * 1000,
    trainLoss: 5,
    valLoss,
    valPerplexity: valLoss === null ? null : Math.exp(valLoss),
    lr: 1e-3,
    gradNorm: 1,
    tokensPerSecond: (step * 1000) / seconds,
    wallSeconds: seconds,
    evalSeconds: 0,
    status: status as TrainRecord["status"],
  };
}

Deno.test("demoSummary() tabulates validation points and reports start and end perplexity", () => {
  const text = demoSummary([
    record(10, 5, Math.log(400)),
    record(15, 7, null),
    record(20, 10, Math.log(100), "budget"),
  ]);
  assertStringIncludes(text, "400.0 → 100.0"); // exp(log 400) and exp(log 100), by hand
  assertStringIncludes(text, "20 steps, 0.02M tokens, 2000 tokens/s");
  assertStringIncludes(text, "stopped by: budget");
  assertEquals(text.split("\n").filter((l) => /^\s+\d+\.\d\s+\d+\s/.test(l)).length, 2); // only evaluated rows
  assertStringIncludes(text, "█▁"); // falling loss: tall bar then short bar
});

Deno.test("the CLI rejects a bad --seconds and an unknown command with a clear message", async () => {
  const errors: string[] = [];
  const original = console.error;
  console.error = (...a: unknown[]) => errors.push(a.join(" "));
  try {
    assertEquals(await main(["demo", "--seconds=-3"]), 1);
    assertEquals(await main(["frobnicate"]), 2);
    assertEquals(await main(["demo", "--maxSeconds", "5"]), 1);
    assertEquals(await main(["demo", "--seconds", "NaN"]), 1);
    assertEquals(await main(["demo", "--width", "12.5"]), 1);
  } finally {
    console.error = original;
  }
  assert(errors[0].includes("--seconds") && errors[0].includes("-3"), errors[0]);
  assert(errors[1].includes("commands: demo"), errors[1]);
  assert(errors[2].includes("unknown flag --maxSeconds; did you mean --seconds?"), errors[2]);
  assert(errors[3].includes("--seconds") && errors[3].includes("NaN"), errors[3]);
  assert(errors[4].includes("--width") && errors[4].includes("12.5"), errors[4]);
});
