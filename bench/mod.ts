/**
 * `deno task bench`: training throughput (tokens/s) of a full MLM step — forward, backward, AdamW — on each
 * backend, against PyTorch with 2 threads in the same run, plus matmul GFLOP/s against raw BLAS.
 *
 * Options: --sizes S,M,L  --backends native,native-noblas,wasm,cpu  --steps N (timed steps, default 5)  --seconds S
 * (time budget per configuration, default 20)  --warmup N (default 1)  --rounds R (default 2)  --dropout P
 * (default 0, both sides)  --no-torch  --no-matmul  --profile (native: per-kernel time table).
 *
 * The machine may be shared, so PyTorch and each backend alternate for R rounds and every number is the
 * fastest step seen (the least disturbed by other load); the mean step of that configuration is shown too,
 * and the median over the rounds of each round's fastest step, and the median over the rounds of the ratio
 * within each round (PyTorch's fastest step that round over ours, measured minutes apart at most): one
 * undisturbed (or oddly fast) step decides the first ratio, not the second; a slow period of the machine
 * that spans a round slows both sides of that round's ratio.
 * By default the slow backends run only the first round and only at S (wasm, cpu), so a full run stays under
 * ~8 minutes on 2 cores.
 *
 * @module
 */
import { parseArgs } from "@std/cli";
import { useBackend } from "../lib/backend/mod.ts";
import { hasTorch } from "../tests/_support/tools.ts";
import { kernelProfile, profileKernels } from "../lib/backend/native/profile.ts";
import {
  type BenchSize,
  printKernelProfile,
  SIZES,
  type StepTiming,
  timeMlmStep,
  timeMlmStepInChild,
} from "./mlm_step.ts";
import { builtinGemmGflops, rawBlasGflops, tfMatmulGflops } from "./matmul.ts";
import { median } from "./stats.ts";

const DEFAULT_SIZES: Record<string, string[]> = {
  native: ["S", "M", "L"],
  "native-noblas": ["S", "M", "L"],
  wasm: ["S"],
  cpu: ["S"],
};
const SLOW = new Set(["wasm", "cpu", "webgpu"]);

const args = parseArgs(Deno.args, {
  string: ["sizes", "backends", "steps", "seconds", "warmup", "dropout", "rounds"],
  boolean: ["torch", "matmul", "profile"],
  default: { torch: true, matmul: true, profile: false },
  negatable: ["torch", "matmul"],
});
const sizes = (args.sizes ?? "S,M,L").split(",").map((s: string) => {
  const size = SIZES[s.trim().toUpperCase()];
  if (!size) throw new Error(`--sizes: unknown size "${s}"; use S, M and/or L`);
  return size;
});
// `native-noblas` is `native` on its built-in WebAssembly GEMM (TRAINLARGE_BLAS=none), timed in a child process.
const backends = (args.backends ?? "native,native-noblas,wasm,cpu").split(",").map((s: string) => s.trim());
const steps = Number(args.steps ?? 5),
  seconds = Number(args.seconds ?? 20),
  warmup = Number(args.warmup ?? 1);
const dropout = Number(args.dropout ?? 0), rounds = Number(args.rounds ?? 2);
for (const [k, v] of Object.entries({ steps, seconds, warmup, dropout, rounds })) {
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
    msBest: r.msBest,
    tokensPerSecond: r.tokensPerSecond,
    gflops: NaN,
    loss: NaN,
    version: r.torch,
  };
}

const machine =
  `${navigator.hardwareConcurrency} cores, ${Deno.build.os}/${Deno.build.arch}, deno ${Deno.version.deno}`;
console.log(`# trainlarge bench (${new Date().toISOString()}; ${machine}; load average ${loadAverage()})\n`);
console.log(
  `MLM step: post-LN, exact GELU, 4x FFN, heads of 64, tied head over 15% masked positions, AdamW; ` +
    `dropout ${dropout}; ${steps} timed steps (≤ ${seconds} s) after ${warmup} warm-up\n`,
);

function loadAverage(): string {
  try {
    return Deno.loadavg().map((x) => x.toFixed(2)).join(", ");
  } catch {
    return "unknown";
  }
}

