/**
 * French morphology for the translation generator: verb conjugation (present, passé composé, futur simple,
 * imparfait, futur proche) and the surface rules applied to a finished token list: elision (je → j',
 * le/la → l', ne → n', de → d'), contraction (à le → au, à les → aux, de le → du, de les → des) and the
 * determiner forms before a vowel (ce → cet, ma → mon).
 *
 * Persons are 0 je, 1 tu, 2 il/elle, 3 nous, 4 vous, 5 ils/elles.
 *
 * @module
 */

/** Grammatical person index 0–5. */
export type Person = 0 | 1 | 2 | 3 | 4 | 5;

/** The tenses the generator uses; `past` is the passé composé, `imperfect` the imparfait. */
export type Tense = "present" | "past" | "imperfect" | "future" | "goingTo";

interface Irregular {
  present: string[];
  participle: string;
  futureStem: string;
}

/** Irregular verbs: six present forms | participle | future stem. */
const IRREGULAR_ENTRIES: Record<string, string> = {
  être: "suis es est sommes êtes sont|été|ser",
  avoir: "ai as a avons avez ont|eu|aur",
  aller: "vais vas va allons allez vont|allé|ir",
  faire: "fais fais fait faisons faites font|fait|fer",
  prendre: "prends prends prend prenons prenez prennent|pris|prendr",
  apprendre: "apprends apprends apprend apprenons apprenez apprennent|appris|apprendr",
  comprendre: "comprends comprends comprend comprenons comprenez comprennent|compris|comprendr",
  venir: "viens viens vient venons venez viennent|venu|viendr",
  revenir: "reviens reviens revient revenons revenez reviennent|revenu|reviendr",
  tenir: "tiens tiens tient tenons tenez tiennent|tenu|tiendr",
  voir: "vois vois voit voyons voyez voient|vu|verr",
  vouloir: "veux veux veut voulons voulez veulent|voulu|voudr",
  lire: "lis lis lit lisons lisez lisent|lu|lir",
  écrire: "écris écris écrit écrivons écrivez écrivent|écrit|écrir",
  boire: "bois bois boit buvons buvez boivent|bu|boir",
  peindre: "peins peins peint peignons peignez peignent|peint|peindr",
  partir: "pars pars part partons partez partent|parti|partir",
  sortir: "sors sors sort sortons sortez sortent|sorti|sortir",
  dormir: "dors dors dort dormons dormez dorment|dormi|dormir",
  sentir: "sens sens sent sentons sentez sentent|senti|sentir",
  courir: "cours cours court courons courez courent|couru|courr",
  ouvrir: "ouvre ouvres ouvre ouvrons ouvrez ouvrent|ouvert|ouvrir",
  cueillir: "cueille cueilles cueille cueillons cueillez cueillent|cueilli|cueiller",
  connaître: "connais connais connaît connaissons connaissez connaissent|connu|connaîtr",
  recevoir: "reçois reçois reçoit recevons recevez reçoivent|reçu|recevr",
  construire: "construis construis construit construisons construisez construisent|construit|construir",
  conduire: "conduis conduis conduit conduisons conduisez conduisent|conduit|conduir",
  suivre: "suis suis suit suivons suivez suivent|suivi|suivr",
  poursuivre: "poursuis poursuis poursuit poursuivons poursuivez poursuivent|poursuivi|poursuivr",
  rire: "ris ris rit rions riez rient|ri|rir",
  sourire: "souris souris sourit sourions souriez sourient|souri|sourir",
  envoyer: "envoie envoies envoie envoyons envoyez envoient|envoyé|enverr",
};

const IRREGULAR: Record<string, Irregular> = Object.fromEntries(
  Object.entries(IRREGULAR_ENTRIES).map(([inf, spec]) => {
    const [present, participle, futureStem] = spec.split("|");
    return [inf, { present: present.split(" "), participle, futureStem }];
  }),
);

/** Second-group verbs (finir: nous finissons). Every other -ir verb used is in the irregular table. */
const SECOND_GROUP = new Set([
  "finir",
  "choisir",
  "remplir",
  "nourrir",
  "grandir",
  "réfléchir",
  "rougir",
  "réussir",
]);

/** Verbs that take être in the passé composé (the "maison d'être" verbs the lexicon uses). */
// deno-fmt-ignore
export const ETRE_VERBS = new Set([
  "aller", "venir", "revenir", "arriver", "partir", "sortir", "entrer", "rester", "tomber", "retourner",
  "monter", "descendre", "devenir",
]);

function firstGroupPresent(inf: string): string[] {
  const stem = inf.slice(0, -2);
  const endings = ["e", "es", "e", "ons", "ez", "ent"];
  return endings.map((end, p) => {
    let s = stem;
    const strong = p === 0 || p === 1 || p === 2 || p === 5; // stressed stem: je, tu, il, ils
    if (p === 3 && s.endsWith("g")) s += "e"; // mangeons
    if (p === 3 && s.endsWith("c")) s = s.slice(0, -1) + "ç"; // commençons
    if (strong) {
      if (/(oy|uy)$/.test(s)) s = s.slice(0, -1) + "i"; // nettoie
      else if (/(appel|jet)$/.test(s)) s = s + s.slice(-1); // appelle, jette
      else s = s.replace(/[eé](ch|[^aeiouyéèê])$/, "è$1"); // achète, préfère (not entre, reste)
    }
    return s + end;
  });
}

