import { assert, assertAlmostEquals, assertEquals, assertStringIncludes } from "@std/assert";
import pl from "nodejs-polars";
import { demoRows, demoVerdict } from "../../lib/cli/demo.ts";
import { main } from "../../lib/cli/main.ts";
import { backendNames } from "../../lib/backend/use_backend.ts";

const records = pl.DataFrame({
  run: ["a", "a", "b", "b"],
  step: [100, 200, 40, 80],
  tokensPerSecond: [5000, 5000, 1000, 1000],
  valPerplexity: [600, 400, 500, 300],
});
const runs = pl.DataFrame({ run: ["b", "a"], label: ["4×256", "1×64"], params: [4e6, 2e5] });

Deno.test("demoRows() takes each run's last evaluation and interpolates every size at the common step", () => {
  const { rows, commonStep } = demoRows(records, runs);
  assertEquals(commonStep, 80); // the fewest steps any size made
  assertEquals(rows.map((r) => r.label), ["1×64", "4×256"]); // by parameters
  assertEquals(rows[0].perplexity, 400);
  // 1×64 at step 80: before its first evaluation, so its first point (600) extended back
  assertEquals(rows[0].perplexityAtCommonStep, 600);
  assertEquals(rows[1].perplexityAtCommonStep, 300);
  assertAlmostEquals(rows[1].tokensPerSecond, 1000);
});

Deno.test("demoVerdict() says which size won, whichever way it came out", () => {
  const { rows, commonStep } = demoRows(records, runs);
  const text = demoVerdict(rows, commonStep, 90);
  assertStringIncludes(text, "the largest model (4×256) reached the lowest validation perplexity");
  assertStringIncludes(text, "shows at this scale");
  const flipped = demoVerdict(
    [{ ...rows[0], perplexity: 250 }, rows[1]],
    commonStep,
    90,
  );
  assertStringIncludes(flipped, "1×64 reached the lowest validation perplexity");
  assertStringIncludes(flipped, "does not show");
  assertStringIncludes(flipped, "larger models learned faster"); // 300 < 600 at step 80
});

Deno.test("the CLI rejects bad flags and unknown commands with a clear message", async () => {
  const errors: string[] = [];
  const original = console.error;
  console.error = (...a: unknown[]) => errors.push(a.join(" "));
  try {
    assertEquals(await main(["demo", "--scale", "huge"]), 1);
    assertEquals(await main(["frobnicate"]), 2);
    assertEquals(await main(["demo", "--seconds", "5"]), 1);
  } finally {
    console.error = original;
  }
  assert(errors[0].includes("--scale") && errors[0].includes("huge"), errors[0]);
  assert(errors[1].includes("commands: demo"), errors[1]);
  assert(errors[2].includes("unknown flag --seconds"), errors[2]);
});

Deno.test("deno task demo at smoke scale trains, reports, and reads the store on a second run", async () => {
  const store = await Deno.makeTempDir();
  const run = () =>
    new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        new URL("../../mod.ts", import.meta.url).pathname,
        "demo",
        "--scale",
        "smoke",
        "--backend",
        "cpu",
        "--store",
        store,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
  const first = await run();
  const out = new TextDecoder().decode(first.stdout);
  assert(first.success, new TextDecoder().decode(first.stderr));
  assertStringIncludes(out, "backend: cpu");
  assertStringIncludes(out, "final ppl");
  assert(/reached the lowest validation perplexity/.test(out), out);
  assertStringIncludes(out, `report: ${store}/report.html`);
  await Deno.stat(`${store}/study.json`);
  const t0 = performance.now();
  const second = await run();
  const secondSeconds = (performance.now() - t0) / 1000;
  assert(second.success);
  assertEquals(
    new TextDecoder().decode(second.stdout).split("\n").filter((l) => l.includes("×")).join("\n"),
    out.split("\n").filter((l) => l.includes("×")).join("\n"),
    "the second run shows the same table",
  );
  assert(secondSeconds < 30, `second run took ${secondSeconds} s`);
  await Deno.remove(store, { recursive: true });
});

Deno.test("the demo's --help lists every backend useBackend accepts", async () => {
  const lines: string[] = [];
  const original = console.log;
  console.log = (...a: unknown[]) => lines.push(a.join(" "));
  try {
    assertEquals(await main(["demo", "--help"]), 0);
  } finally {
    console.log = original;
  }
  const backendLine = lines.join("\n").split("\n").find((l) => l.trimStart().startsWith("--backend"));
  for (const name of backendNames()) assertStringIncludes(backendLine ?? "", name);
});
