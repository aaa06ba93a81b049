/**
 * One call from nothing to token ids: the WordNet pretraining corpus, a BPE tokenizer trained on its
 * training split (or one you pass), and the three splits tokenized, all cached under `.cache/`.
 *
 * Cache keys fold in the corpus version, the split seed and the tokenizer's fingerprint, so a changed
 * tokenizer or corpus never reads stale ids; entries are written atomically (temp file + rename).
 *
 * @module
 */
import { checkKeys } from "../util/options.ts";
import type { BpeTokenizer } from "./bpe_tokenizer.ts";
import { trainBpe } from "./bpe_train.ts";
import { DEFAULT_CACHE_DIR, tokenizeCached, type TokenizedDocs } from "./token_cache.ts";
import { loadTokenizer, saveTokenizer, tokenizerFingerprint } from "./tokenizer_json.ts";
import { loadWordNetCorpus, WORDNET_CORPUS_VERSION, type WordNetSplitOptions } from "./wordnet.ts";

/** Options for `loadWordNetTokenized`. */
export interface WordNetTokenizedOptions extends WordNetSplitOptions {
  /** Tokenizer to use; without one, a BPE of `vocabSize` is trained on the training split (and cached). */
  tokenizer?: BpeTokenizer;
  /** Vocabulary size of the trained tokenizer. */
  vocabSize?: number;
  /** Cache directory; `null` disables caching. */
  cacheDir?: string | null;
}

/** The tokenized corpus and the tokenizer that made it. */
export interface WordNetTokenized {
  /** The byte-level BPE tokenizer trained on (or loaded for) the training split. */
  tokenizer: BpeTokenizer;
  /** Token ids of the training documents (no special tokens). */
  train: TokenizedDocs;
  /** Token ids of the validation documents. */
  validation: TokenizedDocs;
  /** Token ids of the test documents. */
  test: TokenizedDocs;
}

/**
 * Loads, tokenizes and caches the WordNet pretraining corpus.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { loadWordNetTokenized } from "./wordnet_tokenized.ts";
 * const { tokenizer, train } = await loadWordNetTokenized({ seed: 0, vocabSize: 2000 });
 * assert(tokenizer.vocabSize === 2000 && train.length > 90_000);
 * ```
 */
export async function loadWordNetTokenized(options: WordNetTokenizedOptions = {}): Promise<WordNetTokenized> {
  checkKeys("loadWordNetTokenized", options, [
    "seed",
    "downstreamFraction",
    "heldOutFraction",
    "dictDir",
    "tokenizer",
    "vocabSize",
    "cacheDir",
  ]);
  const seed = options.seed ?? 0, vocabSize = options.vocabSize ?? 8000;
  const dir = options.cacheDir === undefined ? DEFAULT_CACHE_DIR : options.cacheDir;
  const { tokenizer: _t, vocabSize: _v, cacheDir: _c, ...splitOptions } = options;
  const corpus = await loadWordNetCorpus(splitOptions);
  const base = `${WORDNET_CORPUS_VERSION.replace(/\W/g, "_")}-seed${seed}`;
  let tokenizer = options.tokenizer;
  if (!tokenizer) {
    const path = dir === null ? null : `${dir}/${base}-bpe${vocabSize}.tokenizer.json`;
    try {
      if (path) tokenizer = await loadTokenizer(path);
    } catch { /* not cached yet */ }
    if (!tokenizer) {
      tokenizer = trainBpe(corpus.train, { vocabSize });
      if (path) {
        await Deno.mkdir(dir!, { recursive: true });
        await saveTokenizer(tokenizer, path);
      }
    }
  }
  const fp = (await tokenizerFingerprint(tokenizer)).slice(0, 16);
  const split = async (name: "train" | "validation" | "test") =>
    dir === null
      ? corpus[name].map((t) => Int32Array.from(tokenizer!.encode(t)))
      : await tokenizeCached(corpus[name], tokenizer!, { key: `${base}-${fp}-${name}`, dir });
  return {
    tokenizer,
    train: await split("train"),
    validation: await split("validation"),
    test: await split("test"),
  };
}
