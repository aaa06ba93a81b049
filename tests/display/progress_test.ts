import { assert, assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { formatProgress, progressBar, progressState } from "../../lib/display/progress.ts";
import { OptionError } from "../../lib/util/options.ts";

Deno.test("progressState() takes the larger of step and time fractions and carries val loss over", () => {
  const opts = { seconds: 20, total: 1000 };
  const a = progressState(
    undefined,
    { step: 100, seconds: 8, tokens: 64_000, trainLoss: 5, valLoss: 5.5 },
    opts,
  );
  assertEquals([a.fraction, a.remainingSeconds, a.tokensPerSecond], [0.4, 12, 8000]); // 8/20 > 100/1000
  const b = progressState(a, { step: 900, seconds: 9, tokens: 72_000, trainLoss: 4, valLoss: null }, opts);
  assertEquals([b.fraction, b.valLoss, b.trainLoss], [0.9, 5.5, 4]); // 900/1000 > 9/20
  const c = progressState(b, { step: 2000, seconds: 30 }, opts);
  assertEquals([c.fraction, c.remainingSeconds, c.tokens], [1, 0, 72_000]);
});

Deno.test("progressState() estimates time left from the step rate when there is no budget", () => {
  const s = progressState(undefined, { step: 25, seconds: 10 }, { total: 100 });
  assertAlmostEquals(s.remainingSeconds!, 30, 1e-12); // 0.4 s/step × 75 steps
  assertEquals(progressState(undefined, { step: 3, seconds: 1 }).fraction, undefined);
});

Deno.test("progressState() names the bad field of a malformed record", () => {
  assertThrows(
    () => progressState(undefined, { step: NaN, seconds: 1 }),
    Error,
    "record.step must be a finite number ≥ 0, got NaN",
  );
  assertThrows(() => progressState(undefined, { step: 1, seconds: -1 }), Error, "record.seconds");
});

Deno.test("formatProgress() formats minutes, hours and done", () => {
  const line = formatProgress({ step: 7, seconds: 3725, fraction: 1, remainingSeconds: 0, done: true }, {
    seconds: 3600,
    barWidth: 2,
  });
  assertEquals(line, "██ 100% step 7 · 1h2m of 1h0m · done");
  assertEquals(formatProgress({ step: 1, seconds: 75, done: false }), "step 1 · 1m15s");
});

Deno.test("progressBar() on a terminal rewrites one line, throttled by the clock, and ends it", async () => {
  const out: string[] = [];
  let clock = 0;
  const bar = progressBar({
    mode: "terminal",
    seconds: 10,
    minIntervalMs: 100,
    write: (t) => out.push(t),
    clock: () => clock,
  });
  for (let step = 1; step <= 10; step++) {
    clock = step * 40; // a record every 40 ms: 100 ms throttle keeps steps 1, 4, 7, 10 (t = 40, 160, 280, 400)
    bar({ step, seconds: step, trainLoss: 10 - step });
  }
  await bar.done();
  assertEquals(out.length, 5);
  assert(out.every((t) => t.startsWith("\r") && t.includes("\x1b[K")));
  assertEquals(out.slice(0, 4).map((t) => /step (\d+)/.exec(t)![1]), ["1", "4", "7", "10"]);
  assert(out[4].endsWith("done\x1b[K\n"), JSON.stringify(out[4]));
  assertThrows(() => bar({ step: 11, seconds: 11 }), Error, "after done()");
});

Deno.test("progressBar() in a non-interactive log writes a single summary line", async () => {
  const out: string[] = [];
  const bar = progressBar({ mode: "log", total: 50, label: "tiny", write: (t) => out.push(t) });
  for (let step = 1; step <= 50; step++) bar({ step, seconds: step / 10, tokens: step * 256 });
  await bar.done();
  assertEquals(out, [
    "tiny ████████████████████████ 100% step 50/50 · 5.0s · 2,560 tok/s · done\n",
  ]);
});

Deno.test("progressBar() in auto mode outside the kernel does not use Jupyter", async () => {
  const out: string[] = [];
  const bar = progressBar({ write: (t) => out.push(t), minIntervalMs: 0 });
  bar({ step: 1, seconds: 1 });
  await bar.done(); // would reject if it had tried to publish to a kernel
  assert(out.length >= 1);
});

Deno.test("progressBar() shows NaN when the loss is NaN, and refuses unknown modes and options by name", async () => {
  const lines: string[] = [];
  const bar = progressBar({ seconds: 10, mode: "log", write: (t) => lines.push(t) });
  bar({ step: 1, seconds: 1, trainLoss: 5 });
  bar({ step: 2, seconds: 2, trainLoss: NaN, valLoss: NaN });
  await bar.done();
  assert(lines[0].includes("train NaN") && lines[0].includes("val NaN"), lines[0]);
  assertThrows(() => progressBar({ mode: "fancy" as never }), OptionError, "`mode` must be one of");
  assertThrows(() => progressBar({ maxSeconds: 5 } as never), OptionError, "did you mean `seconds`");
  assertThrows(() => progressBar({ seconds: NaN }), OptionError, "seconds");
  assertThrows(() => progressBar({ total: 0 }), OptionError, "total");
});
