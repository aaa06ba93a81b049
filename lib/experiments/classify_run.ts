/**
 * The `classify` run kind: sequence-classification finetuning (the paper's MNLI role: the bundled WordNet
 * supersense task, or labelled files), starting from a finished `mlm` run's final weights (`init`) or from
 * scratch. Accuracy with a 95% interval is measured at every evaluation point. The run directory keeps the
 * finetuned classifier (`checkpoint/`, model `{ encoder, numClasses }`) and the tokenizer, for `prune` and
 * `quantize` children.
 *
 * @module
 */
import { loadTokenizer } from "../data/tokenizer_json.ts";
import { initClassifier } from "../model/classifier.ts";
import { type EncoderConfig, encoderConfig } from "../model/config.ts";
import { initEncoder } from "../model/encoder.ts";
import { disposeParams } from "../model/params.ts";
import { checkNumber, OptionError } from "../util/options.ts";
import {
  checkClassifyData,
  classificationCorpus,
  type ClassifyData,
  classifyDataFingerprint,
  type EvalSplit,
} from "./classification_data.ts";
import { type ClassifierStart, parentDir, trainClassifier } from "./classifier_training.ts";
import {
  checkParentRef,
  checkTrainingLength,
  fullParentRef,
  mergeConfig,
  type ModelSize,
  modelSizeShape,
  type TrainingLength,
} from "./kind_config.ts";
import { mlmCorpus, type MlmData, mlmRun } from "./mlm_run.ts";
import type { ParentRef, RunContext, RunKind } from "./run_kind.ts";
import { loadRunWeights, readRunModel } from "./run_training.ts";

/** Config of a `classify` run. */
export type ClassifyRunConfig = TrainingLength & EvalSplit & {
  /** The `mlm` run whose final encoder weights (and tokenizer) this run starts from; null: from scratch. */
  init: ParentRef | null;
  /** Encoder size when `init` is null (with `init`, the parent's). */
  model: ModelSize;
  /** Examples per step. */
  batchSize: number;
  /** Longest input, `<s>` and `</s>` included (at most the parent's sequence length). */
  maxLen: number;
  /** The labelled data; `vocabSize` is the BPE of a run without `init` (with it, the parent's tokenizer). */
  data: ClassifyData & { vocabSize: number };
};

/** Frozen defaults of a `classify` run. */
export const CLASSIFY_RUN_DEFAULTS: Readonly<ClassifyRunConfig> = Object.freeze({
  init: null,
  model: Object.freeze({ layers: 2, width: 128, heads: null, ffn: null }),
  seconds: 90, // docs/SCIENCE: 2 × 128 finetuned 90 s reaches ~50% (majority class 11.7%)
  maxSteps: null,
  batchSize: 32,
  maxLen: 64, // WordNet glosses fit; must not exceed the parent's seqLen
  peakLr: 1e-4, // RoBERTa finetunes base at 1e-5–3e-5; small models take larger steps (sweep it per size)
  evaluations: 6,
  seed: 0,
  evalSplit: "validation", // model selection; studies report "test"
  evalExamples: null, // the whole split (~2k WordNet examples: ±2% at 95%)
  data: Object.freeze({ path: null, splitSeed: 0, vocabSize: 2048 }),
}) as Readonly<ClassifyRunConfig>;

function classifyConfig(overrides?: Partial<ClassifyRunConfig>): ClassifyRunConfig {
  const c = mergeConfig("classify", CLASSIFY_RUN_DEFAULTS, overrides, ["model", "data"]);
  const init = checkParentRef("classify", "init", c.init, ["mlm"], true);
  if (init) c.init = fullParentRef("classify", "init", init, { mlm: mlmRun });
  checkTrainingLength("classify", c);
  modelSizeShape("classify", c.model);
  checkNumber("classify", "batchSize", c.batchSize, { min: 1, integer: true });
  checkNumber("classify", "maxLen", c.maxLen, { min: 3, integer: true });
  checkNumber("classify", "data.vocabSize", c.data.vocabSize, { min: 300, integer: true });
  checkClassifyData("classify", c.data, c);
  const parentData = c.init?.config.data as MlmData | undefined;
  if (
    parentData && parentData.path === null && c.data.path === null &&
    parentData.splitSeed !== c.data.splitSeed
  ) {
    throw new OptionError(
      "classify",
      "data.splitSeed",
      `data.splitSeed ${c.data.splitSeed} differs from the pretrained parent's ${parentData.splitSeed}: the ` +
        `downstream examples would overlap its pretraining documents; use the same split seed`,
    );
  }
  return c;
}