function futureStem(inf: string): string {
  const irr = IRREGULAR[inf];
  if (irr) return irr.futureStem;
  if (inf.endsWith("re")) return inf.slice(0, -1);
  if (inf.endsWith("er")) {
    const stem = inf.slice(0, -2);
    if (/(oy|uy)$/.test(stem)) return stem.slice(0, -1) + "ier"; // nettoierai
    if (/(appel|jet)$/.test(stem)) return stem + stem.slice(-1) + "er"; // appellerai
    return stem.replace(/e(ch|[^aeiouyéèê])$/, "è$1") + "er"; // achèterai (préférerai keeps é)
  }
  return inf;
}

/** The six present-tense forms of a verb. */
export function presentForms(inf: string): string[] {
  const irr = IRREGULAR[inf];
  if (irr) return irr.present;
  if (inf.endsWith("er")) return firstGroupPresent(inf);
  const stem = inf.slice(0, -2);
  if (SECOND_GROUP.has(inf)) return ["is", "is", "it", "issons", "issez", "issent"].map((e) => stem + e);
  if (inf.endsWith("re")) return ["s", "s", "", "ons", "ez", "ent"].map((e) => stem + e); // vendre
  throw new Error(`french_morphology: no conjugation for "${inf}"; add it to the irregular table`);
}

/** The past participle (masculine singular). */
export function participle(inf: string): string {
  const irr = IRREGULAR[inf];
  if (irr) return irr.participle;
  if (inf.endsWith("er")) return inf.slice(0, -2) + "é";
  if (SECOND_GROUP.has(inf)) return inf.slice(0, -1);
  if (inf.endsWith("re")) return inf.slice(0, -2) + "u";
  throw new Error(`french_morphology: no participle for "${inf}"`);
}

const FUTURE_ENDINGS = ["ai", "as", "a", "ons", "ez", "ont"];
const IMPERFECT_ENDINGS = ["ais", "ais", "ait", "ions", "iez", "aient"];

/**
 * The conjugated verb as tokens (auxiliary first), agreeing a passé-composé participle with the subject
 * when the auxiliary is être. `negated` wraps the first token in ne … pas.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { conjugate } from "./french_morphology.ts";
 * assert(conjugate("aller", "past", 2, { feminine: true }).join(" ") === "est allée");
 * assert(conjugate("manger", "present", 3).join(" ") === "mangeons");
 * assert(conjugate("finir", "future", 0, { negated: true }).join(" ") === "ne finirai pas");
 * ```
 */
export function conjugate(
  inf: string,
  tense: Tense,
  person: Person,
  options: { feminine?: boolean; negated?: boolean } = {},
): string[] {
  let words: string[];
  if (tense === "present") words = [presentForms(inf)[person]];
  else if (tense === "future") words = [futureStem(inf) + FUTURE_ENDINGS[person]];
  else if (tense === "imperfect") {
    let stem = inf === "être" ? "ét" : presentForms(inf)[3].replace(/ons$/, "");
    if (person === 3 || person === 4) stem = stem.replace(/ge$/, "g").replace(/ç$/, "c"); // mangions, lancions
    words = [stem + IMPERFECT_ENDINGS[person]];
  } else if (tense === "goingTo") words = [presentForms("aller")[person], inf];
  else {
    const etre = ETRE_VERBS.has(inf);
    let part = participle(inf);
    if (etre) part += (options.feminine ? "e" : "") + (person >= 3 ? "s" : "");
    words = [presentForms(etre ? "être" : "avoir")[person], part];
  }
  return options.negated ? ["ne", words[0], "pas", ...words.slice(1)] : words;
}

/** Words beginning with a vowel sound (a mute h counts; `aspirated` lists the exceptions). */
export function startsWithVowelSound(word: string, aspirated: ReadonlySet<string> = new Set()): boolean {
  return /^[aeiouâàäéèêëîïôöûùüœæh]/i.test(word) && !aspirated.has(word.toLowerCase().split(" ")[0]);
}

const ELIDING = new Set(["je", "le", "la", "ne", "de", "que"]);

/**
 * Applies elision, contraction and pre-vowel determiner forms to a token list and joins it.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { frenchSurface } from "./french_morphology.ts";
 * assert(frenchSurface(["je", "ne", "vais", "pas", "à", "le", "marché"]) === "je ne vais pas au marché");
 * assert(frenchSurface(["ma", "amie", "boit", "de", "le", "eau"]) === "mon amie boit de l'eau");
 * assert(frenchSurface(["le", "hibou"], new Set(["hibou"])) === "le hibou");
 * ```
 */
export function frenchSurface(tokens: readonly string[], aspirated: ReadonlySet<string> = new Set()): string {
  const t = [...tokens];
  for (let i = 0; i < t.length - 1; i++) {
    const vowel = startsWithVowelSound(t[i + 1], aspirated);
    if (!vowel) continue;
    if (ELIDING.has(t[i])) t[i] = t[i].slice(0, -1) + "'";
    else if (t[i] === "ce") t[i] = "cet";
    else if (t[i] === "ma" || t[i] === "ta" || t[i] === "sa") t[i] = t[i][0] + "on";
  }
  const out: string[] = [];
  for (const w of t) {
    const prev = out[out.length - 1];
    if (prev === "à" && (w === "le" || w === "les")) out[out.length - 1] = w === "le" ? "au" : "aux";
    else if (prev === "de" && (w === "le" || w === "les")) out[out.length - 1] = w === "le" ? "du" : "des";
    else out.push(w);
  }
  return out.join(" ").replace(/' /g, "'");
}
