/**
 * The sentence grammar of the translation generator. A sentence is built once as a pair of token lists
 * (English, French) from the same choices, so the French is a translation, not a re-generation.
 *
 * Sentence frames:
 * - transitive:   Subj V Obj [time]            "My sister bought three red apples yesterday."
 * - intransitive: Subj V [in the Place] [time] "The children play in the park."
 * - motion:       Subj V to/at the Place [time] "She went to the market." → "Elle est allée au marché."
 * - copula:       Subj be Adj                   "The houses are old." → "Les maisons sont vieilles."
 * - existential:  There is/are NP in the Place  "There are no cats in the garden." → "Il n'y a pas de chats …"
 * Each may be negated (ne … pas; un/une/des/du → de after negation) and put in the present, the past
 * (passé composé, or imparfait for stative verbs and "be"), the future or the "going to" future.
 *
 * @module
 */
import type { Rng } from "../../util/random.ts";
import { conjugate, type Person, startsWithVowelSound, type Tense } from "./french_morphology.ts";
import { englishVerb } from "./english_morphology.ts";
import { type Noun, NOUNS } from "./lexicon_nouns.ts";
import { type Adjective, ADJECTIVES } from "./lexicon_adjectives.ts";
import { type Verb, VERBS } from "./lexicon_verbs.ts";
import {
  adverbialTense,
  englishNumber,
  frenchNumber,
  POSSESSIVES,
  PRONOUNS,
  TIME_ADVERBIALS,
} from "./lexicon_misc.ts";

/** French words that start with an aspirated h (no elision before them). */
export const ASPIRATED: ReadonlySet<string> = new Set(NOUNS.filter((n) => n.aspirated).map((n) => n.fr));

/** A sentence as token lists, before surface rules. */
export interface SentenceTokens {
  en: string[];
  fr: string[];
}

interface Phrase {
  en: string[];
  fr: string[];
  person: Person;
  feminine: boolean;
  plural: boolean;
}

const MASS = "mdi";
const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[rng.int(xs.length)];

/** Nouns allowed by a class string ("ha") or an explicit list ("@dog,puppy"). */
function nounsFor(spec: string): Noun[] {
  if (spec.startsWith("@")) {
    const names = new Set(spec.slice(1).split(","));
    const found = NOUNS.filter((n) => names.has(n.en));
    if (found.length === 0) throw new Error(`grammar: no noun matches ${spec}`);
    return found;
  }
  return NOUNS.filter((n) => spec.includes(n.cls));
}
const nounCache = new Map<string, Noun[]>();
const cachedNouns = (spec: string) => nounCache.get(spec) ?? nounCache.set(spec, nounsFor(spec)).get(spec)!;

type DetKind = "def" | "indef" | "poss" | "dem" | "num";

/** A noun phrase. `negated` marks the object of a negated verb (un/une/des/du → de). */
function nounPhrase(
  rng: Rng,
  noun: Noun,
  options: { kinds?: DetKind[]; negated?: boolean; adjective?: boolean; forceDef?: boolean } = {},
): Phrase {
  const mass = MASS.includes(noun.cls);
  const kinds: DetKind[] = options.forceDef ? ["def"] : options.kinds ??
    (mass ? ["def", "indef", "indef"] : ["def", "def", "indef", "indef", "poss", "dem", "num"]);
  const kind = pick(rng, kinds);
  const num = kind === "num" ? (rng.next() < 0.7 ? 2 + rng.int(9) : 11 + rng.int(90)) : 0; // mostly small
  const plural = !mass && (kind === "num" || rng.next() < 0.35);
  const fem = noun.gender === "f";
  const adjs = ADJECTIVES.filter((a) => a.classes.includes(noun.cls));
  const adj: Adjective | undefined = options.adjective !== false && adjs.length && rng.next() < 0.35
    ? pick(rng, adjs)
    : undefined;
  const nounFr = plural ? noun.frPlural : noun.fr, nounEn = plural ? noun.enPlural : noun.en;
  let adjFr = adj ? adj.fr[(plural ? 2 : 0) + (fem ? 1 : 0)] : "";
  if (adj && adj.pre && adj.frBeforeVowel && !fem && !plural && startsWithVowelSound(nounFr, ASPIRATED)) {
    adjFr = adj.frBeforeVowel; // un bel arbre
  }
  const frBody = adj ? (adj.pre ? [adjFr, nounFr] : [nounFr, adjFr]) : [nounFr];
  const enBody = adj ? [adj.en, nounEn] : [nounEn];
  let enDet: string[] = [], frDet: string[];
  switch (kind) {
    case "def":
      enDet = ["the"];
      frDet = [plural ? "les" : fem ? "la" : "le"];
      break;
    case "indef":
      if (mass) frDet = options.negated ? ["de"] : ["de", fem ? "la" : "le"];
      else if (options.negated) frDet = ["de"];
      else if (plural) frDet = [adj?.pre ? "de" : "des"]; // de beaux jardins
      else frDet = [fem ? "une" : "un"];
      enDet = mass || plural ? [] : ["a"];
      break;
    case "poss": {
      const p = pick(rng, POSSESSIVES);
      enDet = [p[0]];
      frDet = [plural ? p[3] : fem ? p[2] : p[1]];
      break;
    }
    case "dem":
      enDet = [plural ? "these" : "this"];
      frDet = [plural ? "ces" : fem ? "cette" : "ce"];
      break;
    case "num":
      enDet = [englishNumber(num)];
      frDet = [frenchNumber(num, fem)];
      break;
  }
  return {
    en: [...enDet, ...enBody],
    fr: [...frDet, ...frBody],
    person: plural ? 5 : 2,
    feminine: fem,
    plural,
  };
}