/**
 * The `classify` config at the root of a chain of classification runs (`classify`, or `prune` of one):
 * where the data, tokenizer and input length of its descendants come from.
 */
export function classifyAncestor(ref: ParentRef, who: string): ClassifyRunConfig {
  let r = ref;
  while (r.kind === "prune" && r.config.init) r = r.config.init as ParentRef;
  if (r.kind !== "classify") {
    throw new OptionError(who, "init", `\`init\` leads to a "${r.kind}" run, not a classify run`);
  }
  return r.config as ClassifyRunConfig;
}

/** The tokenizer, labelled corpus, encoder config and initial classifier of a `classify` config. */
async function initialModel(c: ClassifyRunConfig, context: RunContext): Promise<ClassifierStart> {
  if (c.init === null) {
    const { tokenizer } = await mlmCorpus({
      vocabSize: c.data.vocabSize,
      splitSeed: c.data.splitSeed,
      path: null,
    });
    const encoder = encoderConfig({
      ...modelSizeShape("classify", c.model),
      maxPositions: c.maxLen,
      vocabSize: tokenizer.vocabSize,
    });
    const corpus = await classificationCorpus(c.data, tokenizer);
    const k = corpus.labels.length;
    return {
      tokenizer,
      corpus,
      model: { encoder, numClasses: k },
      params: initClassifier(encoder, k, c.seed),
    };
  }
  const dir = parentDir(context, "init", "classify");
  const tokenizer = await loadTokenizer(`${dir}/tokenizer.json`);
  const encoder = await readRunModel<EncoderConfig>(dir, "classify");
  if (c.maxLen > encoder.maxPositions) {
    throw new OptionError(
      "classify",
      "maxLen",
      `maxLen ${c.maxLen} exceeds the pretrained encoder's ${encoder.maxPositions} positions; lower it`,
    );
  }
  const corpus = await classificationCorpus(c.data, tokenizer);
  const k = corpus.labels.length;
  const pretrained = initEncoder(encoder, 0);
  try {
    await loadRunWeights(dir, pretrained, "classify");
    return {
      tokenizer,
      corpus,
      model: { encoder, numClasses: k },
      params: initClassifier(encoder, k, c.seed, { encoder: pretrained }),
    };
  } finally {
    disposeParams(pretrained);
  }
}

/**
 * Classification finetuning. Records: the loop's fields plus `accuracy`, `accuracyLow`, `accuracyHigh`
 * (95% Wilson interval) and `evalExamples`; the summary adds `params` and `flopsPerToken` and ends with
 * the last evaluation's metrics.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { useBackend } from "../backend/use_backend.ts";
 * import { classifyRun } from "./classify_run.ts";
 * await useBackend("cpu");
 * const config = classifyRun.config({ model: { layers: 1, width: 16, heads: 1, ffn: 32 }, maxSteps: 2,
 *   evaluations: 1, evalExamples: 16, batchSize: 8, maxLen: 16, data: { path: null, splitSeed: 0, vocabSize: 300 } });
 * const run = classifyRun.run(config, { dir: await Deno.makeTempDir(), parents: {} });
 * let r = await run.next();
 * while (!r.done) r = await run.next();
 * assert(r.value.status === "max_steps" && r.value.evalExamples === 16);
 * ```
 */
export const classifyRun: RunKind<ClassifyRunConfig> = {
  name: "classify",
  defaults: CLASSIFY_RUN_DEFAULTS,
  config: classifyConfig,
  fingerprint: async (c) =>
    (await classifyDataFingerprint(c.data)) + (c.init === null ? `/bpe${c.data.vocabSize}` : ""),
  parents: (c): Record<string, ParentRef> => (c.init ? { init: c.init } : {}),
  async *run(config, context) {
    const c = classifyConfig(config);
    return yield* trainClassifier({
      ...await initialModel(c, context),
      context,
      length: c,
      split: c,
      batchSize: c.batchSize,
      maxLen: c.maxLen,
    });
  },
};
