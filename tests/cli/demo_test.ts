import { assert, assertAlmostEquals, assertEquals, assertStringIncludes } from "@std/assert";
import pl from "nodejs-polars";
import { demoRows, demoVerdict } from "../../lib/cli/demo.ts";
import { main } from "../../lib/cli/main.ts";
import { backendNames } from "../../lib/backend/use_backend.ts";
import { compressionRows, compressionVerdict } from "../../lib/cli/demo_compression.ts";
import { HAS_BLAS, HAS_NATIVE } from "../backend/_native.ts";

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

// Points as compressionStudy's records hold them: accuracy with its 95% interval, per method and setting.
const point = (size: string, params: number, method: string, setting: number, accuracy: number) => ({
  size,
  params,
  method,
  sparsity: method === "prune" ? setting : 0,
  bits: method === "prune" ? 32 : setting,
  accuracy,
  accuracyLow: accuracy - 0.02,
  accuracyHigh: accuracy + 0.02,
});

Deno.test("compressionRows() and compressionVerdict() compare the accuracy each size loses", () => {
  const robustLarge = pl.DataFrame([
    point("2×256", 3e6, "prune", 0, 0.5),
    point("2×256", 3e6, "prune", 0.9, 0.46),
    point("2×256", 3e6, "quantize", 2, 0.49),
    point("2×64", 2e5, "prune", 0, 0.4),
    point("2×64", 2e5, "prune", 0.9, 0.2),
    point("2×64", 2e5, "quantize", 2, 0.39),
  ]);
  const rows = compressionRows(robustLarge);
  assertEquals(rows.map((r) => r.size), ["2×64", "2×256"], "smallest first");
  assertAlmostEquals(rows[0].halfWidth, 0.02, 1e-12);
  assertEquals(rows[1].pruned.get(0.9), 0.46);
  const text = compressionVerdict(rows);
  // At 90% sparsity 2×256 kept 46/50 = 92%, 2×64 20/40 = 50%: beyond the relative noise 2/50 + 2/40 = 9%.
  assertStringIncludes(
    text,
    "2×256 kept 92% of its accuracy (lost 4.0 points) and 2×64 50% of its accuracy (lost 20.0 points): " +
      "this run shows the paper's finding",
  );
  // At 2 bits 49/50 = 98% against 39/40 = 97.5%: no difference beyond the noise.
  assertStringIncludes(text, "Quantized to 2 bits, 2×256 kept 98% of its accuracy (lost 1.0 points)");
  assertStringIncludes(text, "(lost 1.0 points): this run shows no difference beyond the noise");
  // Points lost would call the weaker model fragile: both keep 50%, one from 0.5, one from 0.2.
  const sameShare = compressionVerdict(compressionRows(pl.DataFrame([
    point("2×256", 3e6, "prune", 0, 0.5),
    point("2×256", 3e6, "prune", 0.9, 0.25),
    point("2×64", 2e5, "prune", 0, 0.2),
    point("2×64", 2e5, "prune", 0.9, 0.1),
  ])));
  assertStringIncludes(sameShare, "shows no difference beyond the noise");
  assert(text.split("\n")[0].includes("pruned 90%") && text.split("\n")[0].includes("2 bits"), text);

  const robustSmall = pl.DataFrame([
    point("2×256", 3e6, "prune", 0, 0.5),
    point("2×256", 3e6, "prune", 0.9, 0.12),
    point("2×64", 2e5, "prune", 0, 0.4),
    point("2×64", 2e5, "prune", 0.9, 0.38),
  ]);
  assertStringIncludes(
    compressionVerdict(compressionRows(robustSmall)),
    "the opposite of the paper's finding",
  );
  assertStringIncludes(compressionVerdict(compressionRows(robustSmall).slice(0, 1)), "needs two model sizes");
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
        // native on a system BLAS adds the compression study; on the built-in GEMM it says what BLAS gains
        HAS_NATIVE ? "native" : "cpu",
        "--store",
        store,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
  const first = await run();
  const out = new TextDecoder().decode(first.stdout);
  assert(first.success, new TextDecoder().decode(first.stderr));
  assertStringIncludes(out, HAS_NATIVE ? "backend: native" : "backend: cpu");
  if (HAS_NATIVE && !HAS_BLAS) assertStringIncludes(out, "no system BLAS");
  if (HAS_BLAS) {
    assertStringIncludes(out, "Does the larger model survive pruning and quantization better?");
    assert(/1×64 kept -?\d+% of its accuracy .* and 1×32 -?\d+% .*: this run shows/.test(out), out);
  }
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
