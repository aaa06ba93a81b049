/**
 * `deno task bench`: training throughput (tokens/s) of a full MLM step — forward, backward, AdamW — on each
 * backend, against PyTorch with 2 threads in the same run, plus matmul GFLOP/s against raw BLAS.
 *
 * Options: --sizes S,M,L  --backends native,wasm,cpu  --steps N (timed steps, default 5)  --seconds S
 * (time budget per configuration, default 20)  --warmup N (default 1)  --dropout P (default 0, both sides)
 * --no-torch  --no-matmul  --profile (native: per-kernel time table).
 * By default the slow backends run only the sizes they finish in reasonable time (wasm: S, M; cpu: S), so a
 * full run stays under ~8 minutes on 2 cores.
 *
 * @module
 */
import { parseArgs } from "@std/cli";
import { useBackend } from "../lib/backend/mod.ts";
import { hasTorch } from "../tests/_support/tools.ts";
import { kernelProfile, profileKernels } from "../lib/backend/native/profile.ts";
import { type BenchSize, SIZES, type StepTiming, timeMlmStep } from "./mlm_step.ts";
import { rawBlasGflops, tfMatmulGflops } from "./matmul.ts";

const DEFAULT_SIZES: Record<string, string[]> = { native: ["S", "M", "L"], wasm: ["S", "M"], cpu: ["S"] };

const args = parseArgs(Deno.args, {
  string: ["sizes", "backends", "steps", "seconds", "warmup", "dropout"],
  boolean: ["torch", "matmul", "profile"],
  default: { torch: true, matmul: true, profile: false },
  negatable: ["torch", "matmul"],
});
const sizes = (args.sizes ?? "S,M,L").split(",").map((s: string) => {
  const size = SIZES[s.trim().toUpperCase()];
  if (!size) throw new Error(`--sizes: unknown size "${s}"; use S, M and/or L`);
  return size;
});
const backends = (args.backends ?? "native,wasm,cpu").split(",").map((s: string) => s.trim());
const steps = Number(args.steps ?? 5),
  seconds = Number(args.seconds ?? 20),
  warmup = Number(args.warmup ?? 1);
const dropout = Number(args.dropout ?? 0);
for (const [k, v] of Object.entries({ steps, seconds, warmup, dropout })) {
  if (!(Number.isFinite(v) && v >= 0)) throw new Error(`--${k} must be a number ≥ 0, got ${v}`);
}
const explicitSizes = args.sizes !== undefined;

async function torchStep(size: BenchSize): Promise<StepTiming & { version: string }> {
  const flags = {
    width: size.width,
    layers: size.layers,
    batch: size.batch,
    length: size.length,
    vocab: size.vocab,
    threads: 2,
    steps: Math.max(steps, 1),
    seconds,
    warmup,
    dropout,
  };
  const out = await new Deno.Command("/usr/bin/python3", {
    args: [
      new URL("./torch_step.py", import.meta.url).pathname,
      ...Object.entries(flags).flatMap(([k, v]) => [`--${k}`, `${v}`]),
    ],
    stderr: "inherit",
  }).output();
  if (!out.success) throw new Error(`bench/torch_step.py failed for size ${size.name}`);
  const r = JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").pop()!);
  return {
    steps: r.steps,
    msPerStep: r.msPerStep,
    tokensPerSecond: r.tokensPerSecond,
    gflops: NaN,
    loss: NaN,
    version: r.torch,
  };
}

const machine =
  `${navigator.hardwareConcurrency} cores, ${Deno.build.os}/${Deno.build.arch}, deno ${Deno.version.deno}`;
console.log(`# trainlarge bench (${new Date().toISOString()}; ${machine})\n`);
console.log(
  `MLM step: post-LN, exact GELU, 4x FFN, heads of 64, tied head over 15% masked positions, AdamW; ` +
    `dropout ${dropout}; ${steps} timed steps (≤ ${seconds} s) after ${warmup} warm-up\n`,
);

const torch = args.torch && (await hasTorch());
if (args.torch && !torch) {
  console.log("PyTorch not available (`apt-get install python3-torch`): no reference column\n");
}
const reference: Record<string, number> = {};
const rows: string[] = [];
rows.push(
  "| size | backend | ms/step | tokens/s | model GFLOP/s | vs PyTorch |",
  "|---|---|---:|---:|---:|---:|",
);
for (const size of sizes) {
  if (torch) {
    const t = await torchStep(size);
    reference[size.name] = t.tokensPerSecond;
    rows.push(
      `| ${size.name} | torch ${t.version} (2 threads) | ${t.msPerStep.toFixed(0)} | ${
        t.tokensPerSecond.toFixed(0)
      } | | 1.00 |`,
    );
    console.log(rows[rows.length - 1]);
  }
  for (const backend of backends) {
    if (!explicitSizes && DEFAULT_SIZES[backend] && !DEFAULT_SIZES[backend].includes(size.name)) continue;
    let description;
    try {
      description = await useBackend(backend);
    } catch (e) {
      console.log(
        `| ${size.name} | ${backend} | unavailable: ${(e as Error).message.split("\n")[0]} | | | |`,
      );
      continue;
    }
    const profiling = args.profile && backend === "native";
    const r = await timeMlmStep(size, {
      steps,
      seconds,
      warmup,
      dropout,
      onTimed: () => profiling && profileKernels(true),
    });
    if (profiling) profileKernels(false);
    const ratio = reference[size.name] ? (r.tokensPerSecond / reference[size.name]).toFixed(2) : "";
    rows.push(
      `| ${size.name} | ${backend} (${description.threads} thr) | ${r.msPerStep.toFixed(0)} | ${
        r.tokensPerSecond.toFixed(0)
      } | ` +
        `${r.gflops.toFixed(1)} | ${ratio} |`,
    );
    console.log(rows[rows.length - 1]);
    if (profiling) {
      console.log(`\nnative kernel profile, size ${size.name} (ms per step, calls per step):`);
      for (const k of kernelProfile().slice(0, 15)) {
        console.log(
          `  ${k.kernel.padEnd(14)} ${(k.ms / r.steps).toFixed(1).padStart(8)} ms ${
            (k.calls / r.steps).toFixed(0).padStart(5)
          }`,
        );
      }
      console.log();
    }
  }
}
console.log("\n" + rows.join("\n") + "\n");

if (args.matmul && backends.includes("native")) {
  await useBackend("native");
  console.log("| matmul (M×K · K×N) | raw cblas_sgemm GFLOP/s | tf.matMul on native GFLOP/s | ratio |");
  console.log("|---|---:|---:|---:|");
  for (const [m, k, n] of [[512, 512, 512], [1024, 1024, 1024], [4096, 256, 1024], [4096, 1024, 256]]) {
    const raw = rawBlasGflops(m, n, k), ours = await tfMatmulGflops(m, n, k);
    console.log(
      `| ${m}×${k} · ${k}×${n} | ${raw.toFixed(1)} | ${ours.toFixed(1)} | ${(ours / raw).toFixed(2)} |`,
    );
  }
}
