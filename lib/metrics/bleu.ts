/**
 * BLEU exactly as sacreBLEU 2.x computes it (corpus and sentence level).
 *
 * Port of sacrebleu/metrics/bleu.py and metrics/base.py (mjpost/sacrebleu): per-segment statistics
 * `[hypLen, closestRefLen, correct_1..4, total_1..4]` summed over the corpus, then `computeBleu`. Reference
 * n-gram counts are the maximum over a segment's references; the reference length is the closest one to
 * the hypothesis length, ties going to the shorter. Empty-string references are dropped (variable number of
 * references per segment); a segment with none left is an error. Empty hypotheses are kept. The score is
 * not rounded (sacreBLEU rounds only when formatting).
 *
 * @module
 */
import { checkChoice, checkKeys, checkNumber } from "../util/options.ts";
import { bleuTokenize, type BleuTokenizerName, pyRstrip, pySplit } from "./bleu_tokenize.ts";
import { checkSegments } from "./segments.ts";

export type { BleuTokenizerName } from "./bleu_tokenize.ts";

/** Smoothing methods (Chen & Cherry 2014): exp = NIST "method 3", floor = method 1, add-k = method 2. */
export type BleuSmooth = "exp" | "floor" | "add-k" | "none";

/** Options of `bleu()`; each mirrors the sacreBLEU `BLEU(...)` argument of the same meaning. */
export interface BleuOptions {
  /** Tokenizer applied after lowercasing and right-stripping. sacreBLEU's default is "13a". */
  tokenize?: BleuTokenizerName;
  /** Lowercase hypotheses and references first (sacreBLEU `lowercase`). */
  lowercase?: boolean;
  /** Smoothing method (sacreBLEU `smooth_method`); corpus default "exp". */
  smooth?: BleuSmooth;
  /** Value for floor (default 0.1) and add-k (default 1); ignored by exp and none. */
  smoothValue?: number;
  /** Average only over orders whose hypothesis n-gram total is non-zero (sacreBLEU `effective_order`). */
  effectiveOrder?: boolean;
}

/** Corpus defaults, frozen: sacreBLEU's `BLEU()` constructor defaults. */
export const BLEU_DEFAULTS: Readonly<Required<Omit<BleuOptions, "smoothValue">>> = Object.freeze({
  tokenize: "13a",
  lowercase: false,
  smooth: "exp",
  effectiveOrder: false,
});

/** Sentence-level defaults, frozen: sacreBLEU's `sentence_bleu()` (exp smoothing with effective order). */
export const SENTENCE_BLEU_DEFAULTS: Readonly<Required<Omit<BleuOptions, "smoothValue">>> = Object.freeze({
  ...BLEU_DEFAULTS,
  effectiveOrder: true,
});

/** sacreBLEU's `SMOOTH_DEFAULTS`. */
const SMOOTH_VALUE_DEFAULTS: Record<BleuSmooth, number> = { "exp": 0, "none": 0, "floor": 0.1, "add-k": 1 };

/** The n-gram order BLEU uses. */
export const BLEU_MAX_ORDER = 4;

/** A BLEU result: the fields of sacreBLEU's `BLEUScore` (score on a 0–100 scale, not rounded). */
export interface BleuScore {
  /** BLEU on a 0–100 scale. */
  score: number;
  /** Matched n-grams per order 1..4 (add-k smoothing adds k to orders ≥ 2, as sacreBLEU reports it). */
  counts: number[];
  /** Hypothesis n-grams per order 1..4 (add-k adds k to orders ≥ 2). */
  totals: number[];
  /** Percent precisions per order 1..4 (after smoothing). */
  precisions: number[];
  /** Brevity penalty. */
  bp: number;
  /** Total hypothesis length in tokens. */
  sysLen: number;
  /** Total effective reference length in tokens (closest reference per sentence, ties to the shorter). */
  refLen: number;
}

type Ngrams = Map<string, number>;

