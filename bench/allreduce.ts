/**
 * Data-parallel cost on this machine (issue 20): (1) MPI all-reduce time against buffer size, and (2) the
 * training step of 2 ranks × 1 BLAS thread against 1 process × 2 threads (and 1 process × 1 thread at the
 * half batch: the compute one rank does), for the S MLM size of `deno task bench`, on the `native` backend.
 *
 * Usage: `deno run -A bench/allreduce.ts [--steps N] [--rounds R]` launches everything itself
 * (`mpiexec -n 2` for the MPI parts, alternating configurations for R rounds, best mean kept); the roles
 * `allreduce` and `step` are what the launched processes run.
 *
 * @module
 */
import { parseArgs } from "@std/cli";
import { useBackend } from "../lib/backend/mod.ts";
import { distributedRank, mpiCommunicator } from "../lib/distributed/communicator.ts";
import { disposeParams, encoderConfig, initEncoder } from "../lib/model/mod.ts";
import { arraySource, createAdamW, disposeAdamW, mlmTask, schedule, trainRecords } from "../lib/train/mod.ts";
import { benchBatch, SIZES } from "./mlm_step.ts";

const args = parseArgs(Deno.args, {
  string: ["steps", "rounds", "batch"],
  default: { steps: "20", rounds: "3" },
});
const [role] = args._ as string[];
const steps = Number(args.steps), rounds = Number(args.rounds);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Rank 0 prints one JSON line: [bytes, median µs, fastest µs] per size. */
function allReduceRole(): void {
  const comm = mpiCommunicator();
  const rows: [number, number, number][] = [];
  for (let floats = 1 << 10; floats <= 1 << 24; floats <<= 2) {
    const data = new Float32Array(floats).fill(comm.rank + 1);
    const reps = floats >= 1 << 22 ? 10 : 50;
    const times: number[] = [];
    for (let i = 0; i < reps + 3; i++) {
      comm.allReduce(new Float32Array(1)); // line the ranks up before timing
      const t = performance.now();
      comm.allReduce(data);
      if (i >= 3) times.push((performance.now() - t) * 1000);
    }
    if (data[0] === 0) throw new Error("all-reduce returned zeros");
    rows.push([floats * 4, median(times), Math.min(...times)]);
  }
  if (comm.rank === 0) console.log(JSON.stringify({ allreduce: rows }));
}

/** Times training steps through `trainRecords` (data-parallel when launched by mpiexec); rank 0 prints. */
async function stepRole(): Promise<void> {
  await useBackend("native");
  const size = { ...SIZES.S, batch: Number(args.batch ?? SIZES.S.batch) };
  const config = encoderConfig({
    vocabSize: size.vocab,
    numLayers: size.layers,
    hiddenSize: size.width,
    numHeads: Math.max(1, size.width / 64),
    intermediateSize: 4 * size.width,
    maxPositions: size.length,
    dropout: 0,
    attentionDropout: 0,
  });
  const params = initEncoder(config, 0);
  const optimizer = createAdamW(params);
  const batches = [0, 1, 2, 3].map((s) => benchBatch(size, s));
  const warmup = 3;
  const run = trainRecords({
    task: mlmTask(params, config),
    optimizer,
    source: arraySource(batches),
    schedule: schedule({ peakLr: 1e-4, unit: "steps", warmup: 0, total: 1, decay: "constant" }),
    maxSteps: warmup + steps,
    logEverySteps: 1,
  });
  const times: number[] = [];
  let last = performance.now();
  for (let r = await run.next(); !r.done; r = await run.next()) {
    const now = performance.now();
    if (r.value.step > warmup) times.push(now - last);
    last = now;
  }
  const bytes = Object.values(params).reduce((n, p) => n + p.size * 4, 0);
  disposeAdamW(optimizer);
  disposeParams(params);
  if (distributedRank() === 0) {
    const mean = times.reduce((a, b) => a + b) / times.length;
    console.log(JSON.stringify({ mean, median: median(times), best: Math.min(...times), bytes }));
  }
}

