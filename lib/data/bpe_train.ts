/**
 * Trains a byte-level BPE vocabulary on a corpus (the algorithm of Sennrich et al. 2016 over GPT-2 bytes).
 *
 * Written by hand because no npm package trains BPE in pure JS (`@huggingface/tokenizers` only loads and
 * encodes; the Rust `tokenizers` bindings are native Node addons). Pair counts are
 * updated incrementally: a merge only revisits the words that contain the merged pair, and the best pair
 * comes from a max-heap with lazy deletion. Ties break on the smaller (left id, right id) pair, so training
 * is deterministic.
 *
 * Ids: 0 `<s>`, 1 `<pad>`, 2 `</s>`, 3 `<unk>`, 4 `<mask>`, then the 256 byte symbols in byte order, then
 * one id per merge.
 *
 * @module
 */
import { checkKeys } from "../util/options.ts";
import { BYTE_TO_CHAR, byteLevelPreTokenize } from "./byte_level.ts";
import {
  type BpeTokenizer,
  createBpeTokenizer,
  mergePair,
  PAIR_BASE,
  SPECIAL_TOKENS,
} from "./bpe_tokenizer.ts";

/** Options for `trainBpe`. */
export interface TrainBpeOptions {
  /** Final vocabulary size, specials and the 256 bytes included (so at least 261). */
  vocabSize?: number;
  /** Pairs seen fewer times than this are never merged (training may stop below `vocabSize`). */
  minFrequency?: number;
  /** Train on at most this many characters, taken from the start of `texts` (0: all). */
  maxChars?: number;
}

/** Defaults: 8k is the largest vocabulary the experiments use; pairs seen once are noise. */
export const TRAIN_BPE_DEFAULTS: Readonly<Required<TrainBpeOptions>> = Object.freeze({
  vocabSize: 8000,
  minFrequency: 2,
  maxChars: 0,
});

/** Max-heap of (count, pair key); ties pop the smaller key first. */
class PairHeap {
  counts: number[] = [];
  keys: number[] = [];
  private above(i: number, j: number) {
    const c = this.counts, k = this.keys;
    return c[i] > c[j] || (c[i] === c[j] && k[i] < k[j]);
  }
  private swap(i: number, j: number) {
    [this.counts[i], this.counts[j]] = [this.counts[j], this.counts[i]];
    [this.keys[i], this.keys[j]] = [this.keys[j], this.keys[i]];
  }
  push(count: number, key: number) {
    this.counts.push(count);
    this.keys.push(key);
    for (let i = this.keys.length - 1; i > 0;) {
      const p = (i - 1) >> 1;
      if (!this.above(i, p)) break;
      this.swap(i, p);
      i = p;
    }
  }
  pop(): [number, number] | undefined {
    if (this.keys.length === 0) return undefined;
    const top: [number, number] = [this.counts[0], this.keys[0]];
    const lastC = this.counts.pop()!, lastK = this.keys.pop()!;
    if (this.keys.length > 0) {
      this.counts[0] = lastC;
      this.keys[0] = lastK;
      for (let i = 0;;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < this.keys.length && this.above(l, m)) m = l;
        if (r < this.keys.length && this.above(r, m)) m = r;
        if (m === i) break;
        this.swap(i, m);
        i = m;
      }
    }
    return top;
  }
}

/**
 * Trains a byte-level BPE tokenizer on `texts`.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { trainBpe } from "./bpe_train.ts";
 * const tok = trainBpe(["the cat sat on the mat", "the cat ate"], { vocabSize: 270 });
 * assert(tok.vocabSize <= 270 && tok.decode(tok.encode("the cat")) === "the cat");
 * assert(tok.encode("the").length === 1); // "the" (3 occurrences) was learned
 * ```
 */
export function trainBpe(texts: Iterable<string>, options: TrainBpeOptions = {}): BpeTokenizer {
  checkKeys("trainBpe", options, ["vocabSize", "minFrequency", "maxChars"]);
  const o = { ...TRAIN_BPE_DEFAULTS, ...options };
  const base = Object.keys(SPECIAL_TOKENS).length + 256;
  if (!Number.isInteger(o.vocabSize) || o.vocabSize < base || o.vocabSize >= PAIR_BASE) {
    throw new Error(`trainBpe: vocabSize must be an integer in [${base}, ${PAIR_BASE}), got ${o.vocabSize}`);
  }
  // Count pre-tokenized words.
  const wordCounts = new Map<string, number>();
  let chars = 0, nTexts = 0;
  for (const text of texts) {
    nTexts++;
    for (const w of byteLevelPreTokenize(text)) wordCounts.set(w, (wordCounts.get(w) ?? 0) + 1);
    chars += text.length;
    if (o.maxChars > 0 && chars >= o.maxChars) break;
  }
  if (chars === 0) {
    throw new Error(`trainBpe: the corpus is empty (${nTexts} texts, 0 characters); pass some text`);
  }

  const tokens: string[] = ["<s>", "<pad>", "</s>", "<unk>", "<mask>", ...BYTE_TO_CHAR];
  const tokenId = new Map(tokens.map((t, i) => [t, i]));
  const words: number[][] = [], freq: number[] = [];
  for (const [w, c] of wordCounts) {
    words.push(Array.from(w, (ch) => tokenId.get(ch)!));
    freq.push(c);
  }
  const pairCount = new Map<number, number>();
  const where = new Map<number, Set<number>>();
  const addPairs = (wi: number, sign: number, touched: Set<number>) => {
    const s = words[wi];
    for (let i = 0; i < s.length - 1; i++) {
      const k = s[i] * PAIR_BASE + s[i + 1];
      pairCount.set(k, (pairCount.get(k) ?? 0) + sign * freq[wi]);
      touched.add(k);
      if (sign > 0) {
        let set = where.get(k);
        if (!set) where.set(k, set = new Set());
        set.add(wi);
      }
    }
  };
  const init = new Set<number>();
  for (let wi = 0; wi < words.length; wi++) addPairs(wi, 1, init);
  const heap = new PairHeap();
  for (const [k, c] of pairCount) heap.push(c, k);

  const merges: [string, string][] = [];
  while (tokens.length < o.vocabSize) {
    const top = heap.pop();
    if (!top) break;
    const [count, key] = top;
    const current = pairCount.get(key) ?? 0;
    if (count !== current) { // stale entry
      if (current > 0) heap.push(current, key);
      continue;
    }
    if (count < o.minFrequency) break;
    const a = Math.floor(key / PAIR_BASE), b = key % PAIR_BASE;
    const str = tokens[a] + tokens[b];
    let m = tokenId.get(str);
    if (m === undefined) {
      m = tokens.length;
      tokens.push(str);
      tokenId.set(str, m);
    }
    merges.push([tokens[a], tokens[b]]);
    const touched = new Set<number>();
    for (const wi of where.get(key) ?? []) {
      const s = words[wi];
      let has = false;
      for (let i = 0; i < s.length - 1; i++) if (s[i] === a && s[i + 1] === b) has = true;
      if (!has) continue;
      addPairs(wi, -1, touched);
      words[wi] = mergePair(s, [a, b], m);
      addPairs(wi, 1, touched);
    }
    where.delete(key);
    pairCount.delete(key);
    for (const k of touched) {
      const c = pairCount.get(k) ?? 0;
      if (c > 0) heap.push(c, k);
      else pairCount.delete(k);
    }
  }
  const vocab: Record<string, number> = {};
  tokens.forEach((t, i) => vocab[t] = i);
  return createBpeTokenizer({ vocab, merges, addPrefixSpace: false }, "trainBpe");
}
