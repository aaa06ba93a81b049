/**
 * sacreBLEU 2.x's BLEU tokenizers (`13a`, `intl`, `char`, `none`), ported rule for rule.
 *
 * Written by hand because no npm package reproduces sacreBLEU exactly. Python semantics that JavaScript
 * does not share are reproduced explicitly: `str.split()` / `str.rstrip()` use Python's whitespace set
 * (which includes U+001C–U+001F and U+0085 but not U+FEFF), and regexes run with the `u` flag so they
 * see code points, as Python does. Sources: sacrebleu/tokenizers/tokenizer_13a.py, tokenizer_re.py,
 * tokenizer_intl.py, tokenizer_char.py, tokenizer_none.py (mjpost/sacrebleu).
 *
 * @module
 */

/** The tokenizers `bleu()` accepts, as sacreBLEU names them. */
export type BleuTokenizerName = "13a" | "intl" | "char" | "none";

/** Python's `str.isspace()` characters: what `str.split()` with no argument splits on. */
// deno-lint-ignore no-control-regex -- U+001C..U+001F are whitespace to Python, deliberately
const PY_WS_RUN = /[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/u;
// deno-lint-ignore no-control-regex -- as above
const PY_WS_TRAIL = /[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/u;

/**
 * Python's `line.split()`: whitespace runs separate tokens, leading/trailing whitespace gives no token.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { pySplit } from "./bleu_tokenize.ts";
 * assert(pySplit("  a\x1cb  c ").join("|") === "a|b|c");
 * ```
 */
export function pySplit(line: string): string[] {
  const parts = line.split(PY_WS_RUN);
  const out: string[] = [];
  for (const p of parts) if (p !== "") out.push(p);
  return out;
}

/**
 * Python's `line.rstrip()` (no argument).
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { pyRstrip } from "./bleu_tokenize.ts";
 * assert(pyRstrip("a b \n") === "a b");
 * ```
 */
export function pyRstrip(line: string): string {
  return line.replace(PY_WS_TRAIL, "");
}

// tokenizer_re.py (the 13a post-tokenizer), in order.
const RE_13A: [RegExp, string][] = [
  // ASCII punctuation except . , - (Python's [\{-\~\[-\` -\&\(-\+\:-\@\/], as hex ranges)
  [/([\x7b-\x7e\x5b-\x60\x20-\x26\x28-\x2b\x3a-\x40\x2f])/gu, " $1 "],
  // period and comma unless preceded by a digit
  [/([^0-9])([.,])/gu, "$1 $2 "],
  // period and comma unless followed by a digit
  [/([.,])([^0-9])/gu, " $1 $2"],
  // dash when preceded by a digit
  [/([0-9])(-)/gu, "$1 $2 "],
];

// tokenizer_intl.py: Unicode categories via property escapes (regex's \p{N}, \p{P}, \p{S}).
const RE_INTL: [RegExp, string][] = [
  [/(\P{N})(\p{P})/gu, "$1 $2 "],
  [/(\p{P})(\P{N})/gu, " $1 $2"],
  [/(\p{S})/gu, " $1 "],
];

function applyRules(line: string, rules: [RegExp, string][]): string {
  for (const [re, repl] of rules) line = line.replace(re, repl);
  return pySplit(line).join(" ");
}

/**
 * mteval-v13a tokenization (sacreBLEU's default).
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { tokenize13a } from "./bleu_tokenize.ts";
 * assert(tokenize13a("It costs $3.50, &amp; more.") === "It costs $ 3.50 , & more .");
 * ```
 */
export function tokenize13a(line: string): string {
  line = line.replaceAll("<skipped>", "").replaceAll("-\n", "").replaceAll("\n", " ");
  if (line.includes("&")) {
    line = line.replaceAll("&quot;", '"').replaceAll("&amp;", "&").replaceAll("&lt;", "<")
      .replaceAll("&gt;", ">");
  }
  return applyRules(` ${line} `, RE_13A);
}

/**
 * mteval-v14 international tokenization: split off Unicode punctuation and symbols.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { tokenizeIntl } from "./bleu_tokenize.ts";
 * assert(tokenizeIntl("«Hola», dijo.") === "« Hola » , dijo .");
 * ```
 */
export function tokenizeIntl(line: string): string {
  return applyRules(line, RE_INTL);
}

/**
 * Every code point becomes a token (whitespace disappears when the result is split).
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { tokenizeChar } from "./bleu_tokenize.ts";
 * assert(tokenizeChar("añ😀") === "a ñ 😀");
 * ```
 */
export function tokenizeChar(line: string): string {
  return Array.from(line).join(" ");
}

/**
 * Tokenizes one segment the way sacreBLEU's tokenizer `name` does.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { bleuTokenize } from "./bleu_tokenize.ts";
 * assert(bleuTokenize("Hello, world.", "13a") === "Hello , world .");
 * assert(bleuTokenize("ab c", "char") === "a b   c");
 * ```
 */
export function bleuTokenize(line: string, name: BleuTokenizerName): string {
  switch (name) {
    case "13a":
      return tokenize13a(line);
    case "intl":
      return tokenizeIntl(line);
    case "char":
      return tokenizeChar(line);
    case "none":
      return line;
    default:
      throw new Error(`bleu: unknown tokenize "${name}": use "13a", "intl", "char" or "none"`);
  }
}
