/**
 * The bundled English→French translation corpus: a deterministic, seeded generator over the grammar in
 * `grammar.ts` and the lexicon files (see `data/README.md` for what it covers and what it does not).
 *
 * Every sentence is unique on both sides across train, validation and test (a pair whose English or
 * French was already produced is redrawn), so the held-out sets share no sentence with training.
 *
 * @module
 */
import { createRng } from "../../util/random.ts";
import type { TextPair } from "../parallel_files.ts";
import { ASPIRATED, sentenceTokens } from "./grammar.ts";
import { englishSurface } from "./english_morphology.ts";
import { frenchSurface } from "./french_morphology.ts";

/** Sizes and seed of a generated corpus. */
export interface TranslationCorpusOptions {
  /** Seed: the same seed and sizes give the same corpus everywhere. */
  seed?: number;
  /** Number of training pairs (default 50 000). */
  train?: number;
  /** Number of validation pairs (default 1 000). */
  validation?: number;
  /** Number of test pairs (default 1 000). */
  test?: number;
}

/** Defaults: 50k training pairs is enough for a small Transformer to reach a high BLEU within minutes. */
export const TRANSLATION_DEFAULTS: Readonly<Required<TranslationCorpusOptions>> = Object.freeze({
  seed: 0,
  train: 50_000,
  validation: 1_000,
  test: 1_000,
});

/** Train/validation/test sentence pairs (`src` English, `tgt` French). */
export interface TranslationCorpus {
  /** Training pairs. */
  train: TextPair[];
  /** Validation pairs. */
  validation: TextPair[];
  /** Test pairs (final BLEU). */
  test: TextPair[];
}

const sentence = (s: string) => s[0].toUpperCase() + s.slice(1) + ".";

/**
 * One sentence pair drawn from `rng`'s stream.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { generatePair } from "./generator.ts";
 * import { createRng } from "../../util/random.ts";
 * const p = generatePair(createRng(3));
 * assert(/^[A-Z].*\.$/.test(p.src) && p.tgt.endsWith("."));
 * ```
 */
export function generatePair(rng: Parameters<typeof sentenceTokens>[0]): TextPair {
  const t = sentenceTokens(rng);
  return { src: sentence(englishSurface(t.en)), tgt: sentence(frenchSurface(t.fr, ASPIRATED)) };
}

/**
 * Generates a translation corpus with disjoint splits.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { generateTranslationCorpus } from "./generator.ts";
 * const c = generateTranslationCorpus({ seed: 1, train: 200, validation: 20, test: 20 });
 * const train = new Set(c.train.map((p) => p.src));
 * assert(c.train.length === 200 && c.test.every((p) => !train.has(p.src)));
 * ```
 */
export function generateTranslationCorpus(options: TranslationCorpusOptions = {}): TranslationCorpus {
  const o = { ...TRANSLATION_DEFAULTS, ...options };
  for (const k of ["train", "validation", "test"] as const) {
    if (!Number.isInteger(o[k]) || o[k] < 0) {
      throw new Error(`generateTranslationCorpus: ${k} must be a non-negative integer, got ${o[k]}`);
    }
  }
  const rng = createRng(`translation:${o.seed}`);
  const seenSrc = new Set<string>(), seenTgt = new Set<string>();
  const total = o.train + o.validation + o.test;
  const pairs: TextPair[] = [];
  for (let tries = 0; pairs.length < total; tries++) {
    if (tries > 20 * total + 1000) {
      throw new Error(`generateTranslationCorpus: could not find ${total} distinct sentences; ask for fewer`);
    }
    const p = generatePair(rng);
    if (seenSrc.has(p.src) || seenTgt.has(p.tgt)) continue;
    seenSrc.add(p.src);
    seenTgt.add(p.tgt);
    pairs.push(p);
  }
  return {
    validation: pairs.slice(0, o.validation),
    test: pairs.slice(o.validation, o.validation + o.test),
    train: pairs.slice(o.validation + o.test),
  };
}
