/**
 * One call from nothing to translation token ids: the generated English→French corpus, a joint BPE
 * (both languages share one vocabulary, as in the Transformer paper's WMT setups) trained on its training
 * pairs, and every split tokenized into `TokenizedPair`s for `seq2seqBatches`.
 *
 * @module
 */
import { checkKeys } from "../util/options.ts";
import type { BpeTokenizer } from "./bpe_tokenizer.ts";
import { trainBpe } from "./bpe_train.ts";
import {
  generateTranslationCorpus,
  type TranslationCorpus,
  type TranslationCorpusOptions,
} from "./translation/generator.ts";

/** Options for `loadTranslationTokenized`. */
export interface TranslationTokenizedOptions extends TranslationCorpusOptions {
  /** Joint vocabulary size; the corpus has ~3.4k word types, so 4k already keeps most words whole. */
  vocabSize?: number;
  /** Use this tokenizer instead of training one. */
  tokenizer?: BpeTokenizer;
}

/** A sentence pair as ids (no special tokens); satisfies `seq2seqBatches`' `TokenizedPair`. */
export interface EncodedPair {
  /** English token ids. */
  src: number[];
  /** French token ids. */
  tgt: number[];
}

/** Tokenized translation splits, the tokenizer, and the text they came from (for BLEU on detokenized output). */
export interface TranslationTokenized {
  /** The joint English/French BPE tokenizer. */
  tokenizer: BpeTokenizer;
  /** The untokenized pairs, split as below. */
  text: TranslationCorpus;
  /** Training pairs as ids. */
  train: EncodedPair[];
  /** Validation pairs as ids. */
  validation: EncodedPair[];
  /** Test pairs as ids. */
  test: EncodedPair[];
}

/**
 * Generates, tokenizes and returns the translation corpus.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { loadTranslationTokenized } from "./translation_tokenized.ts";
 * const d = await loadTranslationTokenized({ seed: 0, train: 500, validation: 50, test: 50, vocabSize: 600 });
 * assert(d.train.length === 500 && d.tokenizer.decode(d.test[0].tgt) === d.text.test[0].tgt);
 * ```
 */
export function loadTranslationTokenized(
  options: TranslationTokenizedOptions = {},
): Promise<TranslationTokenized> {
  checkKeys("loadTranslationTokenized", options, [
    "seed",
    "train",
    "validation",
    "test",
    "vocabSize",
    "tokenizer",
  ]);
  const text = generateTranslationCorpus(options);
  const tokenizer = options.tokenizer ??
    trainBpe(text.train.flatMap((p) => [p.src, p.tgt]), { vocabSize: options.vocabSize ?? 4000 });
  const encode = (pairs: TranslationCorpus["train"]) =>
    pairs.map((p) => ({ src: tokenizer.encode(p.src), tgt: tokenizer.encode(p.tgt) }));
  return Promise.resolve({
    tokenizer,
    text,
    train: encode(text.train),
    validation: encode(text.validation),
    test: encode(text.test),
  });
}
