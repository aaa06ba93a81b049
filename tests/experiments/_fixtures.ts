/** Tiny configs of every run kind, and finished parent runs made once per test process. */
import { classifyRun, type ClassifyRunConfig } from "../../lib/experiments/classify_run.ts";
import { mlmRun, type MlmRunConfig } from "../../lib/experiments/mlm_run.ts";
import { pruneRun, type PruneRunConfig } from "../../lib/experiments/prune_run.ts";
import { drive } from "./_runs.ts";

export const TINY_MLM: MlmRunConfig = mlmRun.config({
  model: { layers: 1, width: 32, heads: 2, ffn: 64 },
  maxSteps: 12,
  seconds: null,
  evaluations: 3,
  batchSize: 8,
  seqLen: 16,
  validationBatches: 2,
  peakLr: 3e-3,
  data: { vocabSize: 300, splitSeed: 0, path: null },
});

/** A finished tiny mlm run's directory (made once per test file). */
let pretrained: Promise<string> | undefined;
export function pretrainedDir(): Promise<string> {
  return pretrained ??= (async () => {
    const dir = await Deno.makeTempDir();
    await drive(mlmRun, TINY_MLM, { dir, parents: {} });
    return dir;
  })();
}

export const TINY_CLASSIFY: ClassifyRunConfig = classifyRun.config({
  init: { kind: "mlm", config: TINY_MLM },
  maxSteps: 9,
  seconds: null,
  evaluations: 3,
  batchSize: 8,
  maxLen: 16,
  peakLr: 1e-3,
  evalExamples: 40,
});

/** A finished tiny classify run's directory, finetuned from `pretrainedDir()` (made once per test file). */
let classified: Promise<string> | undefined;
export function classifiedDir(): Promise<string> {
  return classified ??= (async () => {
    const dir = await Deno.makeTempDir();
    await drive(classifyRun, TINY_CLASSIFY, { dir, parents: { init: await pretrainedDir() } });
    return dir;
  })();
}

/** A gradual prune of `classifiedDir()`: the cubic ramp over the first half of 8 steps, in 3 events. */
export const TINY_PRUNE: PruneRunConfig = pruneRun.config({
  init: { kind: "classify", config: TINY_CLASSIFY },
  sparsity: 0.6,
  pruneEvents: 3,
  rampFraction: 0.75,
  maxSteps: 8,
  seconds: null,
  evaluations: 4,
  batchSize: 8,
  peakLr: 1e-3,
  evalExamples: 40,
});
