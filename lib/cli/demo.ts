/**
 * `deno task demo`: the paper's first finding, measured on this machine. Runs the pretraining size study
 * (`pretrainSweep`) at demo scale — five model sizes, each trained for the same wall-clock budget on the
 * bundled WordNet corpus — prints the headline table and an honest one-paragraph verdict, and writes a
 * report (`runs/demo/report.html`). A second run reads everything from the store and takes seconds.
 *
 * @module
 */
import { backendNames, useBackend } from "../backend/use_backend.ts";
import type { DataFrame } from "../display/data_frame.ts";
import { report } from "../study/report.ts";
import { pretrainSweep } from "../studies/pretrain_sweep.ts";
import { compressionStudy } from "../studies/compression.ts";
import { compressionRows, compressionVerdict, DEMO_COMPRESSION } from "./demo_compression.ts";
import { BUILTIN_GEMM_VENDOR } from "../backend/native/simd/gemm.ts";
import type { Scale } from "../studies/cell.ts";
import { checkChoice } from "../util/options.ts";
import { parseFlags } from "./flags.ts";

const USAGE = `usage: deno task demo [--scale demo|smoke|full] [--backend NAME] [--store DIR]

Trains five Transformer sizes (depth 1–4, width 64–256) for the same wall-clock budget (90 s each at demo
scale), prints which size reached the lowest validation perplexity and whether bigger models needed fewer
steps, and writes an HTML report. Where a system BLAS is loaded, it then finetunes the smallest and largest
width briefly, prunes and quantizes them, and says which kept more accuracy. About 10 minutes on 2 cores.
Results are cached: run it again to see them in seconds.
  --scale NAME    demo (default), smoke (< 1 minute) or full (GPU or cluster sizes)
  --backend NAME  ${backendNames().join(" | ").padEnd(51)}default $TRAINLARGE_BACKEND or auto
  --store DIR     where runs and the report go                       default runs/demo`;

/** One size's line of the headline table. */
export interface DemoRow {
  /** Size label, e.g. `2×128`. */
  label: string;
  /** Trainable parameters. */
  params: number;
  /** Optimizer steps in the budget. */
  steps: number;
  /** Training tokens per second. */
  tokensPerSecond: number;
  /** Final validation perplexity. */
  perplexity: number;
  /** Validation perplexity at `commonStep` (interpolated), for the per-step comparison. */
  perplexityAtCommonStep: number;
}

function interpolate(points: { step: number; value: number }[], step: number): number {
  if (points.length > 0 && step <= points[0].step) return points[0].value;
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1], b = points[i];
    if (b.step >= step) return a.value + (b.value - a.value) * (step - a.step) / (b.step - a.step || 1);
  }
  return points.at(-1)?.value ?? NaN;
}

/**
 * The headline rows from a size study's tables: final perplexity per size, and perplexity at the largest
 * step count every size reached (so sizes can be compared per step as well as per second).
 */
export function demoRows(records: DataFrame, runs: DataFrame): { rows: DemoRow[]; commonStep: number } {
  const recs = records.toRecords() as Record<string, unknown>[];
  const byRun = new Map<string, { step: number; value: number; tps: number }[]>();
  for (const r of recs) {
    if (typeof r.valPerplexity !== "number") continue;
    const list = byRun.get(String(r.run)) ?? [];
    list.push({ step: r.step as number, value: r.valPerplexity, tps: r.tokensPerSecond as number });
    byRun.set(String(r.run), list);
  }
  const commonStep = Math.min(...[...byRun.values()].map((p) => p.at(-1)?.step ?? 0));
  const rows = (runs.toRecords() as Record<string, unknown>[]).filter((r) => byRun.has(String(r.run))).map(
    (r) => {
      const points = byRun.get(String(r.run))!;
      return {
        label: String(r.label),
        params: r.params as number,
        steps: points.at(-1)!.step,
        tokensPerSecond: points.at(-1)!.tps,
        perplexity: points.at(-1)!.value,
        perplexityAtCommonStep: interpolate(points, commonStep),
      };
    },
  );
  return { rows: rows.sort((a, b) => a.params - b.params), commonStep };
}

const fmtParams = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : `${(n / 1e3).toFixed(0)}k`);

/**
 * The headline table and a verdict that says what this run showed, whichever way it came out.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { demoVerdict } from "./demo.ts";
 * const rows = [
 *   { label: "1×64", params: 2e5, steps: 3000, tokensPerSecond: 9e4, perplexity: 300, perplexityAtCommonStep: 700 },
 *   { label: "4×256", params: 4e6, steps: 500, tokensPerSecond: 1e4, perplexity: 400, perplexityAtCommonStep: 400 },
 * ];
 * const text = demoVerdict(rows, 500, 90);
 * assert(text.includes("1×64") && text.includes("does not show") && text.includes("fewer steps"));
 * ```
 */
