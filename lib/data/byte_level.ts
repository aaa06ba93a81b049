/**
 * Byte-level pre-tokenization as in GPT-2 and RoBERTa: text is split by the GPT-2 regex, then every UTF-8
 * byte is shown as one printable character, so a vocabulary over those characters can encode any text.
 *
 * Written by hand (about 40 lines) as part of the BPE trainer, which no npm package provides; the
 * byte↔character table is the one in GPT-2's `encoder.py`, and encodings are checked against Hugging Face's
 * JS implementation in `tests/data/hf_reference_test.ts`.
 *
 * @module
 */

/** The GPT-2 pre-tokenizer pattern (contractions, letters, digits, other symbols, whitespace runs). */
export const GPT2_PATTERN = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

function buildByteTable(): string[] {
  const keep: number[] = [];
  for (let b = 33; b <= 126; b++) keep.push(b);
  for (let b = 161; b <= 172; b++) keep.push(b);
  for (let b = 174; b <= 255; b++) keep.push(b);
  const table = new Array<string>(256);
  let extra = 0;
  for (let b = 0; b < 256; b++) {
    table[b] = String.fromCharCode(keep.includes(b) ? b : 256 + extra++);
  }
  return table;
}

/** `BYTE_TO_CHAR[b]` is the printable character standing for byte `b` (space is `Ġ`, newline `Ċ`). */
export const BYTE_TO_CHAR: readonly string[] = Object.freeze(buildByteTable());

/** Inverse of `BYTE_TO_CHAR`. */
export const CHAR_TO_BYTE: ReadonlyMap<string, number> = new Map(BYTE_TO_CHAR.map((c, b) => [c, b]));

const encoder = new TextEncoder();

/**
 * Splits text into GPT-2 pre-tokens, each already mapped to byte-level characters.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { byteLevelPreTokenize } from "./byte_level.ts";
 * assert(byteLevelPreTokenize("Hi there").join("|") === "Hi|Ġthere");
 * ```
 */
export function byteLevelPreTokenize(text: string, addPrefixSpace = false): string[] {
  if (addPrefixSpace && !text.startsWith(" ")) text = " " + text;
  const out: string[] = [];
  for (const m of text.matchAll(GPT2_PATTERN)) {
    let s = "";
    for (const b of encoder.encode(m[0])) s += BYTE_TO_CHAR[b];
    out.push(s);
  }
  return out;
}

/**
 * Byte-level characters back to text (invalid UTF-8 becomes U+FFFD, as in HF's decoder).
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { byteLevelDecode, byteLevelPreTokenize } from "./byte_level.ts";
 * assert(byteLevelDecode(byteLevelPreTokenize("née 😀").join("")) === "née 😀");
 * ```
 */
export function byteLevelDecode(chars: string): string {
  const bytes = new Uint8Array(chars.length);
  let n = 0;
  for (const c of chars) {
    const b = CHAR_TO_BYTE.get(c);
    if (b === undefined) {
      throw new Error(`byteLevelDecode: character ${JSON.stringify(c)} is not a byte symbol`);
    }
    bytes[n++] = b;
  }
  return new TextDecoder().decode(bytes.subarray(0, n));
}
