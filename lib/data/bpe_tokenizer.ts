/**
 * A byte-level BPE tokenizer (GPT-2 / RoBERTa style) built from a vocabulary and a ranked merge list.
 *
 * Encoding: GPT-2 pre-tokens → byte characters → repeatedly apply the lowest-ranked merge present. Words
 * are cached, so encoding a large corpus costs one BPE run per distinct word. Special tokens are never
 * produced by `encode` (text like "<mask>" is encoded as ordinary bytes) and are dropped by `decode`.
 *
 * @module
 */
import type { SpecialIds, Tokenizer } from "./types.ts";
import { BYTE_TO_CHAR, byteLevelDecode, byteLevelPreTokenize } from "./byte_level.ts";

/** The special tokens' surface forms, RoBERTa's spelling. */
export const SPECIAL_TOKENS: Readonly<
  { bos: "<s>"; eos: "</s>"; pad: "<pad>"; mask: "<mask>"; unk: "<unk>" }
> = Object.freeze(
  {
    bos: "<s>",
    eos: "</s>",
    pad: "<pad>",
    mask: "<mask>",
    unk: "<unk>",
  } as const,
);

/** Everything that defines a byte-level BPE tokenizer; what `tokenizer.json` stores. */
export interface BpeSpec {
  /** Token string → id (byte-level characters, plus the special tokens). */
  vocab: Record<string, number>;
  /** Merges in rank order, each a pair of token strings. */
  merges: [string, string][];
  /** Whether a space is prepended to text that does not start with one (RoBERTa: false). */
  addPrefixSpace?: boolean;
}

/** A byte-level BPE tokenizer that also keeps the spec it was built from (for saving). */
export interface BpeTokenizer extends Tokenizer {
  /** The vocabulary and merges this tokenizer was built from (what `tokenizer.json` stores). */
  readonly spec: BpeSpec;
  /** Id → token string. */
  idToToken(id: number): string | undefined;
}

/** A pair of ids (a, b) as one number, a · PAIR_BASE + b: ids stay below 2^21, so the key is exact. */
export const PAIR_BASE = 1 << 21;

/**
 * `syms` with every non-overlapping occurrence of the pair (a, b), left to right, replaced by `merged`: one
 * BPE merge, as encoding applies it and as training applies it to every word that has the pair.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { mergePair } from "./bpe_tokenizer.ts";
 * assertEquals(mergePair([1, 1, 1, 2, 1, 1], [1, 1], 9), [9, 1, 2, 9]);
 * ```
 */
export function mergePair(
  syms: readonly number[],
  [a, b]: readonly [number, number],
  merged: number,
): number[] {
  const next: number[] = [];
  for (let i = 0; i < syms.length; i++) {
    if (i < syms.length - 1 && syms[i] === a && syms[i + 1] === b) {
      next.push(merged);
      i++;
    } else next.push(syms[i]);
  }
  return next;
}

/**
 * Builds a tokenizer from a spec; every special token and all 256 byte characters must be in the vocab.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { createBpeTokenizer } from "./bpe_tokenizer.ts";
 * import { BYTE_TO_CHAR } from "./byte_level.ts";
 * const vocab: Record<string, number> = { "<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3, "<mask>": 4 };
 * BYTE_TO_CHAR.forEach((c, b) => vocab[c] = 5 + b);
 * vocab["hi"] = 261;
 * const tok = createBpeTokenizer({ vocab, merges: [["h", "i"]] });
 * assert(tok.encode("hi").join() === "261" && tok.decode(tok.encode("hi!")) === "hi!");
 * ```
 */
export function createBpeTokenizer(spec: BpeSpec, source = "BPE spec"): BpeTokenizer {
  const vocab = new Map(Object.entries(spec.vocab));
  let vocabSize = 0;
  const inverse: string[] = [];
  for (const [tok, id] of vocab) {
    if (!Number.isInteger(id) || id < 0) {
      throw new Error(`${source}: vocab entry ${JSON.stringify(tok)} has invalid id ${id}`);
    }
    inverse[id] = tok;
    vocabSize = Math.max(vocabSize, id + 1);
  }
  const special = {} as SpecialIds;
  for (const [key, tok] of Object.entries(SPECIAL_TOKENS)) {
    const id = vocab.get(tok);
    if (id === undefined) {
      throw new Error(
        `${source}: special token ${tok} is missing from the vocabulary; add it (added_tokens)`,
      );
    }
    special[key as keyof SpecialIds] = id;
  }
  const specialIds = new Set(Object.values(special));
  for (const c of BYTE_TO_CHAR) {
    if (!vocab.has(c)) {
      throw new Error(
        `${source}: byte symbol ${JSON.stringify(c)} is missing; a byte-level BPE vocab needs all 256`,
      );
    }
  }
  const ranks = new Map<number, number>(); // pair key → rank
  const mergedId = new Map<number, number>();
  spec.merges.forEach(([a, b], rank) => {
    const ia = vocab.get(a), ib = vocab.get(b), im = vocab.get(a + b);
    if (ia === undefined || ib === undefined || im === undefined) {
      throw new Error(`${source}: merge ${rank} "${a} ${b}" uses a token missing from the vocabulary`);
    }
    const key = ia * PAIR_BASE + ib;
    if (!ranks.has(key)) {
      ranks.set(key, rank);
      mergedId.set(key, im);
    }
  });
  const cache = new Map<string, number[]>();

  function bpe(word: string): number[] {
    const hit = cache.get(word);
    if (hit) return hit;
    let syms: number[] = [];
    for (const c of word) syms.push(vocab.get(c)!);
    while (syms.length > 1) {
      let best = -1, bestRank = Infinity;
      for (let i = 0; i < syms.length - 1; i++) {
        const r = ranks.get(syms[i] * PAIR_BASE + syms[i + 1]);
        if (r !== undefined && r < bestRank) [bestRank, best] = [r, i];
      }
      if (best < 0) break;
      const a = syms[best], b = syms[best + 1];
      syms = mergePair(syms, [a, b], mergedId.get(a * PAIR_BASE + b)!);
    }
    if (cache.size < 1_000_000) cache.set(word, syms);
    return syms;
  }

  return {
    vocabSize,
    special: Object.freeze(special),
    spec,
    idToToken: (id) => inverse[id],
    encode(text) {
      const out: number[] = [];
      for (const w of byteLevelPreTokenize(text, spec.addPrefixSpace ?? false)) {
        for (const id of bpe(w)) out.push(id);
      }
      return out;
    },
    decode(ids) {
      let s = "";
      for (const id of ids) {
        if (specialIds.has(id)) continue;
        const t = inverse[id];
        if (t === undefined) throw new Error(`decode: id ${id} is not in the vocabulary (size ${vocabSize})`);
        s += t;
      }
      return byteLevelDecode(s);
    },
  };
}
