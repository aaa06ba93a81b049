/**
 * What the classification kinds (`classify`, `prune`, `quantize`) share around the wall-clock loop: where a
 * run's parent is, what a run that starts from a finished classifier loads (the parent's tokenizer, the
 * labelled corpus tokenized with it, the classifier), and one finetuning (or evaluation-only) run of a
 * classifier: the tokenizer saved with the run, shuffled training batches, the fixed evaluation batches, the
 * accuracy hook, the model and its size for the summary, and the optimizer and weights disposed at the end.
 * Each kind adds only what is its own (prune's masks, quantize's quantization and size in bits).
 *
 * @module
 */
import type { BpeTokenizer } from "../data/bpe_tokenizer.ts";
import { classificationBatches } from "../data/classification_batches.ts";
import { loadTokenizer, saveTokenizer } from "../data/tokenizer_json.ts";
import { disposeParams, type Params } from "../model/params.ts";
import { flopsPerToken, paramCount } from "../model/size.ts";
import { createAdamW, disposeAdamW } from "../train/adamw.ts";
import type { EvalHook, TrainerState, TrainRecord } from "../train/loop.ts";
import { classificationTask } from "../train/task.ts";
import {
  type ClassificationCorpus,
  classificationCorpus,
  type ClassifyData,
  type EvalSplit,
  evaluationBatches,
} from "./classification_data.ts";
import { accuracyHook, type ClassifierModel, loadClassifierRun } from "./classifier_eval.ts";
import type { TrainingLength } from "./kind_config.ts";
import type { Json, RunContext, RunSummary } from "./run_kind.ts";
import { runTraining } from "./run_training.ts";

/** The parent's directory for `field`, or a clear error when the study layer did not pass it. */
export function parentDir(context: RunContext, field: string, who: string): string {
  const dir = context.parents[field];
  if (!dir) {
    throw new Error(`${who}: no directory for parent "${field}" in context.parents; run the parent first`);
  }
  return dir;
}

/** A classifier and the data it is trained and evaluated on. The caller of a function returning one owns `params`. */
export interface ClassifierStart {
  /** The run's tokenizer (saved with it, for its children). */
  tokenizer: BpeTokenizer;
  /** The labelled splits, tokenized with `tokenizer`. */
  corpus: ClassificationCorpus;
  /** What the checkpoint saves as `model`: the encoder's config and K. */
  model: ClassifierModel;
  /** The classifier's weights. */
  params: Params;
}

/**
 * What a `prune` or `quantize` run starts from: the finished classification run in `context.parents.init`
 * (its tokenizer and final classifier) and `data` (its root `classify` run's) tokenized with that tokenizer.
 * The caller disposes the parameters (`trainClassifier` does).
 */
export async function loadClassifierParent(
  context: RunContext,
  data: ClassifyData,
  who: string,
): Promise<ClassifierStart> {
  const dir = parentDir(context, "init", who);
  const tokenizer = await loadTokenizer(`${dir}/tokenizer.json`);
  const corpus = await classificationCorpus(data, tokenizer);
  const { model, params } = await loadClassifierRun(dir, who);
  return { tokenizer, corpus, model, params };
}

/** One run of a classifier: where it starts, how long, on what, and what its kind adds to the loop. */
export interface ClassifierTraining extends ClassifierStart {
  /** The run's directory, parents, signal and clock. */
  context: RunContext;
  /** How long and how often (its seed also shuffles the training batches). */
  length: TrainingLength;
  /** The split accuracy is measured on, and how much of it. */
  split: EvalSplit;
  /** Examples per training and evaluation batch. */
  batchSize: number;
  /** Longest input, `<s>` and `</s>` included. */
  maxLen: number;
  /** Runs once the tokenizer is saved, before the loop (prune's first cut, quantize's quantization). */
  prepare?: () => Promise<void>;
  /** The kind's own metrics at each evaluation point, after accuracy. */
  evalHooks?: readonly EvalHook[];
  /** Runs after every update (see `TrainingRun.afterStep`). */
  afterStep?: (step: number, seconds: number) => void | Promise<void>;
  /** Called when the run resumes from its checkpoint (see `TrainingRun.onResume`). */
  onResume?: (state: TrainerState) => void | Promise<void>;
}

/**
 * Finetunes a classifier through `runTraining` (or, with nothing to train, evaluates it once): yields its
 * records (the loop's fields, `accuracy`, `accuracyLow`, `accuracyHigh`, `evalExamples`, then the kind's
 * hooks' metrics) and returns its summary (`params`, `flopsPerToken`). Takes `r.params` over: they are
 * disposed, with the optimizer, when the run ends, fails or is stopped.
 */
export async function* trainClassifier(r: ClassifierTraining): AsyncGenerator<TrainRecord, RunSummary> {
  const { tokenizer, corpus, model, params } = r;
  const optimizer = createAdamW(params); // an evaluation-only run never steps it; the loop checkpoints it
  try {
    await saveTokenizer(tokenizer, `${r.context.dir}/tokenizer.json`);
    await r.prepare?.();
    const shape = { batchSize: r.batchSize, maxLen: r.maxLen };
    const validation = evaluationBatches(corpus, r.split, tokenizer, shape);
    return yield* runTraining({
      length: r.length,
      context: r.context,
      task: classificationTask(params, model.encoder),
      optimizer,
      source: classificationBatches(corpus.train, tokenizer, {
        ...shape,
        numClasses: model.numClasses,
        seed: r.length.seed,
      }),
      validation,
      evalHooks: [accuracyHook(model.encoder, validation), ...(r.evalHooks ?? [])],
      afterStep: r.afterStep,
      onResume: r.onResume,
      model: model as unknown as Json,
      params: paramCount(params),
      flopsPerToken: flopsPerToken(model.encoder, { seqLen: r.maxLen, maskFraction: 0 }),
    });
  } finally {
    disposeAdamW(optimizer);
    disposeParams(params);
  }
}
