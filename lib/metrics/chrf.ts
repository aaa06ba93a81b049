/**
 * chrF and chrF++ exactly as sacreBLEU 2.x computes them (sacrebleu/metrics/chrf.py, metrics/helpers.py).
 *
 * Character n-grams (orders 1..charOrder, whitespace removed unless `whitespace`) and optionally word n-grams
 * (orders 1..wordOrder, chrF++) give per-order [hyp, ref, match] counts; with several references a segment
 * takes the statistics of the reference with the best sentence-level F-score (first wins ties). Corpus
 * statistics are summed, then turned into an F-beta score averaged over orders (`effective order`, sacreBLEU's
 * default) or chrF++.py's epsilon smoothing. Strings are handled as code points, as Python does.
 *
 * @module
 */
import { checkKeys, checkNumber, OptionError } from "../util/options.ts";
import { pySplit } from "./bleu_tokenize.ts";
import { checkSegments } from "./segments.ts";

/** Options of `chrf()`; defaults are sacreBLEU's `CHRF()` defaults (chrF2, 6 character orders, no words). */
export interface ChrfOptions {
  /** Character n-gram order. Default 6. */
  charOrder?: number;
  /** Word n-gram order; 2 gives chrF++. Default 0. */
  wordOrder?: number;
  /** Recall weight β. Default 2. */
  beta?: number;
  /** Lowercase hypotheses and references before counting. Default false. */
  lowercase?: boolean;
  /** Keep whitespace inside character n-grams. Default false. */
  whitespace?: boolean;
  /** chrF++.py / NLTK epsilon smoothing instead of effective-order averaging. Default false. */
  epsSmoothing?: boolean;
}

/** Frozen defaults (sacreBLEU 2.x). */
export const CHRF_DEFAULTS: Readonly<Required<ChrfOptions>> = Object.freeze({
  charOrder: 6,
  wordOrder: 0,
  beta: 2,
  lowercase: false,
  whitespace: false,
  epsSmoothing: false,
});

type Counts = Map<string, number>;
const PUNCTS = new Set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~");

function count(items: string[]): Counts {
  const m: Counts = new Map();
  for (const s of items) m.set(s, (m.get(s) ?? 0) + 1);
  return m;
}

/** chrF's primitive word split: a word's final, else initial, ASCII punctuation mark is separated. */
function removePunctuation(sent: string): string[] {
  const out: string[] = [];
  for (const w of pySplit(sent)) {
    const cps = Array.from(w);
    if (cps.length === 1) out.push(w);
    else if (PUNCTS.has(cps[cps.length - 1])) out.push(cps.slice(0, -1).join(""), cps[cps.length - 1]);
    else if (PUNCTS.has(cps[0])) out.push(cps[0], cps.slice(1).join(""));
    else out.push(w);
  }
  return out;
}

function allNgrams(line: string, o: Required<ChrfOptions>): Counts[] {
  const chars = Array.from(o.whitespace ? line : pySplit(line).join(""));
  const counters: Counts[] = [];
  for (let n = 1; n <= o.charOrder; n++) {
    const grams: string[] = [];
    for (let i = 0; i + n <= chars.length; i++) grams.push(chars.slice(i, i + n).join(""));
    counters.push(count(grams));
  }
  if (o.wordOrder > 0) {
    const words = removePunctuation(line);
    for (let n = 1; n <= o.wordOrder; n++) {
      const grams: string[] = [];
      for (let i = 0; i + n <= words.length; i++) grams.push(words.slice(i, i + n).join(" "));
      counters.push(count(grams));
    }
  }
  return counters;
}

function matchStats(hyp: Counts, ref: Counts): [number, number, number] {
  let match = 0, hypCount = 0, refCount = 0;
  for (const [g, c] of hyp) {
    hypCount += c;
    const r = ref.get(g);
    if (r !== undefined) match += Math.min(c, r);
  }
  for (const c of ref.values()) refCount += c;
  return [ref.size > 0 ? hypCount : 0, refCount, match];
}

