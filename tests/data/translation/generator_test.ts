import { assert, assertEquals, assertThrows } from "@std/assert";
import { generateTranslationCorpus } from "../../../lib/data/translation/generator.ts";
import { NOUNS } from "../../../lib/data/translation/lexicon_nouns.ts";
import { ADJECTIVES } from "../../../lib/data/translation/lexicon_adjectives.ts";
import { VERBS } from "../../../lib/data/translation/lexicon_verbs.ts";
import { POSSESSIVES, PRONOUNS, TIME_ADVERBIALS } from "../../../lib/data/translation/lexicon_misc.ts";
import { conjugate } from "../../../lib/data/translation/french_morphology.ts";

const corpus = generateTranslationCorpus({ seed: 4, train: 5000, validation: 500, test: 500 });
const all = [...corpus.train, ...corpus.validation, ...corpus.test];

Deno.test("the lexicon has at least 500 entries and every verb conjugates in every tense", () => {
  const adverbials = Object.values(TIME_ADVERBIALS).flat().length;
  const size = NOUNS.length + ADJECTIVES.length + VERBS.length + PRONOUNS.length + POSSESSIVES.length +
    adverbials;
  assert(size >= 500, `lexicon has ${size} entries`);
  for (const v of VERBS) {
    for (const t of ["present", "past", "imperfect", "future", "goingTo"] as const) {
      for (const p of [0, 1, 2, 3, 4, 5] as const) assert(conjugate(v.fr, t, p).every((w) => w.length > 0));
    }
  }
});

Deno.test("generateTranslationCorpus() is deterministic per seed with disjoint splits on both sides", () => {
  assertEquals(
    generateTranslationCorpus({ seed: 4, train: 50, validation: 5, test: 5 }).test,
    generateTranslationCorpus({ seed: 4, train: 50, validation: 5, test: 5 }).test,
  );
  assertEquals([corpus.train.length, corpus.validation.length, corpus.test.length], [5000, 500, 500]);
  assertEquals(new Set(all.map((p) => p.src)).size, all.length);
  assertEquals(new Set(all.map((p) => p.tgt)).size, all.length);
  assertThrows(() => generateTranslationCorpus({ train: -1 }), Error, "train must be a non-negative integer");
});

Deno.test("generated French obeys elision, contraction and negation rules in every sentence", () => {
  const aspirated = new Set(NOUNS.filter((n) => n.aspirated).map((n) => n.fr));
  for (const { src, tgt } of all) {
    const words = tgt.toLowerCase().replace(/\.$/, "").split(" ");
    for (let i = 0; i < words.length - 1; i++) {
      if (["le", "la", "je", "ne", "de"].includes(words[i])) {
        assert(
          !/^[aeiouâàéèêîôœh]/.test(words[i + 1]) || aspirated.has(words[i + 1]),
          `no elision in: ${tgt}`,
        );
      }
      assert(
        !(["à", "de"].includes(words[i]) && ["le", "les"].includes(words[i + 1])),
        `no contraction in: ${tgt}`,
      );
    }
    const negFr = /\b(ne|n')/.test(tgt.toLowerCase()) && / pas\b/.test(tgt);
    const negEn = / not |There (is|was|are|were|will be) no /.test(src);
    assertEquals(negFr, negEn, `negation differs: ${src} | ${tgt}`);
    assert(/^[A-Z].*\.$/.test(src) && /^[A-ZÀ-Ü].*\.$/.test(tgt), `capitalised sentences: ${src} | ${tgt}`);
  }
});

Deno.test("numbers and copula adjectives agree: 'two' → 'deux', plural subjects get plural adjectives", () => {
  let checked = 0;
  for (const { src, tgt } of all) {
    if (/^Two /.test(src)) assert(/^Deux /.test(tgt), `${src} | ${tgt}`);
    const m = /^The (\w+) (?:are|were) (\w+)\.$/.exec(src);
    if (m) {
      const adj = ADJECTIVES.find((a) => a.en === m[2])!;
      const noun = NOUNS.find((n) => n.enPlural === m[1])!;
      assert(tgt.endsWith(` ${adj.fr[noun.gender === "f" ? 3 : 2]}.`), `${src} | ${tgt}`);
      checked++;
    }
  }
  assert(checked > 5, `only ${checked} plural copula sentences checked`);
});
