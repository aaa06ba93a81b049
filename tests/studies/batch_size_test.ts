import { assert, assertAlmostEquals, assertEquals, assertRejects, assertThrows } from "@std/assert";
import { useBackend } from "../../lib/backend/use_backend.ts";
import { analyzeBatchSizeStudy } from "../../lib/studies/batch_size_analysis.ts";
import { batchSizeFigures } from "../../lib/studies/batch_size_figures.ts";
import {
  BATCH_SIZE_PRESETS,
  batchSizeRun,
  batchSizeSettings,
  batchSizeStudy,
} from "../../lib/studies/batch_size.ts";
import { rowsToFrame } from "../../lib/study/tables.ts";
import { dtypeName } from "../../lib/display/table.ts";
import { OptionError } from "../../lib/util/options.ts";

const TARGET_COLUMNS = [
  "run",
  "label",
  "batchSize",
  "microBatch",
  "seed",
  "peakLr",
  "status",
  "reached",
  "how",
  "stepsToTarget",
  "secondsToTarget",
  "examplesToTarget",
  "secondsPerStep",
  "finalValLoss",
  "bSimple",
  "bSimpleStdErr",
  "noiseSamples",
  "best",
];

Deno.test("batchSizeStudy() at smoke scale: schemas, figures, noise scale measured, and a cache hit on the second call", async () => {
  await useBackend("cpu");
  const store = await Deno.makeTempDir();
  const t0 = performance.now();
  const study = await batchSizeStudy({ scale: "smoke", store, progress: "silent" });
  const firstMs = performance.now() - t0;
  const sizes = BATCH_SIZE_PRESETS.smoke.batchSizes;
  assertEquals(study.runs.height, sizes.length);
  assertEquals(study.targets.columns, TARGET_COLUMNS);
  const types = study.targets.dtypes.map(dtypeName).join(" ");
  assertEquals(types, "str str f64 f64 f64 f64 str bool str f64 f64 f64 f64 f64 f64 f64 f64 bool");
  assertEquals(study.targets.getColumn("batchSize").toArray(), sizes);
  for (const col of ["batchSize", "microBatch", "peakLr", "seed", "status", "params"]) {
    assert(study.runs.columns.includes(col), `runs lacks ${col}`);
  }
  for (const col of ["step", "seconds", "valLoss", "gradSqSmall", "gradSqBig", "microBatches"]) {
    assert(study.records.columns.includes(col), `records lacks ${col}`);
  }
  const rows = study.targets.toRecords();
  // the learning rate follows the square-root rule from the base batch
  const s = BATCH_SIZE_PRESETS.smoke;
  for (const r of rows) {
    assertAlmostEquals(
      r.peakLr as number,
      s.baseLr * Math.sqrt((r.batchSize as number) / s.baseBatchSize),
      1e-12,
    );
  }
  // runs stop at the target; the interpolated crossing lies at or before the run's last step
  const runs = study.runs.toRecords();
  for (const [i, r] of rows.entries()) {
    if (r.reached) {
      assertEquals(runs[i].status, "target");
      assert((r.stepsToTarget as number) <= (runs[i].step as number) && (r.stepsToTarget as number) > 0);
      assertEquals(r.examplesToTarget, (r.stepsToTarget as number) * (r.batchSize as number));
    } else assertEquals([r.stepsToTarget, r.how], [null, "never"]);
  }
  // B_simple is measured exactly in the runs that accumulate (B > microBatch)
  for (const r of rows) {
    const accumulates = (r.batchSize as number) > s.microBatch;
    assertEquals(r.noiseSamples as number > 0, accumulates, `B=${r.batchSize}`);
    if (accumulates && r.bSimple !== null) assert(r.bSimple as number > 0);
  }
  // figures: steps (points per seed + mean + references), seconds, simulated data-parallel per N
  assertEquals(study.figures.length, 3);
  const [steps, seconds, parallel] = study.figures;
  assertEquals(steps.data.slice(0, 2).map((t) => t.name), ["seed 0", "mean over seeds"]);
  assertEquals((steps.layout.xaxis as { type: string }).type, "log");
  assertEquals(seconds.data[0].name, "seed 0");
  const reachedSizes = rows.filter((r) => r.reached).map((r) => r.batchSize);
  assertEquals(steps.data[0].x, reachedSizes);
  assertEquals(parallel.data.map((t) => t.name), s.workers.map((n) => `N = ${n}`));
  assertEquals(study.dataParallel.columns.slice(0, 3), ["batchSize", "workers", "perWorkerBatch"]);

  const t1 = performance.now();
  const again = await batchSizeStudy({ scale: "smoke", store, progress: "silent" });
  const secondMs = performance.now() - t1;
  assertEquals(again.records.height, study.records.height);
  assertEquals(again.targets.toRecords(), study.targets.toRecords());
  assert(secondMs < firstMs / 5 && secondMs < 2000, `cached call took ${secondMs} ms (first ${firstMs} ms)`);
  await Deno.remove(store, { recursive: true });
});