function countNgrams(tokens: string[], into: Ngrams = new Map()): Ngrams {
  for (let n = 1; n <= BLEU_MAX_ORDER; n++) {
    for (let i = 0; i + n <= tokens.length; i++) {
      const key = n === 1 ? tokens[i] : tokens.slice(i, i + n).join(" ");
      into.set(key, (into.get(key) ?? 0) + 1);
    }
  }
  return into;
}

function closestRefLen(hypLen: number, refLens: number[]): number {
  let closestDiff = -1, closestLen = -1;
  for (const refLen of refLens) {
    const diff = Math.abs(hypLen - refLen);
    if (closestDiff === -1 || diff < closestDiff) {
      closestDiff = diff;
      closestLen = refLen;
    } else if (diff === closestDiff && refLen < closestLen) closestLen = refLen;
  }
  return closestLen;
}

function checkOptions(o: BleuOptions, given: object): void {
  checkKeys("bleu", given, ["tokenize", "lowercase", "smooth", "smoothValue", "effectiveOrder"]);
  checkChoice("bleu", "smooth", o.smooth, ["exp", "floor", "add-k", "none"]);
  checkNumber("bleu", "smoothValue", o.smoothValue, { min: 0 });
}

/** BLEU's sufficient statistics, summed over a corpus. */
export interface BleuStatistics {
  /** Matched n-grams per order 1..4. */
  correct: readonly number[];
  /** Hypothesis n-grams per order 1..4. */
  total: readonly number[];
  /** Hypothesis length in tokens. */
  sysLen: number;
  /** Closest reference length in tokens. */
  refLen: number;
}

/**
 * BLEU from summed sufficient statistics (sacreBLEU `BLEU.compute_bleu`). `correct`/`total` are not
 * modified; the returned `counts`/`totals` include add-k's additions, as sacreBLEU's do.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { computeBleu } from "./bleu.ts";
 * // sacreBLEU test_bleu.py test_case_scoring: 0.8375922397 on the 0–1 scale.
 * const s = computeBleu({ correct: [9, 7, 5, 3], total: [10, 8, 6, 4], sysLen: 11, refLen: 11 }, { smooth: "none" });
 * assert(Math.abs(s.score / 100 - 0.8375922397) < 1e-8);
 * ```
 */
export function computeBleu(
  stats: BleuStatistics,
  options: Pick<BleuOptions, "smooth" | "smoothValue" | "effectiveOrder"> = {},
): BleuScore {
  const { correct, total, sysLen, refLen } = stats;
  const o = { smooth: "none" as BleuSmooth, effectiveOrder: false, ...options };
  checkOptions(o, options);
  const smoothValue = o.smoothValue ?? SMOOTH_VALUE_DEFAULTS[o.smooth];
  const counts = [...correct], totals = [...total];
  const bp = sysLen < refLen ? (sysLen > 0 ? Math.exp(1 - refLen / sysLen) : 0) : 1;
  const precisions = new Array(BLEU_MAX_ORDER).fill(0);
  // sacreBLEU #141: no match at any order is a score of 0, before any smoothing.
  if (!counts.some((c) => c !== 0)) return { score: 0, counts, totals, precisions, bp, sysLen, refLen };

  let smoothMteval = 1;
  let effOrder = BLEU_MAX_ORDER;
  for (let n = 1; n <= BLEU_MAX_ORDER; n++) {
    if (o.smooth === "add-k" && n > 1) {
      counts[n - 1] += smoothValue;
      totals[n - 1] += smoothValue;
    }
    if (totals[n - 1] === 0) break;
    if (o.effectiveOrder) effOrder = n;
    if (counts[n - 1] === 0) {
      if (o.smooth === "exp") {
        smoothMteval *= 2;
        precisions[n - 1] = 100 / (smoothMteval * totals[n - 1]);
      } else if (o.smooth === "floor") {
        precisions[n - 1] = 100 * smoothValue / totals[n - 1];
      }
    } else {
      precisions[n - 1] = 100 * counts[n - 1] / totals[n - 1];
    }
  }
  let logSum = 0;
  for (let i = 0; i < effOrder; i++) logSum += precisions[i] === 0 ? -9999999999 : Math.log(precisions[i]);
  const score = bp * Math.exp(logSum / effOrder);
  return { score, counts, totals, precisions, bp, sysLen, refLen };
}