/** A subject: a pronoun (40%) when humans may be subjects, else a noun phrase. */
function subject(rng: Rng, spec: string): Phrase {
  if (!spec.startsWith("@") && spec.includes("h") && rng.next() < 0.4) {
    const p = pick(rng, PRONOUNS);
    return { en: [p.en], fr: [p.fr], person: p.person, feminine: p.feminine, plural: p.person >= 3 };
  }
  const noun = pick(rng, cachedNouns(spec));
  return nounPhrase(rng, noun, { kinds: ["def", "def", "poss", "dem", "num", "indef"] });
}

function pickTense(rng: Rng, stative: boolean): Tense {
  const u = rng.next();
  const t: Tense = u < 0.4 ? "present" : u < 0.7 ? "past" : u < 0.88 ? "future" : "goingTo";
  return stative && t === "past" ? "imperfect" : t;
}

function placePhrase(rng: Rng): Phrase {
  return nounPhrase(rng, pick(rng, cachedNouns("p")), {
    kinds: ["def", "def", "def", "poss"],
    adjective: false,
  });
}

function verbClause(rng: Rng, verb: Verb): SentenceTokens {
  const negated = rng.next() < 0.2;
  const tense = pickTense(rng, verb.stative);
  const subj = subject(rng, verb.subjects);
  const en = [...subj.en, englishVerb(verb.en, verb.enPast, tense, subj.person, negated)];
  const fr = [...subj.fr, ...conjugate(verb.fr, tense, subj.person, { feminine: subj.feminine, negated })];
  if (verb.frame === "t") {
    const obj = nounPhrase(rng, pick(rng, cachedNouns(verb.objects)), { negated });
    en.push(...obj.en);
    fr.push(...obj.fr);
  } else if (verb.frame === "m") {
    const place = placePhrase(rng);
    if (verb.enPrep) en.push(verb.enPrep);
    en.push(...place.en);
    fr.push(...verb.frPrep.replace("'", "' ").split(" "), ...place.fr);
  } else if (rng.next() < 0.5) {
    const place = placePhrase(rng);
    en.push("in", ...place.en);
    fr.push("dans", ...place.fr);
  }
  if (!verb.stative && rng.next() < 0.3) {
    const [e, f] = pick(rng, TIME_ADVERBIALS[adverbialTense(tense)]);
    en.push(e);
    fr.push(f);
  }
  return { en, fr };
}

function copulaClause(rng: Rng): SentenceTokens {
  const adj = pick(rng, ADJECTIVES);
  const subj = subject(rng, adj.classes.replace(/[mdi]/g, "") || "t");
  const negated = rng.next() < 0.2;
  let tense = pickTense(rng, true);
  if (tense === "goingTo") tense = "future";
  const form = adj.fr[(subj.plural ? 2 : 0) + (subj.feminine ? 1 : 0)];
  return {
    en: [...subj.en, englishVerb("be", "was", tense, subj.person, negated), adj.en],
    fr: [...subj.fr, ...conjugate("être", tense, subj.person, { negated }), form],
  };
}

function existentialClause(rng: Rng): SentenceTokens {
  const negated = rng.next() < 0.25;
  let tense = pickTense(rng, true);
  if (tense === "goingTo") tense = "future";
  const noun = pick(rng, cachedNouns("hatfmd"));
  const np = nounPhrase(rng, noun, { kinds: negated ? ["indef"] : ["indef", "indef", "num"], negated });
  const place = placePhrase(rng);
  const be = tense === "present"
    ? (np.plural ? "are" : "is")
    : tense === "future"
    ? "will be"
    : (np.plural ? "were" : "was");
  const avoir = tense === "present" ? "a" : tense === "future" ? "aura" : "avait";
  const enNp = negated && np.en[0] === "a" ? np.en.slice(1) : np.en; // "there is no cat"
  return {
    en: ["there", be, ...(negated ? ["no"] : []), ...enNp, "in", ...place.en],
    fr: ["il", ...(negated ? ["n'", "y", avoir, "pas"] : ["y", avoir]), ...np.fr, "dans", ...place.fr],
  };
}

/**
 * One random sentence pair as token lists (apply `englishSurface` / `frenchSurface` to get text).
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { sentenceTokens } from "./grammar.ts";
 * import { createRng } from "../../util/random.ts";
 * const s = sentenceTokens(createRng(1));
 * assert(s.en.length > 1 && s.fr.length > 1);
 * ```
 */
export function sentenceTokens(rng: Rng): SentenceTokens {
  const u = rng.next();
  if (u < 0.12) return copulaClause(rng);
  if (u < 0.2) return existentialClause(rng);
  return verbClause(rng, pick(rng, VERBS));
}
