/**
 * English→French adjectives for the translation generator.
 *
 * Entry syntax `en|fr[,fem[,mascPl[,femPl[,mascBeforeVowel]]]]|place|classes`: the French masculine
 * singular, with irregular forms spelled out (regular: fem = +e, plural = +s, see `frenchPlural`);
 * `place` is `pre` (before the noun: "une petite maison") or `post` ("une voiture rouge"); `classes` lists
 * the noun classes (see `lexicon_nouns.ts`) the adjective may describe, so "a happy table" is never made.
 *
 * @module
 */
import { frenchPlural } from "./lexicon_nouns.ts";

/** A parsed adjective with all four French forms. */
export interface Adjective {
  en: string;
  /** [masc sing, fem sing, masc plural, fem plural]. */
  fr: [string, string, string, string];
  /** Masculine singular before a vowel sound (beau → bel), when it differs. */
  frBeforeVowel?: string;
  pre: boolean;
  classes: string;
}

/** The raw entries. */
// deno-fmt-ignore
export const ADJECTIVE_ENTRIES: readonly string[] = [
  "big|grand|pre|hatfp", "small|petit|pre|hatfp", "little|petit|pre|ha", "tall|grand|pre|h",
  "good|bon,bonne|pre|hafm", "bad|mauvais,mauvaise,mauvais|pre|hatfm", "beautiful|beau,belle,beaux,belles,bel|pre|hatp",
  "pretty|joli|pre|hatp", "new|nouveau,nouvelle,nouveaux,nouvelles,nouvel|pre|tp", "old|vieux,vieille,vieux,vieilles,vieil|pre|hatp",
  "young|jeune|pre|ha", "long|long,longue|pre|t", "large|gros,grosse,gros|pre|atf", "nice|gentil,gentille|post|ha",
  "red|rouge|post|tf", "blue|bleu|post|t", "green|vert|post|tf", "yellow|jaune|post|tf", "black|noir|post|at",
  "white|blanc,blanche|post|atm", "grey|gris,grise,gris|post|at", "brown|brun|post|at", "pink|rose|post|t", "purple|violet,violette|post|t",
  "happy|heureux,heureuse,heureux|post|ha", "sad|triste|post|ha", "tired|fatigué|post|ha", "angry|fâché|post|ha",
  "hungry|affamé|post|ha", "rich|riche|post|h", "poor|pauvre|post|h", "clever|intelligent|post|ha",
  "kind|aimable|post|h", "polite|poli|post|h", "funny|drôle|post|ha", "shy|timide|post|ha", "brave|courageux,courageuse,courageux|post|ha",
  "lazy|paresseux,paresseuse,paresseux|post|ha", "busy|occupé|post|h", "calm|calme|post|hap", "quiet|silencieux,silencieuse,silencieux|post|hap",
  "famous|célèbre|post|hp", "proud|fier,fière|post|h", "strong|fort|post|ha", "weak|faible|post|ha",
  "fast|rapide|post|a", "slow|lent|post|a", "hot|chaud|post|fmd", "cold|froid|post|fmp", "fresh|frais,fraîche,frais|post|fmd",
  "sweet|sucré|post|fmd", "delicious|délicieux,délicieuse,délicieux|post|fmd", "ripe|mûr|post|f", "expensive|cher,chère|post|tfp",
  "cheap|bon marché,bon marché,bon marché,bon marché|post|t", "heavy|lourd|post|t", "light|léger,légère|post|t", "clean|propre|post|tp",
  "dirty|sale|post|tp", "empty|vide|post|tp", "full|plein|post|tp", "broken|cassé|post|t", "open|ouvert|post|tp",
  "closed|fermé|post|tp", "round|rond|post|t", "square|carré|post|t", "soft|doux,douce,doux|post|at", "hard|dur|post|t",
  "modern|moderne|post|tp", "ancient|ancien,ancienne|post|tp", "honest|honnête|post|h", "noisy|bruyant|post|hap",
  "wet|mouillé|post|at", "dry|sec,sèche|post|t", "dangerous|dangereux,dangereuse,dangereux|post|ap", "useful|utile|post|t",
  "strange|étrange|post|hatp", "friendly|sympathique|post|ha", "wild|sauvage|post|a", "lovely|charmant|post|hp",
  "huge|énorme|post|atp", "tiny|minuscule|post|at", "wide|large|post|tp", "narrow|étroit|post|tp", "deep|profond|post|p",
  "bright|lumineux,lumineuse,lumineux|post|tp", "dark|sombre|post|tp", "sick|malade|post|ha", "healthy|sain|post|ha",
  "French|français,française,français|post|htfm", "English|anglais,anglaise,anglais|post|htfm", "Italian|italien,italienne|post|htfm",
  "German|allemand|post|htm", "Spanish|espagnol|post|htm",
];

/** The parsed adjectives. */
export const ADJECTIVES: readonly Adjective[] = Object.freeze(ADJECTIVE_ENTRIES.map((entry): Adjective => {
  const [en, forms, place, classes] = entry.split("|");
  if (place !== "pre" && place !== "post") {
    throw new Error(`adjective entry ${entry}: place must be pre or post`);
  }
  const f = forms.split(",");
  const ms = f[0];
  const fs = f[1] ?? (ms.endsWith("e") ? ms : ms + "e");
  const mp = f[2] ?? frenchPlural(ms);
  const fp = f[3] ?? fs + "s";
  return { en, fr: [ms, fs, mp, fp], frBeforeVowel: f[4], pre: place === "pre", classes };
}));