async function launch(cmd: string[], env: Record<string, string>): Promise<Record<string, unknown>> {
  const out = await new Deno.Command(cmd[0], { args: cmd.slice(1), env, stdout: "piped", stderr: "inherit" })
    .output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) throw new Error(`${cmd.join(" ")} failed (${out.code}):\n${text}`);
  return JSON.parse(text.trim().split("\n").at(-1)!);
}

async function driver(): Promise<void> {
  const self = [Deno.execPath(), "run", "-A", new URL(import.meta.url).pathname];
  const mpi = ["mpiexec", "-n", "2"];
  const ar = await launch([...mpi, ...self, "allreduce"], {});
  console.log(
    "## all-reduce (2 ranks, float32 sum)\n\n| bytes | median µs | fastest µs | GB/s (bytes / fastest) |\n" +
      "| ---: | ---: | ---: | ---: |",
  );
  for (const [bytes, us, fastest] of ar.allreduce as [number, number, number][]) {
    const gbs = (bytes / fastest / 1000).toFixed(2);
    console.log(`| ${bytes.toLocaleString("en")} | ${us.toFixed(0)} | ${fastest.toFixed(0)} | ${gbs} |`);
  }
  const configs = {
    "1 process × 2 threads, batch 32": { cmd: [...self, "step"], threads: "2" },
    "2 ranks × 1 thread, batch 16 each": { cmd: [...mpi, ...self, "step"], threads: "1" },
    "1 process × 1 thread, batch 16 (one rank's compute)": {
      cmd: [...self, "step", "--batch", "16"],
      threads: "1",
    },
    "1 process × 1 thread, batch 32": { cmd: [...self, "step"], threads: "1" },
  };
  type Timing = { mean: number; median: number; best: number; bytes: number };
  const best: Record<string, Timing> = {};
  for (let r = 0; r < rounds; r++) {
    for (const [name, c] of Object.entries(configs)) {
      const m = await launch([...c.cmd, "--steps", String(steps)], {
        TRAINLARGE_THREADS: c.threads,
      }) as Timing;
      if (!best[name] || m.median < best[name].median) best[name] = m;
    }
  }
  console.log(`\n## MLM step S (${steps} steps after 3 warm-up, best of ${rounds} rounds)\n`);
  console.log(
    "| configuration | median ms/step | mean ms/step | fastest ms/step |\n| --- | ---: | ---: | ---: |",
  );
  for (const [name, m] of Object.entries(best)) {
    console.log(`| ${name} | ${m.median.toFixed(1)} | ${m.mean.toFixed(1)} | ${m.best.toFixed(1)} |`);
  }
  const bytes = Object.values(best)[0].bytes;
  const ar2 = ar.allreduce as [number, number, number][];
  // Cost model: a rank's compute at the half batch plus one all-reduce of the gradient bytes (interpolated).
  const near = ar2.reduce((a, b) =>
    Math.abs(Math.log(b[0] / bytes)) < Math.abs(Math.log(a[0] / bytes)) ? b : a
  );
  const half = best["1 process × 1 thread, batch 16 (one rank's compute)"];
  const two = best["2 ranks × 1 thread, batch 16 each"];
  const scaled = (us: number) => us * bytes / near[0] / 1000; // ms for `bytes`, from the nearest size
  console.log(
    `\nparameters: ${
      bytes.toLocaleString("en")
    } bytes. Cost model (one rank's half-batch step + one all-reduce ` +
      `of the gradient bytes) against the measured 2-rank step: median ${
        (half.median + scaled(near[1])).toFixed(1)
      } ms vs ${two.median.toFixed(1)} ms; fastest ${(half.best + scaled(near[2])).toFixed(1)} ms vs ${
        two.best.toFixed(1)
      } ms`,
  );
}

if (role === "allreduce") allReduceRole();
else if (role === "step") await stepRole();
else await driver();
