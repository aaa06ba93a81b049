/**
 * Hugging Face `tokenizer.json` for byte-level BPE (RoBERTa / GPT-2 layout): save, load and fingerprint.
 *
 * Written here because no npm package covers training and saving: `@huggingface/tokenizers` (pure JS) and
 * `@huggingface/transformers` both load and encode a tokenizer.json under Deno without downloads (checked),
 * but neither trains or writes one, and transformers pulls in onnxruntime and sharp (~350 MB). The
 * encoder is therefore ours too, and `tests/data/hf_reference_test.ts` checks it against
 * `@huggingface/tokenizers` id for id. Only the parts byte-level BPE uses are
 * read: `model` (type "BPE", `vocab`, `merges` as "a b" strings or [a, b] pairs), `added_tokens`, and
 * `pre_tokenizer` (ByteLevel, directly or inside a Sequence) for `add_prefix_space`. Anything else
 * (WordPiece, Unigram, a normalizer) is rejected with an error that says so.
 *
 * @module
 */
import { removeOrphanTemps, writeFileAtomic } from "../util/atomic_file.ts";
import { sha256Hex } from "../util/hash.ts";
import { type BpeSpec, type BpeTokenizer, createBpeTokenizer, SPECIAL_TOKENS } from "./bpe_tokenizer.ts";

/** Serialises a BPE tokenizer as HF `tokenizer.json` text (RoBERTa's post-processor and decoder). */
export function toTokenizerJson(tok: BpeTokenizer): string {
  const { vocab, merges, addPrefixSpace = false } = tok.spec;
  const specials = new Set<string>(Object.values(SPECIAL_TOKENS));
  const added = Object.entries(vocab).filter(([t]) => specials.has(t)).sort((a, b) => a[1] - b[1])
    .map(([content, id]) => ({
      id,
      content,
      single_word: false,
      lstrip: content === "<mask>",
      rstrip: false,
      normalized: false,
      special: true,
    }));
  const byteLevel = {
    type: "ByteLevel",
    add_prefix_space: addPrefixSpace,
    trim_offsets: true,
    use_regex: true,
  };
  return JSON.stringify({
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: null,
    pre_tokenizer: byteLevel,
    post_processor: {
      type: "RobertaProcessing",
      sep: ["</s>", tok.special.eos],
      cls: ["<s>", tok.special.bos],
      trim_offsets: true,
      add_prefix_space: addPrefixSpace,
    },
    decoder: byteLevel,
    model: {
      type: "BPE",
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: "",
      end_of_word_suffix: "",
      fuse_unk: false,
      byte_fallback: false,
      vocab,
      merges: merges.map(([a, b]) => `${a} ${b}`),
    },
  });
}

// deno-lint-ignore no-explicit-any
type Json = any;

function findByteLevel(pre: Json): Json | undefined {
  if (!pre) return undefined;
  if (pre.type === "ByteLevel") return pre;
  if (pre.type === "Sequence") return (pre.pretokenizers ?? []).map(findByteLevel).find(Boolean);
  return undefined;
}

/**
 * Parses HF `tokenizer.json` text; `source` (a path) is named in errors.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { fromTokenizerJson, toTokenizerJson } from "./tokenizer_json.ts";
 * import { trainBpe } from "./bpe_train.ts";
 * const tok = trainBpe(["low lower lowest"], { vocabSize: 270 });
 * const back = fromTokenizerJson(toTokenizerJson(tok));
 * assert(back.encode("lowest low").join() === tok.encode("lowest low").join());
 * ```
 */