function preprocess(line: string, o: Required<Omit<BleuOptions, "smoothValue">>): string[] {
  if (o.lowercase) line = line.toLowerCase();
  return pySplit(bleuTokenize(pyRstrip(line), o.tokenize));
}

/**
 * Corpus BLEU, equal to sacreBLEU 2.x `BLEU(**options).corpus_score(hypotheses, references)`.
 *
 * `references[k][i]` is the k-th reference of hypothesis `i` (sacreBLEU's layout); an empty string means
 * "segment i has no k-th reference".
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { bleu } from "./bleu.ts";
 * const r = bleu(["this is a test"], [["this is a test"]]);
 * assert(Math.abs(r.score - 100) < 1e-12 && r.bp === 1);
 * ```
 */
export function bleu(
  hypotheses: readonly string[],
  references: readonly (readonly string[])[],
  options: BleuOptions = {},
): BleuScore {
  const o = { ...BLEU_DEFAULTS, ...options };
  checkOptions(o, options);
  checkSegments("bleu", hypotheses, references);
  let sysLen = 0, refLen = 0;
  const correct = new Array(BLEU_MAX_ORDER).fill(0), total = new Array(BLEU_MAX_ORDER).fill(0);
  for (let i = 0; i < hypotheses.length; i++) {
    const hyp = hypotheses[i];
    if (typeof hyp !== "string") throw new Error(`bleu: hypothesis ${i} is ${hyp}, not a string`);
    const refNgrams: Ngrams = new Map();
    const refLens: number[] = [];
    for (let k = 0; k < references.length; k++) {
      const ref = references[k][i];
      if (ref === undefined || ref === null || ref === "") continue;
      if (typeof ref !== "string") throw new Error(`bleu: reference ${k} of segment ${i} is not a string`);
      const tokens = preprocess(ref, o);
      refLens.push(tokens.length);
      for (const [g, c] of countNgrams(tokens)) if (c > (refNgrams.get(g) ?? 0)) refNgrams.set(g, c);
    }
    if (refLens.length === 0) {
      throw new Error(`bleu: segment ${i} has no non-empty reference (sacreBLEU rejects this too)`);
    }
    const hypTokens = preprocess(hyp, o);
    sysLen += hypTokens.length;
    refLen += closestRefLen(hypTokens.length, refLens);
    for (const [g, c] of countNgrams(hypTokens)) {
      const n = g.split(" ").length - 1;
      total[n] += c;
      correct[n] += Math.min(c, refNgrams.get(g) ?? 0);
    }
  }
  return computeBleu({ correct, total, sysLen, refLen }, o);
}

/**
 * Sentence BLEU with sacreBLEU's sentence-level defaults (exp smoothing, effective order), equal to
 * `sacrebleu.sentence_bleu(hypothesis, references)`.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { sentenceBleu } from "./bleu.ts";
 * // sacreBLEU test_bleu.py effective-order case: "test" vs "a test" scores exp(-1).
 * const s = sentenceBleu("test", ["a test"], { tokenize: "none" });
 * assert(Math.abs(s.score / 100 - Math.exp(-1)) < 1e-12);
 * ```
 */
export function sentenceBleu(
  hypothesis: string,
  references: readonly string[],
  options: BleuOptions = {},
): BleuScore {
  if (typeof hypothesis !== "string") throw new Error("sentenceBleu: hypothesis must be a string");
  if (!Array.isArray(references)) {
    throw new Error("sentenceBleu: references must be an array of strings (one per reference)");
  }
  return bleu([hypothesis], references.map((r) => [r]), { ...SENTENCE_BLEU_DEFAULTS, ...options });
}
