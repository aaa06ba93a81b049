/**
 * The study layer's overhead per run: planning and hashing, the store (config/status files, an fsynced
 * append per record, locks), Parquet export, and for the subprocess executor the start of a Deno process
 * (`mod.ts study run-one`). Measured with a run kind that does no training (12 records, like a 60 s run with
 * 12 evaluations), so everything timed is overhead; reported per run and as a share of a 60 s run.
 *
 * Usage: deno run -A bench/study_overhead.ts [--runs 20]
 *
 * @module
 */
import { parseArgs } from "@std/cli";
import type { RunKind } from "../lib/experiments/run_kind.ts";
import { runStudy } from "../lib/study/runner.ts";
import type { TrainRecord } from "../lib/train/loop.ts";

/** A kind that only yields records: 12 evaluation points of a pretend 60 s run. */
export const nullKind: RunKind<{ id: number; seconds: number }> & { module: string } = {
  name: "null-bench",
  module: import.meta.url,
  defaults: { id: 0, seconds: 60 },
  config: (o = {}) => ({ id: 0, seconds: 60, ...o }),
  fingerprint: () => Promise.resolve("none"),
  parents: () => ({}),
  async *run(c) {
    for (let i = 1; i <= 12; i++) {
      yield {
        step: i * 100,
        seconds: i * 5,
        tokens: i * 1e5,
        trainLoss: 5 - i / 10,
        valLoss: 5 - i / 10,
        valPerplexity: Math.exp(5 - i / 10),
        lr: 1e-3,
        gradNorm: 1,
        tokensPerSecond: 2e4,
        wallSeconds: i * 5.5,
        evalSeconds: i * 0.5,
        status: i === 12 ? "budget" : "running",
      } as TrainRecord;
    }
    return {
      status: "budget",
      message: "",
      step: 1200,
      seconds: c.seconds,
      evalSeconds: 6,
      tokens: 1.2e6,
      params: 1,
      flopsPerToken: 1,
    };
  },
};

if (import.meta.main) {
  const args = parseArgs(Deno.args, { string: ["runs"] });
  const n = Number(args.runs ?? 20);
  const dir = await Deno.makeTempDir({ prefix: "study-overhead-" });
  const def = { name: "overhead", kind: nullKind, grid: { id: [...Array(n).keys()] } };
  const load = Deno.loadavg()[0];

  let t0 = performance.now();
  await runStudy(def, { store: `${dir}/inline`, progress: "silent" });
  const inlineMs = (performance.now() - t0) / n;

  t0 = performance.now();
  await runStudy(def, { store: `${dir}/inline`, progress: "silent" });
  const cachedMs = performance.now() - t0;

  const procRuns = Math.min(n, 4);
  const procDef = { ...def, grid: { id: [...Array(procRuns).keys()] } };
  t0 = performance.now();
  await runStudy(procDef, {
    store: `${dir}/procs`,
    progress: "silent",
    executor: { kind: "processes", workers: 1 },
  });
  const processMs = (performance.now() - t0) / procRuns;

  const pct = (ms: number) => `${(ms / 600).toFixed(2)}%`; // of a 60 s run
  console.log(`load average at start: ${load.toFixed(2)}`);
  console.log(
    `inline executor: ${inlineMs.toFixed(1)} ms per run (${pct(inlineMs)} of a 60 s run), ${n} runs`,
  );
  console.log(
    `processes executor (1 worker): ${processMs.toFixed(0)} ms per run (${pct(processMs)} of a 60 s run)`,
  );
  console.log(`cached call of the ${n}-run study: ${cachedMs.toFixed(0)} ms`);
  await Deno.remove(dir, { recursive: true });
}