export function fromTokenizerJson(text: string, source = "tokenizer.json"): BpeTokenizer {
  let j: Json;
  try {
    j = JSON.parse(text);
  } catch (e) {
    throw new Error(`${source}: not valid JSON (${(e as Error).message})`);
  }
  const type = j?.model?.type ?? (j?.model?.merges ? "BPE" : undefined);
  if (type !== "BPE") {
    throw new Error(
      `${source}: model.type ${JSON.stringify(type)} is not supported; only byte-level BPE ("BPE") ` +
        `tokenizer.json files load (convert WordPiece/Unigram tokenizers with HF tokenizers first)`,
    );
  }
  if (j.normalizer) {
    throw new Error(
      `${source}: normalizer ${JSON.stringify(j.normalizer.type)} is not supported; byte-level BPE only`,
    );
  }
  const byteLevel = findByteLevel(j.pre_tokenizer);
  if (!byteLevel) {
    throw new Error(
      `${source}: pre_tokenizer must be ByteLevel (got ${JSON.stringify(j.pre_tokenizer?.type ?? null)})`,
    );
  }
  const at = (needle: string) => { // "file:line" of the first occurrence of `needle`, for error messages
    const i = text.indexOf(needle);
    return i < 0 ? source : `${source}:${text.slice(0, i).split("\n").length}`;
  };
  if (j.model.vocab === null || typeof j.model.vocab !== "object" || Array.isArray(j.model.vocab)) {
    throw new Error(`${at('"vocab"')}: model.vocab must be an object of token → id`);
  }
  const vocab: Record<string, number> = {};
  const byId = new Map<number, string>();
  const add = (token: unknown, id: unknown, where: string) => {
    const key = JSON.stringify(token);
    const here = where === "model.vocab" ? `${key}:` : key; // a vocab key, not the same token elsewhere
    if (typeof token !== "string") throw new Error(`${at(where)}: token ${key} in ${where} is not a string`);
    if (typeof id !== "number" || !Number.isInteger(id) || id < 0) {
      throw new Error(`${at(here)}: token ${key} has id ${JSON.stringify(id)}; ids must be integers ≥ 0`);
    }
    const other = byId.get(id);
    if (other !== undefined && other !== token) {
      throw new Error(
        `${at(here)}: id ${id} is given to both ${
          JSON.stringify(other)
        } and ${key}; each id must name one token`,
      );
    }
    byId.set(id, token);
    vocab[token] = id;
  };
  for (const [token, id] of Object.entries(j.model.vocab)) add(token, id, "model.vocab");
  if (j.added_tokens !== undefined && j.added_tokens !== null && !Array.isArray(j.added_tokens)) {
    throw new Error(`${at('"added_tokens"')}: added_tokens must be a list`);
  }
  for (const t of j.added_tokens ?? []) {
    if (t === null || typeof t !== "object") {
      throw new Error(`${at('"added_tokens"')}: an added token is ${JSON.stringify(t)}`);
    }
    const previous = vocab[t.content];
    if (previous !== undefined && previous === t.id) continue;
    if (previous !== undefined) byId.delete(previous);
    add(t.content, t.id, "added_tokens");
  }
  if (j.model.merges !== undefined && !Array.isArray(j.model.merges)) {
    throw new Error(`${at('"merges"')}: model.merges must be a list`);
  }
  const merges: [string, string][] = (j.model.merges ?? []).map((m: string | string[], i: number) => {
    const pair = typeof m === "string" ? m.split(" ") : m;
    if (!Array.isArray(pair) || pair.length !== 2 || pair.some((x) => typeof x !== "string")) {
      throw new Error(
        `${at(JSON.stringify(m))}: model.merges[${i}] ${JSON.stringify(m)} is not a pair of strings`,
      );
    }
    return pair as [string, string];
  });
  const spec: BpeSpec = { vocab, merges, addPrefixSpace: Boolean(byteLevel.add_prefix_space) };
  return createBpeTokenizer(spec, source);
}

/** Writes `tokenizer.json` all-or-nothing (temp file, fsync, rename), removing killed writes' temp files. */
export async function saveTokenizer(tok: BpeTokenizer, path: string): Promise<void> {
  const slash = path.lastIndexOf("/");
  await removeOrphanTemps(slash < 0 ? "." : path.slice(0, slash) || "/");
  await writeFileAtomic(path, toTokenizerJson(tok));
}

/**
 * Reads a HF `tokenizer.json` (byte-level BPE) from disk.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { loadTokenizer, saveTokenizer } from "./tokenizer_json.ts";
 * import { trainBpe } from "./bpe_train.ts";
 * const path = await Deno.makeTempFile({ suffix: ".json" });
 * await saveTokenizer(trainBpe(["a b c a b"], { vocabSize: 265 }), path);
 * assert((await loadTokenizer(path)).vocabSize <= 265);
 * await Deno.remove(path);
 * ```
 */
export async function loadTokenizer(path: string): Promise<BpeTokenizer> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    throw new Error(`tokenizer file ${path} could not be read (${(e as Error).message}); check the path`);
  }
  return fromTokenizerJson(text, path);
}

/** SHA-256 (hex) of the tokenizer's vocabulary and merges: a cache key that changes when encoding would. */
export function tokenizerFingerprint(tok: BpeTokenizer): Promise<string> {
  const { vocab, merges, addPrefixSpace } = tok.spec;
  const canonical = JSON.stringify([
    Object.entries(vocab).sort((a, b) => a[1] - b[1]),
    merges,
    !!addPrefixSpace,
  ]);
  return sha256Hex(canonical);
}
