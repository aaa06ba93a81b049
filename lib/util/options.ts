/**
 * Validation of public options objects at the library's boundary: unknown keys are errors that suggest the
 * nearest valid name, and numeric options are checked for NaN, ±Infinity and their accepted range. Every
 * public function that takes an options object calls `checkKeys` once, then the number checks it needs.
 *
 * Errors are `OptionError`s (a `TypeError` subclass for wrongly typed values is not used: one class keeps
 * `catch` simple); the message names the function, the option and the value, and says what is accepted.
 *
 * @module
 */

/** An invalid option: names the function (`where`), the option and what was wrong. */
export class OptionError extends Error {
  /** The option's name, e.g. `"seconds"` or `"model.hiddenSize"`. */
  readonly option: string;
  /** An error about `option` given to `where` (a function or file); `message` says what is wrong and what to do. */
  constructor(where: string, option: string, message: string) {
    super(`${where}: ${message}`);
    this.name = "OptionError";
    this.option = option;
  }
}

/** Levenshtein distance, for "did you mean" suggestions (options are short: O(a·b) is fine). */
function distance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length];
}

/**
 * The closest of `candidates` to `name` (case-insensitive edit distance, or a name that contains the other),
 * or undefined when nothing is plausibly meant.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { nearest } from "./options.ts";
 * assert(nearest("maxSeconds", ["seconds", "seed", "batchSize"]) === "seconds");
 * assert(nearest("zzz", ["seconds", "seed"]) === undefined);
 * ```
 */
export function nearest(name: string, candidates: Iterable<string>): string | undefined {
  const lower = name.toLowerCase();
  let best: string | undefined, bestScore = Infinity;
  for (const c of candidates) {
    const cl = c.toLowerCase();
    let score = distance(lower, cl);
    if (cl.length >= 3 && (lower.includes(cl) || cl.includes(lower))) score = Math.min(score, 1);
    if (score < bestScore) [best, bestScore] = [c, score];
  }
  return best !== undefined && bestScore <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

/**
 * Throws an `OptionError` for the first key of `options` that is not in `known`, suggesting the nearest.
 * `undefined` options pass. `options` that is not a plain object is an error too.
 *
 * @example
 * ```ts
 * import { assertThrows } from "@std/assert";
 * import { checkKeys, OptionError } from "./options.ts";
 * checkKeys("train", { seconds: 5 }, ["seconds", "seed"]);
 * assertThrows(() => checkKeys("train", { maxSeconds: 5 }, ["seconds", "seed"]), OptionError, "did you mean `seconds`");
 * ```
 */
export function checkKeys(where: string, options: unknown, known: Iterable<string>, prefix = ""): void {
  if (options === undefined) return;
  if (options === null || typeof options !== "object" || Array.isArray(options)) {
    throw new OptionError(
      where,
      prefix || "options",
      `${prefix || "options"} must be an object of named options, got ${describe(options)}`,
    );
  }
  const allowed = new Set(known);
  for (const key of Object.keys(options)) {
    if (allowed.has(key)) continue;
    const near = nearest(key, allowed);
    throw new OptionError(
      where,
      prefix + key,
      `unknown option \`${prefix + key}\`${near ? `; did you mean \`${prefix + near}\`?` : ""} (valid: ${
        [...allowed].sort().join(", ")
      })`,
    );
  }
}

/** A short, safe rendering of any value for an error message. */
export function describe(value: unknown): string {
  if (typeof value === "number") return Number.isNaN(value) ? "NaN" : String(value);
  if (typeof value === "string") return JSON.stringify(value.length > 60 ? value.slice(0, 60) + "…" : value);
  if (value === undefined) return "undefined";
  if (typeof value === "bigint") return `${value}n`;
  try {
    const s = JSON.stringify(value);
    return s === undefined ? String(value) : s.length > 80 ? s.slice(0, 80) + "…" : s;
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** Accepted range of a number option. */
export interface NumberRule {
  /** Inclusive lower bound. */
  min?: number;
  /** Exclusive lower bound (e.g. 0 for "positive"). */
  above?: number;
  /** Inclusive upper bound. */
  max?: number;
  /** Exclusive upper bound (e.g. 1 for a probability in [0, 1)). */
  below?: number;
  /** Must be an integer. */
  integer?: boolean;
  /** May be +Infinity (e.g. an unbounded budget together with a step limit). Default false. */
  infinite?: boolean;
}

function ruleText(r: NumberRule): string {
  const kind = r.integer ? "an integer" : "a finite number";
  const lo = r.above !== undefined ? ["(", r.above] : r.min !== undefined ? ["[", r.min] : null;
  const hi = r.below !== undefined ? [r.below, ")"] : r.max !== undefined ? [r.max, "]"] : null;
  const range = lo && hi
    ? ` in ${lo[0]}${lo[1]}, ${hi[0]}${hi[1]}`
    : lo
    ? ` ${lo[0] === "(" ? ">" : "≥"} ${lo[1]}`
    : hi
    ? ` ${hi[1] === ")" ? "<" : "≤"} ${hi[0]}`
    : "";
  return kind + range + (r.infinite ? " (or Infinity)" : "");
}

/**
 * Checks that `value` is a number within `rule`, else throws an `OptionError` naming the option and value.
 * Returns the value, so it can be used inline. `undefined` passes (use defaults before or after).
 *
 * @example
 * ```ts
 * import { assertThrows } from "@std/assert";
 * import { checkNumber, OptionError } from "./options.ts";
 * checkNumber("train", "seconds", 60, { above: 0 });
 * assertThrows(() => checkNumber("train", "seconds", NaN, { above: 0 }), OptionError, "seconds");
 * assertThrows(() => checkNumber("train", "seconds", 0, { above: 0 }), OptionError, "> 0");
 * ```
 */
export function checkNumber<T extends number | undefined>(
  where: string,
  option: string,
  value: T,
  rule: NumberRule = {},
): T {
  if (value === undefined) return value;
  const v = value as number;
  const ok = typeof v === "number" && !Number.isNaN(v) &&
    (Number.isFinite(v) || (rule.infinite === true && v === Infinity)) &&
    (!rule.integer || !Number.isFinite(v) || Number.isInteger(v)) &&
    (rule.min === undefined || v >= rule.min) && (rule.above === undefined || v > rule.above) &&
    (rule.max === undefined || v <= rule.max) && (rule.below === undefined || v < rule.below);
  if (!ok) {
    throw new OptionError(where, option, `\`${option}\` must be ${ruleText(rule)}, got ${describe(value)}`);
  }
  return value;
}

/**
 * Checks that `value` is one of `choices` (strings), else throws an `OptionError` listing them.
 *
 * @example
 * ```ts
 * import { assertThrows } from "@std/assert";
 * import { checkChoice } from "./options.ts";
 * checkChoice("show", "mode", "auto", ["auto", "html"]);
 * assertThrows(() => checkChoice("show", "mode", "pdf", ["auto", "html"]), Error, "mode");
 * ```
 */
export function checkChoice<T extends string>(
  where: string,
  option: string,
  value: T | undefined,
  choices: readonly T[],
): T | undefined {
  if (value === undefined || choices.includes(value)) return value;
  const near = typeof value === "string" ? nearest(value, choices) : undefined;
  throw new OptionError(
    where,
    option,
    `\`${option}\` must be one of ${choices.map((c) => JSON.stringify(c)).join(", ")}, got ${
      describe(value)
    }${near ? `; did you mean ${JSON.stringify(near)}?` : ""}`,
  );
}
