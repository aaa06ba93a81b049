/**
 * The labelled data of the classification kinds (`classify`, `prune`, `quantize`): the bundled WordNet
 * supersense task or labelled files, tokenized with the run's tokenizer, and the fixed evaluation batches.
 *
 * Labelled files are a directory with `train.tsv`, `validation.tsv` and `test.tsv` (columns `text` and
 * `label`; label names are the sorted distinct labels of `train.tsv`).
 *
 * @module
 */
import type { BpeTokenizer } from "../data/bpe_tokenizer.ts";
import { classificationBatches, type TokenizedExample } from "../data/classification_batches.ts";
import { readTextLabelTable } from "../data/labelled_files.ts";
import { tokenizeCached } from "../data/token_cache.ts";
import { tokenizerFingerprint } from "../data/tokenizer_json.ts";
import type { ClassificationBatch } from "../data/types.ts";
import { WORDNET_CORPUS_VERSION } from "../data/wordnet.ts";
import { loadWordNetClassification, type TextExample } from "../data/wordnet_classification.ts";
import { checkNumber } from "../util/options.ts";
import { filesFingerprint } from "./file_fingerprint.ts";
import { checkOneOf, checkPathOrNull } from "./kind_config.ts";

/** Where a classification run's examples come from. */
export type ClassifyData = {
  /** A directory with `train.tsv`, `validation.tsv`, `test.tsv` (`text`, `label`); null: WordNet supersenses. */
  path: string | null;
  /** Seed of WordNet's pretraining/downstream split: must match the pretrained parent's. */
  splitSeed: number;
};

/** Which split the accuracy is measured on, and how much of it. */
export type EvalSplit = {
  /** `"validation"` (model selection) or `"test"` (the number to report). */
  evalSplit: string;
  /** Examples of that split to evaluate (the first ones, in file order); null: all of them. */
  evalExamples: number | null;
};

/** Checks `ClassifyData` and `EvalSplit` fields. */
export function checkClassifyData(where: string, data: ClassifyData, split: EvalSplit): void {
  checkNumber(where, "data.splitSeed", data.splitSeed, { min: 0, integer: true });
  checkPathOrNull(where, "data.path", data.path);
  checkOneOf(where, "evalSplit", split.evalSplit, ["validation", "test"]);
  if (split.evalExamples !== null) {
    checkNumber(where, "evalExamples", split.evalExamples, { min: 1, integer: true });
  }
}

/** Tokenized labelled splits. */
export interface ClassificationCorpus {
  /** Label names by class id. */
  labels: readonly string[];
  /** Training examples. */
  train: TokenizedExample[];
  /** Validation examples. */
  validation: TokenizedExample[];
  /** Test examples. */
  test: TokenizedExample[];
}

const files = (path: string) => ["train", "validation", "test"].map((s) => `${path}/${s}.tsv`);

/** Fingerprint of the labelled data (the tokenizer is the parent's, or in the config, so not included). */
export async function classifyDataFingerprint(data: ClassifyData): Promise<string> {
  return data.path === null
    ? `${WORDNET_CORPUS_VERSION}/supersenses/split${data.splitSeed}`
    : `labelled/${await filesFingerprint(files(data.path))}`;
}

/** Reads and tokenizes the labelled splits (token ids cached under `.cache/tokens`). */
export async function classificationCorpus(
  data: ClassifyData,
  tokenizer: BpeTokenizer,
): Promise<ClassificationCorpus> {
  let labels: readonly string[], splits: Record<"train" | "validation" | "test", TextExample[]>, key: string;
  if (data.path === null) {
    const d = await loadWordNetClassification({ seed: data.splitSeed });
    [labels, splits, key] = [d.labels, d, `wordnet-cls-split${data.splitSeed}`];
  } else {
    const [train, validation, test] = files(data.path);
    const t = await readTextLabelTable(train);
    const read = async (path: string) => (await readTextLabelTable(path, { labels: t.labels })).examples;
    [labels, splits] = [t.labels, {
      train: t.examples,
      validation: await read(validation),
      test: await read(test),
    }];
    key = `labelled-${await filesFingerprint(files(data.path))}`;
  }
  const fp = (await tokenizerFingerprint(tokenizer)).slice(0, 16);
  const tokenize = async (name: "train" | "validation" | "test") => {
    const ids = await tokenizeCached(splits[name].map((e) => e.text), tokenizer, {
      key: `${key}-${fp}-${name}`,
    });
    return ids.map((x, i) => ({ ids: x, label: splits[name][i].label }));
  };
  return {
    labels,
    train: await tokenize("train"),
    validation: await tokenize("validation"),
    test: await tokenize("test"),
  };
}

/** The evaluation batches of `split` (in order, `batchSize` rows each). */
export function evaluationBatches(
  corpus: ClassificationCorpus,
  split: EvalSplit,
  tokenizer: BpeTokenizer,
  options: { batchSize: number; maxLen: number },
): ClassificationBatch[] {
  const all = split.evalSplit === "test" ? corpus.test : corpus.validation;
  const examples = split.evalExamples === null ? all : all.slice(0, split.evalExamples);
  const stream = classificationBatches(examples, tokenizer, {
    ...options,
    numClasses: corpus.labels.length,
    shuffle: false,
  });
  return Array.from({ length: stream.batchesPerEpoch }, () => stream.next());
}
