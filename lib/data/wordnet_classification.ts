/**
 * The bundled downstream task (MNLI's role in the paper): WordNet gloss → lexicographer class.
 *
 * Inputs are the synset's definition (no lemmas, no examples, so the class is not given away by the word
 * itself); labels are the 45 lexicographer classes of `LEXNAMES`. Examples come only from the synsets
 * `splitSynsets` reserved as downstream, so they are disjoint from every pretraining document.
 *
 * @module
 */
import { createRng } from "../util/random.ts";
import { LEXNAMES, readWordNetSynsets, splitSynsets, type WordNetSplitOptions } from "./wordnet.ts";

/** One labelled example. */
export interface TextExample {
  /** The input text. */
  text: string;
  /** Class id in [0, labels.length). */
  label: number;
}

/** A labelled dataset split three ways, with its label names. */
export interface ClassificationDataset {
  /** Label names; `labels[id]` is the name of class `id`. */
  labels: readonly string[];
  /** Training examples. */
  train: TextExample[];
  /** Validation examples (model selection). */
  validation: TextExample[];
  /** Test examples (final accuracy). */
  test: TextExample[];
}

/** Per-class counts and the accuracy of always predicting the most frequent training class. */
export interface ClassBalance {
  /** Count of each class id in the split. */
  counts: number[];
  /** The most frequent class in the split. */
  majorityLabel: number;
  /** Fraction of the split that the majority class covers (the majority baseline's accuracy). */
  majorityAccuracy: number;
}

/**
 * Class counts of `examples` and the majority baseline; pass `majorityLabel` (from training data) to score
 * that baseline on another split.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { classBalance } from "./wordnet_classification.ts";
 * const b = classBalance([{ text: "a", label: 1 }, { text: "b", label: 1 }, { text: "c", label: 0 }], 2);
 * assert(b.majorityLabel === 1 && Math.abs(b.majorityAccuracy - 2 / 3) < 1e-12);
 * ```
 */
export function classBalance(
  examples: readonly TextExample[],
  numClasses: number,
  majorityLabel?: number,
): ClassBalance {
  const counts = new Array(numClasses).fill(0);
  for (const e of examples) counts[e.label]++;
  const best = majorityLabel ?? counts.indexOf(Math.max(...counts));
  return {
    counts,
    majorityLabel: best,
    majorityAccuracy: examples.length ? counts[best] / examples.length : 0,
  };
}

/**
 * Gloss → lexicographer class, from the downstream synsets only; 80/10/10 train/validation/test by seed.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { loadWordNetClassification } from "./wordnet_classification.ts";
 * const d = await loadWordNetClassification({ seed: 0 });
 * assert(d.labels.length === 45 && d.train.length > 10_000);
 * ```
 */
export async function loadWordNetClassification(
  options: WordNetSplitOptions = {},
): Promise<ClassificationDataset> {
  const { downstream } = splitSynsets(await readWordNetSynsets(options.dictDir), options);
  const examples = createRng(`wordnet-cls:${options.seed ?? 0}`).shuffle(
    downstream.map((s) => ({ text: s.definition, label: s.lexClass })),
  );
  const n = examples.length, nHeld = Math.round(n * 0.1);
  return {
    labels: LEXNAMES,
    validation: examples.slice(0, nHeld),
    test: examples.slice(nHeld, 2 * nHeld),
    train: examples.slice(2 * nHeld),
  };
}