const torch = args.torch && (await hasTorch());
if (args.torch && !torch) {
  console.log("PyTorch not available (`apt-get install python3-torch`): no reference column\n");
}
const rows: string[] = [
  "| size | backend | best ms/step | median of rounds' best | mean ms/step | tokens/s (best) | model GFLOP/s " +
  "| vs PyTorch | vs PyTorch (median of rounds) |",
  "|---|---|---:|---:|---:|---:|---:|---:|---:|",
];
const tokens = (size: BenchSize, ms: number) => (size.batch * size.length) / (ms / 1000);
for (const size of sizes) {
  const best = new Map<string, StepTiming & { label: string }>();
  const roundBests = new Map<string, number[]>();
  const keep = (key: string, label: string, r: StepTiming) => {
    const old = best.get(key);
    if (!old || r.msBest < old.msBest) best.set(key, { ...r, label });
    roundBests.set(key, [...roundBests.get(key) ?? [], r.msBest]);
  };
  for (let round = 0; round < Math.max(1, rounds); round++) {
    if (torch) {
      const t = await torchStep(size);
      keep("torch", `torch ${t.version} (2 threads)`, t);
      console.log(`${size.name} round ${round + 1}: torch best ${t.msBest.toFixed(0)} ms/step`);
    }
    for (const backend of backends) {
      if (!explicitSizes && DEFAULT_SIZES[backend] && !DEFAULT_SIZES[backend].includes(size.name)) continue;
      if (round > 0 && SLOW.has(backend) && args.rounds === undefined) continue;
      if (backend === "native-noblas") {
        const profile = args.profile && round === Math.max(1, rounds) - 1;
        const r = await timeMlmStepInChild(size, { steps, seconds, warmup, dropout, profile }, {
          TRAINLARGE_BLAS: "none",
        });
        keep(backend, `native, no BLAS: WebAssembly GEMM (${r.threads} thr)`, r);
        console.log(`${size.name} round ${round + 1}: ${backend} best ${r.msBest.toFixed(0)} ms/step`);
        continue;
      }
      let description;
      try {
        description = await useBackend(backend);
      } catch (e) {
        console.log(`${size.name}: ${backend} unavailable: ${(e as Error).message.split("\n")[0]}`);
        continue;
      }
      const profiling = args.profile && backend === "native" && round === Math.max(1, rounds) - 1;
      const r = await timeMlmStep(size, {
        steps,
        seconds,
        warmup,
        dropout,
        onTimed: () => profiling && profileKernels(true),
      });
      keep(backend, `${backend} (${description.threads} thr)`, r);
      console.log(`${size.name} round ${round + 1}: ${backend} best ${r.msBest.toFixed(0)} ms/step`);
      if (profiling) {
        profileKernels(false);
        printKernelProfile(`native kernel profile, size ${size.name}`, kernelProfile(), r.steps);
      }
    }
  }
  const ref = best.get("torch"), torchRounds = roundBests.get("torch") ?? [];
  for (const [key, r] of best) {
    const ratio = ref ? (ref.msBest / r.msBest).toFixed(2) : "";
    const rounds = roundBests.get(key)!, med = median(rounds);
    // Round i's PyTorch step over ours (a backend that ran fewer rounds is paired with the first ones).
    const medianRatio = ref ? median(rounds.map((ms, i) => torchRounds[i] / ms)).toFixed(2) : "";
    const gflops = key === "torch" ? "" : ((r.gflops * r.msPerStep) / r.msBest).toFixed(1);
    rows.push(
      `| ${size.name} | ${r.label} | ${r.msBest.toFixed(0)} | ${med.toFixed(0)} | ${
        r.msPerStep.toFixed(0)
      } | ` +
        `${tokens(size, r.msBest).toFixed(0)} | ${gflops} | ${ratio} | ${medianRatio} |`,
    );
  }
}
console.log("\n" + rows.join("\n") + "\n");

if (args.matmul && backends.includes("native")) {
  await useBackend("native");
  console.log(
    "| matmul (M×K · K×N) | raw cblas_sgemm GFLOP/s | tf.matMul on native GFLOP/s | ratio | " +
      "built-in WebAssembly GEMM GFLOP/s | built-in / raw |",
  );
  console.log("|---|---:|---:|---:|---:|---:|");
  const shapes = [[512, 512, 512], [1024, 1024, 1024], [4096, 256, 1024], [4096, 1024, 256], [
    1024,
    4096,
    256,
  ]];
  for (const [m, k, n] of shapes) {
    // Interleaved, best of 3 each: the machine may be shared.
    let raw = 0, ours = 0, wasm = 0;
    for (let r = 0; r < 3; r++) {
      raw = Math.max(raw, rawBlasGflops(m, n, k, 150));
      ours = Math.max(ours, await tfMatmulGflops(m, n, k, 150));
      wasm = Math.max(wasm, await builtinGemmGflops(m, n, k, 150));
    }
    console.log(
      `| ${m}×${k} · ${k}×${n} | ${raw.toFixed(1)} | ${ours.toFixed(1)} | ${(ours / raw).toFixed(2)} | ` +
        `${wasm.toFixed(1)} | ${(wasm / raw).toFixed(2)} |`,
    );
  }
}