Deno.test("batchSizeStudy() settings: overrides merge onto the preset; bad and misspelt options are named", async () => {
  const s = batchSizeSettings({
    scale: "demo",
    lrScaling: "linear",
    model: { width: 128 },
    batchSizes: [64, 8],
  });
  assertEquals([s.model.layers, s.model.width, s.lrScaling], [2, 128, "linear"]);
  assertEquals(s.batchSizes, [8, 64]);
  const run = batchSizeRun(s, 64);
  assertEquals([run.microBatch, run.noiseScale, run.peakLr], [32, true, 2e-3]);
  assertEquals(batchSizeRun(s, 8).noiseScale, undefined); // one micro-batch: nothing to compare
  assertEquals(batchSizeRun(s, 64, 0.5).peakLr, 1e-3);
  assertEquals([run.maxSteps, run.evaluations], [null, s.evaluations]); // evaluations by seconds by default
  const bySteps = batchSizeSettings({ scale: "demo", evalEverySteps: 2, maxSteps: 400 });
  assertEquals([batchSizeRun(bySteps, 8).maxSteps, batchSizeRun(bySteps, 8).evaluations], [400, 200]);
  assertEquals(batchSizeSettings({ scale: "smoke", lrMultipliers: [0.5, 2, 2] }).lrMultipliers, [0.5, 2]);
  assertThrows(
    () => batchSizeSettings({ scale: "smoke", lrMultipliers: [0] }),
    OptionError,
    "lrMultipliers[0]",
  );
  assertThrows(
    () => batchSizeSettings({ scale: "smoke", batchSize: [4] } as never),
    OptionError,
    "did you mean `batchSizes`",
  );
  assertThrows(
    () => batchSizeSettings({ scale: "smoke", lrScaling: "sqr" as never }),
    OptionError,
    "lrScaling",
  );
  assertThrows(
    () => batchSizeSettings({ scale: "smoke", batchSizes: [12], microBatch: 8 }),
    OptionError,
    "divide",
  );
  assertThrows(
    () => batchSizeSettings({ scale: "smoke", model: { widht: 3 } } as never),
    OptionError,
    "model.width",
  );
  await assertRejects(() => batchSizeStudy({ scale: "tiny" as never }), OptionError, "scale");
});

Deno.test("batch-size analysis on synthetic tables: crossings, fit, pooled B_simple, figure traces", () => {
  // Three batch sizes whose losses cross 5 at steps 200 (B=8), 80 (B=32) and 50 (B=128): S(B) = 40(1 + 32/B).
  // Plus a second learning rate at B = 32 that needs 120 steps: a sweep's loser, left out of the fit.
  const runsAt: [string, number, number][] = [["r8", 8, 200], ["r32", 32, 80], ["r32-slow", 32, 120], [
    "r128",
    128,
    50,
  ]];
  const records = rowsToFrame(
    runsAt.flatMap(([run, b, s]) =>
      [0.5, 1.5].map((f) => ({
        run,
        step: f * s,
        seconds: f * s * 0.01 * b,
        valLoss: 5 + (1 - f), // 5.5 at half the crossing step, 4.5 at 1.5×: crosses 5 exactly at s
        gradSqSmall: b > 8 ? 1 + 64 / 8 : null,
        gradSqBig: b > 8 ? 1 + 64 / b : null,
      }))
    ),
  );
  const runs = rowsToFrame(
    runsAt.map(([run, b, s]) => ({
      run,
      label: `B=${b}`,
      batchSize: b,
      microBatch: 8,
      seed: 0,
      peakLr: 1e-3,
      status: "target",
      step: 1.5 * s,
      seconds: 1.5 * s * 0.01 * b,
      params: 1e6,
    })),
  );
  const settings = {
    targetValLoss: 5,
    noiseDecay: 1,
    workers: [1, 4],
    network: { bandwidth: 1e9, latency: 0 },
  };
  const a = analyzeBatchSizeStudy({ records, runs }, settings);
  assertEquals(a.targets.getColumn("stepsToTarget").toArray(), [200, 80, 120, 50]);
  assertEquals(a.targets.getColumn("best").toArray(), [true, true, false, true]);
  assertEquals(a.targets.getColumn("secondsToTarget").toArray().map((x) => Math.round((x as number) * 100)), [
    1600,
    2560,
    3840,
    6400,
  ]);
  assertEquals(a.fit!.regime, "fit");
  assertAlmostEquals(a.fit!.bNoise!, 32, 1e-6);
  assertAlmostEquals(a.fit!.sMin!, 40, 1e-6);
  // B_simple: |G|² = 1, tr(Σ) = 64 in both measuring runs, but two identical samples have no spread: no SE,
  // so nothing to pool; one run's B_simple is still reported.
  assertAlmostEquals(a.targets.getColumn("bSimple").toArray()[1] as number, 64, 1e-9);
  // data-parallel: N=4 at B=32 runs B/N=8 per worker at 0.08 s/step + 2·3/4·4 MB / 1 GB/s
  const dp = a.dataParallel.toRecords().find((r) => r.batchSize === 32 && r.workers === 4)!;
  assertAlmostEquals(dp.secondsToTarget as number, 80 * (0.08 + 0.006), 1e-9);
  const [steps] = batchSizeFigures(a, { targetValLoss: 5, network: settings.network });
  assertEquals(steps.data[0].x, [8, 32, 128]); // the sweep's winners only
  const names = steps.data.map((t) => t.name);
  assert(
    names.includes("critical range (B_noise/2 … 2·B_noise)") && names.includes("fit: S_min 40, B_noise 32"),
  );
  const band = steps.data.find((t) => t.fill === "toself")!;
  assertAlmostEquals((band.x as number[])[0], 16, 1e-9);
  assertAlmostEquals((band.x as number[])[1], 64, 1e-9);
  const fitTrace = steps.data.find((t) => String(t.name).startsWith("fit"))!;
  const [x0, y0] = [(fitTrace.x as number[])[0], (fitTrace.y as number[])[0]];
  assertAlmostEquals(y0, 40 * (1 + 32 / x0), 1e-9);
});
