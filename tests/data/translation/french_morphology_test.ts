import { assertEquals } from "@std/assert";
import {
  conjugate,
  frenchSurface,
  type Person,
  type Tense,
} from "../../../lib/data/translation/french_morphology.ts";
import { englishNumber, frenchNumber } from "../../../lib/data/translation/lexicon_misc.ts";
import { englishSurface, englishVerb } from "../../../lib/data/translation/english_morphology.ts";

Deno.test("conjugate() matches a hand-checked table (Bescherelle forms)", () => {
  // deno-fmt-ignore
  const table: [string, Tense, Person, string, boolean?][] = [
    ["manger", "present", 3, "mangeons"], ["lancer", "present", 3, "lançons"], ["acheter", "present", 0, "achète"],
    ["acheter", "future", 0, "achèterai"], ["appeler", "present", 2, "appelle"], ["préférer", "present", 5, "préfèrent"],
    ["préférer", "present", 3, "préférons"], ["nettoyer", "present", 0, "nettoie"], ["nettoyer", "future", 2, "nettoiera"],
    ["entrer", "present", 0, "entre"], ["rester", "future", 3, "resterons"], ["finir", "present", 5, "finissent"],
    ["vendre", "present", 2, "vend"], ["vendre", "future", 4, "vendrez"], ["boire", "present", 5, "boivent"],
    ["voir", "future", 0, "verrai"], ["envoyer", "future", 1, "enverras"], ["prendre", "past", 2, "a pris"],
    ["aller", "past", 2, "est allée", true], ["venir", "past", 3, "sommes venus"], ["être", "imperfect", 5, "étaient"],
    ["avoir", "imperfect", 0, "avais"], ["finir", "imperfect", 3, "finissions"], ["manger", "imperfect", 0, "mangeais"], ["manger", "imperfect", 3, "mangions"],
    ["lancer", "imperfect", 2, "lançait"], ["lancer", "imperfect", 4, "lanciez"], ["aller", "goingTo", 4, "allez aller"],
    ["connaître", "present", 2, "connaît"], ["recevoir", "present", 5, "reçoivent"], ["ouvrir", "past", 0, "ai ouvert"],
  ];
  for (const [inf, tense, person, expected, feminine] of table) {
    assertEquals(
      conjugate(inf, tense, person, { feminine }).join(" "),
      expected,
      `${inf} ${tense} ${person}`,
    );
  }
  assertEquals(conjugate("tomber", "past", 5, { negated: true }).join(" "), "ne sont pas tombés");
});

Deno.test("frenchSurface() elides, contracts and picks pre-vowel determiner forms", () => {
  // deno-fmt-ignore
  const cases: [string[], string][] = [
    [["je", "ai", "le", "hôtel"], "j'ai l'hôtel"], [["le", "hibou"], "le hibou"], [["la", "ancienne", "école"], "l'ancienne école"],
    [["à", "le", "marché"], "au marché"], [["à", "les", "parcs"], "aux parcs"], [["à", "la", "gare"], "à la gare"],
    [["à", "le", "hôpital"], "à l'hôpital"], [["de", "le", "pain"], "du pain"], [["de", "les", "rivières"], "des rivières"],
    [["ce", "arbre"], "cet arbre"], [["sa", "amie"], "son amie"], [["il", "ne", "est", "pas"], "il n'est pas"],
    [["pas", "de", "eau"], "pas d'eau"], [["jusqu'", "à", "le", "zoo"], "jusqu'au zoo"],
  ];
  for (const [tokens, expected] of cases) assertEquals(frenchSurface(tokens, new Set(["hibou"])), expected);
});

Deno.test("numbers follow French and English spelling rules", () => {
  // deno-fmt-ignore
  const fr: [number, string][] = [[17, "dix-sept"], [21, "vingt et un"], [22, "vingt-deux"], [70, "soixante-dix"],
    [71, "soixante et onze"], [80, "quatre-vingts"], [81, "quatre-vingt-un"], [91, "quatre-vingt-onze"],
    [99, "quatre-vingt-dix-neuf"], [100, "cent"]];
  for (const [n, s] of fr) assertEquals(frenchNumber(n), s);
  assertEquals(frenchNumber(41, true), "quarante et une");
  assertEquals(frenchNumber(1, true), "une");
  assertEquals([englishNumber(13), englishNumber(40), englishNumber(99)], [
    "thirteen",
    "forty",
    "ninety-nine",
  ]);
});

Deno.test("English verb groups use do-support and agree with the subject", () => {
  assertEquals(englishVerb("watch", "watched", "present", 2, false), "watches");
  assertEquals(englishVerb("carry", "carried", "present", 2, false), "carries");
  assertEquals(englishVerb("go", "went", "present", 2, false), "goes");
  assertEquals(englishVerb("have", "had", "present", 5, true), "do not have");
  assertEquals(englishVerb("go", "went", "past", 0, true), "did not go");
  assertEquals(englishVerb("be", "was", "past", 4, false), "were");
  assertEquals(
    englishSurface(["a", "hour", "and", "a", "honest", "man", "and", "a", "European"]),
    "an hour and an honest man and a European",
  );
});
