/**
 * The process the crash test kills: trains a tiny MLM encoder on `cpu`, saving a checkpoint after every
 * record (`checkpoint.everyRecord`) and writing a token-cache entry per record, resuming from the newest
 * complete checkpoint when started again. Each handled record is appended to a log as one JSON line.
 *
 * Usage: deno run -A tests/train/_crash_child.ts <root> <cacheDir> <log> <maxSteps>
 * Prints `ready <resumed step>` once set up, then `cache` before each token-cache write and `save` before
 * each checkpoint, so the parent can aim its kills at those moments.
 */
import { useBackend } from "../../lib/backend/use_backend.ts";
import { initEncoder } from "../../lib/model/encoder.ts";
import { disposeParams } from "../../lib/model/params.ts";
import { createAdamW, disposeAdamW } from "../../lib/train/adamw.ts";
import { loadCheckpoint } from "../../lib/train/checkpoint.ts";
import { latestCheckpoint } from "../../lib/train/checkpoint_store.ts";
import { type TrainRecord, trainRecords } from "../../lib/train/loop.ts";
import { schedule } from "../../lib/train/schedule.ts";
import { arraySource } from "../../lib/train/source.ts";
import { mlmTask } from "../../lib/train/task.ts";
import { tokenizeCached } from "../../lib/data/token_cache.ts";
import type { Tokenizer } from "../../lib/data/types.ts";
import { syntheticMlmBatch, tinyConfig } from "../model/_fixtures.ts";

export const config = tinyConfig({ numLayers: 1, dropout: 0.1, attentionDropout: 0.1 });
const batches = [0, 1, 2, 3, 4].map((s) => syntheticMlmBatch(s, config.vocabSize, [10, 8], 10));

/** A char-code tokenizer: the cache entries' content is easy to recompute in the parent. */
export const charTokenizer: Tokenizer = {
  vocabSize: 65536,
  special: { bos: 0, pad: 1, eos: 2, mask: 3, unk: 3 } as Tokenizer["special"],
  encode: (t) => Array.from(t, (c) => c.charCodeAt(0)),
  decode: (ids) => String.fromCharCode(...ids),
};

/** The texts cached after the record at `step` (about 400 KB of ids). */
export function cacheTexts(step: number): string[] {
  return Array.from(
    { length: 100 },
    (_, i) => `${step}:${i}:`.repeat(1000 / String(step).length).slice(0, 1000),
  );
}

/** The fields of a record that an exact replay reproduces (wall-clock ones excluded). */
export function replayed(r: TrainRecord) {
  return {
    step: r.step,
    tokens: r.tokens,
    trainLoss: r.trainLoss,
    gradNorm: r.gradNorm,
    lr: r.lr,
    valLoss: r.valLoss,
  };
}

/** Trains (resuming from `root`) to `maxSteps`; calls `onRecord` for each record before it is checkpointed. */
export async function crashRun(
  root: string,
  maxSteps: number,
  onRecord: (r: TrainRecord) => Promise<void>,
  onReady: (step: number) => void = () => {},
): Promise<void> {
  const params = initEncoder(config, 0);
  const optimizer = createAdamW(params);
  const latest = await latestCheckpoint(root);
  const resume = latest ? (await loadCheckpoint(latest, { params, optimizer })).trainer! : undefined;
  onReady(resume?.step ?? 0);
  const run = trainRecords({
    task: mlmTask(params, config),
    optimizer,
    source: arraySource(batches),
    validation: batches.slice(0, 1),
    schedule: schedule({ peakLr: 2e-3, unit: "steps", warmup: 3, total: maxSteps }),
    maxSteps,
    logEverySteps: 1,
    evalEvery: { steps: 10 },
    seed: 1,
    resume,
    checkpoint: { dir: root, everyRecord: true, config },
  });
  for await (const r of run) await onRecord(r);
  disposeAdamW(optimizer);
  disposeParams(params);
}

if (import.meta.main) {
  const [root, cacheDir, log, maxSteps] = Deno.args;
  await useBackend("cpu");
  const out = await Deno.open(log, { append: true, create: true });
  await crashRun(root, Number(maxSteps), async (r) => {
    await out.write(new TextEncoder().encode(JSON.stringify(replayed(r)) + "\n"));
    console.log("cache");
    await tokenizeCached(cacheTexts(r.step), charTokenizer, { key: `c${r.step}`, dir: cacheDir });
    console.log("save"); // the loop checkpoints once this consumer returns
  }, (step) => console.log(`ready ${step}`));
  out.close();
}
