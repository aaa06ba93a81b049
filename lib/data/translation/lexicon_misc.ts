/**
 * The closed-class words of the translation generator: subject pronouns, determiners, time adverbials
 * and cardinal numbers (1–100, built by French's rules: "vingt et un", "soixante-dix", "quatre-vingts").
 *
 * @module
 */
import type { Person, Tense } from "./french_morphology.ts";

/** A subject pronoun: English, French, person, and whether French treats it as feminine. */
export interface Pronoun {
  en: string;
  fr: string;
  person: Person;
  feminine: boolean;
}

/**
 * Subject pronouns. English "you" is rendered as "vous" and "they" as "ils" (English does not mark the
 * distinctions French needs: tu/vous, ils/elles), so the target is always determined by the source.
 */
export const PRONOUNS: readonly Pronoun[] = Object.freeze([
  { en: "I", fr: "je", person: 0, feminine: false },
  { en: "you", fr: "vous", person: 4, feminine: false },
  { en: "he", fr: "il", person: 2, feminine: false },
  { en: "she", fr: "elle", person: 2, feminine: true },
  { en: "we", fr: "nous", person: 3, feminine: false },
  { en: "they", fr: "ils", person: 5, feminine: false },
]);

/** Possessive determiners: English, French masculine singular, feminine singular, plural. */
export const POSSESSIVES: readonly [string, string, string, string][] = Object.freeze([
  ["my", "mon", "ma", "mes"],
  ["your", "votre", "votre", "vos"],
  ["his", "son", "sa", "ses"],
  ["her", "son", "sa", "ses"],
  ["our", "notre", "notre", "nos"],
  ["their", "leur", "leur", "leurs"],
]);

/** Time adverbials by the tense they fit ("yesterday" never goes with the future). */
// deno-fmt-ignore
export const TIME_ADVERBIALS: Readonly<Record<"present" | "past" | "future", [string, string][]>> = Object.freeze({
  present: [
    ["every day", "tous les jours"], ["every morning", "chaque matin"], ["today", "aujourd'hui"],
    ["now", "maintenant"], ["on Sundays", "le dimanche"], ["in the evening", "le soir"], ["every week", "chaque semaine"],
  ],
  past: [
    ["yesterday", "hier"], ["last week", "la semaine dernière"], ["last year", "l'année dernière"],
    ["this morning", "ce matin"], ["last night", "hier soir"], ["two days ago", "il y a deux jours"], ["on Monday", "lundi"],
  ],
  future: [
    ["tomorrow", "demain"], ["next week", "la semaine prochaine"], ["next year", "l'année prochaine"],
    ["tonight", "ce soir"], ["soon", "bientôt"], ["on Friday", "vendredi"], ["next month", "le mois prochain"],
  ],
});

/** The adverbial group for a tense. */
export function adverbialTense(tense: Tense): "present" | "past" | "future" {
  return tense === "present" ? "present" : tense === "past" || tense === "imperfect" ? "past" : "future";
}

// deno-fmt-ignore
const EN_UNITS = ["", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
  "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"];
const EN_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"];
// deno-fmt-ignore
const FR_UNITS = ["", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix", "onze",
  "douze", "treize", "quatorze", "quinze", "seize", "dix-sept", "dix-huit", "dix-neuf"];
const FR_TENS = ["", "", "vingt", "trente", "quarante", "cinquante", "soixante"];

/**
 * An English cardinal 1–100.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { englishNumber } from "./lexicon_misc.ts";
 * assert(englishNumber(42) === "forty-two" && englishNumber(100) === "one hundred");
 * ```
 */
export function englishNumber(n: number): string {
  if (n === 100) return "one hundred";
  if (n < 20) return EN_UNITS[n];
  return EN_TENS[Math.floor(n / 10)] + (n % 10 ? "-" + EN_UNITS[n % 10] : "");
}

/**
 * A French cardinal 1–100 (traditional spelling); `feminine` turns a final "un" into "une".
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { frenchNumber } from "./lexicon_misc.ts";
 * assert(frenchNumber(71) === "soixante et onze" && frenchNumber(80) === "quatre-vingts");
 * assert(frenchNumber(81) === "quatre-vingt-un" && frenchNumber(21, true) === "vingt et une");
 * ```
 */
export function frenchNumber(n: number, feminine = false): string {
  let s: string;
  if (n === 100) s = "cent";
  else if (n < 20) s = FR_UNITS[n];
  else if (n < 70) {
    const u = n % 10;
    s = FR_TENS[Math.floor(n / 10)] + (u === 0 ? "" : u === 1 ? " et un" : "-" + FR_UNITS[u]);
  } else if (n < 80) s = "soixante" + (n === 71 ? " et onze" : "-" + FR_UNITS[n - 60]);
  else if (n === 80) s = "quatre-vingts";
  else s = "quatre-vingt-" + FR_UNITS[n - 80];
  return feminine ? s.replace(/(^|[ -])un$/, "$1une") : s;
}