export function demoVerdict(rows: DemoRow[], commonStep: number, seconds: number): string {
  if (rows.length === 0) return "no run recorded a validation point";
  const lines = [
    `  size       params    steps     tok/s   final ppl   ppl at step ${commonStep}`,
    ...rows.map((r) =>
      `  ${r.label.padEnd(9)} ${fmtParams(r.params).padStart(7)} ${String(r.steps).padStart(8)} ${
        Math.round(r.tokensPerSecond).toLocaleString("en-US").padStart(9)
      } ${r.perplexity.toFixed(1).padStart(11)} ${r.perplexityAtCommonStep.toFixed(1).padStart(14)}`
    ),
  ];
  const best = rows.reduce((a, b) => (b.perplexity < a.perplexity ? b : a));
  const largest = rows.at(-1)!, smallest = rows[0];
  const perStepBest = rows.reduce((a, b) => (b.perplexityAtCommonStep < a.perplexityAtCommonStep ? b : a));
  const perStepLargerBetter = largest.perplexityAtCommonStep < smallest.perplexityAtCommonStep;
  const verdict: string[] = [];
  if (best === largest) {
    verdict.push(
      `With ${seconds} s per model, the largest model (${largest.label}) reached the lowest validation ` +
        `perplexity: the paper's finding shows at this scale.`,
    );
  } else {
    verdict.push(
      `With ${seconds} s per model, ${best.label} reached the lowest validation perplexity, not the largest ` +
        `model (${largest.label}): the paper's "train large" finding does not show at this budget on this ` +
        `machine.`,
    );
  }
  verdict.push(
    perStepLargerBetter
      ? `Per optimizer step, though, larger models learned faster (at step ${commonStep}: ${largest.label} ` +
        `${largest.perplexityAtCommonStep.toFixed(0)} vs ${smallest.label} ${
          smallest.perplexityAtCommonStep.toFixed(0)
        }; best ${perStepBest.label}) — they need fewer steps, which is the paper's mechanism; ` +
        `on a CPU each of their steps costs more time, so within a short budget the smaller models' extra ` +
        `steps win. The size that wins grows with the budget and with faster hardware (see ` +
        `notebooks/01_pretraining_size.ipynb).`
      : `Larger models did not learn faster per step either (at step ${commonStep}: ${largest.label} ` +
        `${largest.perplexityAtCommonStep.toFixed(0)} vs ${smallest.label} ${
          smallest.perplexityAtCommonStep.toFixed(0)
        }); at this tiny budget all sizes are still in early training.`,
  );
  return [...lines, "", verdict.join(" ")].join("\n");
}

/** Runs the demo with command-line `args`; returns the process exit code. */
export async function demo(args: string[]): Promise<number> {
  const flags = parseFlags("demo", args, { strings: ["scale", "backend", "store"], booleans: ["help"] });
  if (flags.help) {
    console.log(USAGE);
    return 0;
  }
  const scale = checkChoice("demo", "--scale", (flags.scale as Scale | undefined) ?? "demo", [
    "smoke",
    "demo",
    "full",
  ])!;
  const store = (flags.store as string | undefined) ?? "runs/demo";
  const t0 = performance.now();
  const backend = await useBackend(flags.backend as string | undefined);
  console.log(
    "trainlarge demo — Li, Wallace et al. (2020): under a fixed wall-clock budget, are larger Transformers better?",
  );
  console.log(`backend: ${backend.name} — ${backend.device}, ${backend.threads} thread(s)`);
  // The compression part is affordable only with a system BLAS (the built-in GEMM is about half as fast).
  const systemBlas = backend.name === "native" &&
    !String(backend.versions.blas ?? "").startsWith(BUILTIN_GEMM_VENDOR);
  if (backend.name !== "native") {
    console.log(
      `  (fell back to "${backend.name}": the native backend could not start here; see README "Backends" — ` +
        `with it, training runs many times faster)`,
    );
  } else if (!systemBlas) {
    console.log(
      "  (no system BLAS: matmuls run on the built-in WebAssembly GEMM. Installing OpenBLAS " +
        "(`apt-get install libopenblas0`) makes training steps 1.5–2× faster (bench/RESULTS.md) " +
        "and adds the demo's compression study)",
    );
  }
  for (const note of backend.notes) console.log(`  note: ${note}`);
  const study = await pretrainSweep({ scale, store: `${store}/pretrain`, name: `pretrain-${scale}` });
  const seconds = (study.runs.toRecords()[0]?.["config.seconds"] as number | undefined) ?? 0;
  const { rows, commonStep } = demoRows(study.records, study.runs);
  console.log("");
  console.log(demoVerdict(rows, commonStep, seconds));
  const { html } = await report(study, { outDir: store });
  console.log(`\nreport: ${html} (open it in a browser; every run's config, seed and machine are in it)`);
  let failed = unsuccessful(study.runs);
  const compressionSettings = DEMO_COMPRESSION[scale];
  if (systemBlas && compressionSettings) {
    console.log("\nDoes the larger model survive pruning and quantization better? (compressionStudy)");
    const compression = await compressionStudy({
      ...compressionSettings,
      scale,
      store: `${store}/compression`,
      pretrainStores: [`${store}/pretrain`],
    });
    console.log(compressionVerdict(compressionRows(compression.records)));
    failed += unsuccessful(compression.runs);
  }
  console.log(
    `took ${((performance.now() - t0) / 1000).toFixed(0)} s; run it again to read the results from ${store}`,
  );
  return failed > 0 ? 1 : 0;
}

/** How many of a study's runs did not end at their budget, step limit or target. */
function unsuccessful(runs: DataFrame): number {
  return runs.getColumn("status").toArray().filter((s) =>
    !["budget", "max_steps", "target"].includes(String(s))
  )
    .length;
}