/** sacreBLEU `CHRF._compute_f_score`: statistics are [hyp, ref, match] per order. */
function fScore(stats: number[], o: Required<ChrfOptions>): number {
  const eps = 1e-16, factor = o.beta ** 2, order = o.charOrder + o.wordOrder;
  let score = 0, effective = 0, avgPrec = 0, avgRec = 0;
  for (let i = 0; i < order; i++) {
    const [nHyp, nRef, nMatch] = stats.slice(3 * i, 3 * i + 3);
    const prec = nHyp > 0 ? nMatch / nHyp : eps;
    const rec = nRef > 0 ? nMatch / nRef : eps;
    const denom = factor * prec + rec;
    score += denom > 0 ? (1 + factor) * prec * rec / denom : eps;
    if (nHyp > 0 && nRef > 0) {
      avgPrec += prec;
      avgRec += rec;
      effective++;
    }
  }
  if (o.epsSmoothing) return 100 * score / order;
  if (effective === 0) avgPrec = avgRec = 0;
  else {
    avgPrec /= effective;
    avgRec /= effective;
  }
  if (avgPrec + avgRec) return 100 * ((1 + factor) * avgPrec * avgRec) / (factor * avgPrec + avgRec);
  return 0;
}

/**
 * Corpus chrF (0–100), equal to sacreBLEU 2.x `CHRF(**options).corpus_score(hypotheses, references)`, with
 * `references[k][i]` the k-th reference of hypothesis i (empty string: no such reference).
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { chrf } from "./chrf.ts";
 * // sacreBLEU test_chrf.py (effective order, β = 3): "aa" vs "ab" scores 25.
 * assert(Math.abs(chrf(["aa"], [["ab"]], { beta: 3 }) - 25) < 1e-9);
 * ```
 */
export function chrf(
  hypotheses: readonly string[],
  references: readonly (readonly string[])[],
  options: ChrfOptions = {},
): number {
  checkKeys("chrf", options, Object.keys(CHRF_DEFAULTS));
  const o = { ...CHRF_DEFAULTS, ...options };
  for (const k of ["charOrder", "wordOrder"] as const) {
    checkNumber("chrf", k, o[k], { min: 0, integer: true });
  }
  checkNumber("chrf", "beta", o.beta, { above: 0 });
  if (o.charOrder + o.wordOrder === 0) {
    throw new OptionError("chrf", "charOrder", "charOrder + wordOrder must be > 0");
  }
  checkSegments("chrf", hypotheses, references);
  const prep = (s: string) => (o.lowercase ? s.toLowerCase() : s);
  const total = new Array(3 * (o.charOrder + o.wordOrder)).fill(0);
  for (let i = 0; i < hypotheses.length; i++) {
    const refs = references.map((s) => s[i]).filter((r) => r !== undefined && r !== null && r !== "");
    if (refs.length === 0) throw new Error(`chrf: segment ${i} has no non-empty reference`);
    const hyp = allNgrams(prep(hypotheses[i]), o);
    let best: number[] = [], bestF = -1;
    for (const ref of refs) {
      const r = allNgrams(prep(ref), o);
      const stats = hyp.flatMap((h, n) => matchStats(h, r[n]));
      const f = fScore(stats, o);
      if (f > bestF) {
        bestF = f;
        best = stats;
      }
    }
    best.forEach((v, j) => (total[j] += v));
  }
  return fScore(total, o);
}

/**
 * Sentence chrF: `chrf([hypothesis], references.map((r) => [r]), options)`.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { sentenceChrf } from "./chrf.ts";
 * assert(sentenceChrf("a b c", ["a b c"]) === 100);
 * ```
 */
export function sentenceChrf(
  hypothesis: string,
  references: readonly string[],
  options: ChrfOptions = {},
): number {
  if (!Array.isArray(references)) throw new Error("sentenceChrf: references must be an array of strings");
  return chrf([hypothesis], references.map((r) => [r]), options);
}
