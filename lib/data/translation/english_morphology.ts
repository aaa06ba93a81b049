/**
 * English morphology for the translation generator: verb forms by tense and person with do-support for
 * negation, and the a/an choice by the following word's sound.
 *
 * @module
 */
import type { Person, Tense } from "./french_morphology.ts";

/** Third-person singular present (watch → watches, carry → carries, go → goes). */
export function thirdSingular(base: string): string {
  const [head, ...rest] = base.split(" ");
  let s: string;
  if (head === "have") s = "has";
  else if (/(s|x|z|ch|sh|o)$/.test(head)) s = head + "es";
  else if (/[^aeiou]y$/.test(head)) s = head.slice(0, -1) + "ies";
  else s = head + "s";
  return [s, ...rest].join(" ");
}

const BE_PRESENT = ["am", "are", "is", "are", "are", "are"];
const BE_PAST = ["was", "were", "was", "were", "were", "were"];

/**
 * The English verb group for `tense` and `person` ("you" is person 4, both numbers).
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { englishVerb } from "./english_morphology.ts";
 * assert(englishVerb("eat", "ate", "present", 2, true) === "does not eat");
 * assert(englishVerb("look at", "looked at", "present", 2, false) === "looks at");
 * assert(englishVerb("be", "was", "goingTo", 0, false) === "am going to be");
 * ```
 */
export function englishVerb(
  base: string,
  past: string,
  tense: Tense,
  person: Person,
  negated: boolean,
): string {
  const not = negated ? " not" : "";
  if (base === "be") {
    if (tense === "present") return BE_PRESENT[person] + not;
    if (tense === "past" || tense === "imperfect") return BE_PAST[person] + not;
  }
  switch (tense) {
    case "present":
      if (negated) return `${person === 2 ? "does" : "do"} not ${base}`;
      return person === 2 ? thirdSingular(base) : base;
    case "past":
    case "imperfect":
      return negated ? `did not ${base}` : past;
    case "future":
      return `will${not} ${base}`;
    case "goingTo":
      return `${BE_PRESENT[person]}${not} going to ${base}`;
  }
}

const AN_EXCEPTIONS = new Set(["hour", "honest", "honour", "heir"]);
const A_EXCEPTIONS = /^(uni|use|usu|euro|one|once)/;

/**
 * Turns "a" into "an" before a vowel sound and joins the tokens.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { englishSurface } from "./english_morphology.ts";
 * assert(englishSurface(["a", "apple", "and", "a", "university"]) === "an apple and a university");
 * ```
 */
export function englishSurface(tokens: readonly string[]): string {
  return tokens.map((w, i) => {
    if (w !== "a" || i === tokens.length - 1) return w;
    const next = tokens[i + 1].toLowerCase();
    const vowel = (/^[aeiou]/.test(next) && !A_EXCEPTIONS.test(next)) ||
      AN_EXCEPTIONS.has(next.split(" ")[0]);
    return vowel ? "an" : "a";
  }).join(" ");
}
