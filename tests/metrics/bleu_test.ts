/**
 * BLEU against sacreBLEU 2.x. Expected values come from two independent sources:
 * - sacreBLEU's own published test cases (mjpost/sacrebleu test/test_bleu.py and test/test_sentence_bleu.py;
 *   `raw_corpus_bleu` there is floor smoothing + tokenize "none" + effective order, see sacrebleu/compat.py);
 * - cases derived here by hand from sacreBLEU's documented formulas (n-gram counts worked out in comments).
 * Tolerance: sacreBLEU's own (1e-8 on the 0–1 scale for test_bleu.py, 1e-3 on the 0–100 scale for
 * test_sentence_bleu.py); hand-derived cases 1e-12 relative.
 */
import { OptionError } from "../../lib/util/options.ts";
import { assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { bleu, type BleuOptions, computeBleu, sentenceBleu } from "../../lib/metrics/bleu.ts";

// test_bleu.py: the README example.
const REFS = [
  ["The dog bit the man.", "It was not unexpected.", "The man bit him first."],
  ["The dog had bit the man.", "No one was surprised.", "The man had bitten the dog."],
];
const HYPS = ["The dog bit the man.", "It wasn't surprising.", "The man had just bitten him."];
const raw = (smoothValue: number | undefined): BleuOptions => ({
  smooth: "floor",
  smoothValue,
  tokenize: "none",
  effectiveOrder: true,
});

Deno.test("bleu() matches sacreBLEU test_corpus_bleu cases (13a, none, intl, smoothing none, empty hypotheses)", () => {
  const cases: [string[], BleuOptions, number][] = [
    [HYPS, {}, 48.530827],
    [["", "", ""], {}, 0.0],
    [HYPS, { tokenize: "none" }, 49.1919566],
    [HYPS, { tokenize: "13a" }, 48.530827],
    [HYPS, { tokenize: "intl" }, 43.91623493],
    [HYPS, { smooth: "none" }, 48.530827],
  ];
  for (const [hyps, options, expected] of cases) {
    assertAlmostEquals(bleu(hyps, REFS, options).score, expected, 1e-6, JSON.stringify(options));
  }
});

Deno.test("bleu() matches sacreBLEU raw_corpus_bleu cases (floor, effective order, statistics)", () => {
  assertEquals(bleu(["this is a test", "another test"], [["ref1", "ref2"]], raw(0.01)).score, 0);
  assertAlmostEquals(bleu(["this is a test"], [["this is a test"]], raw(0.01)).score / 100, 1, 1e-8);
  assertAlmostEquals(
    bleu(["this is a fest"], [["this is a test"]], raw(0.01)).score / 100,
    0.223606797749979,
    1e-8,
  );
  // effective order
  assertAlmostEquals(bleu(["test"], [["a test"]], raw(0.01)).score / 100, 0.3678794411714425, 1e-8);
  assertAlmostEquals(bleu(["a test"], [["a test"]], raw(0.01)).score / 100, 1.0, 1e-8);
  assertAlmostEquals(bleu(["a little test"], [["a test"]], raw(0.01)).score / 100, 0.03218297948685433, 1e-8);
  // offset: floor 0 gives 0, floor's default 0.1 gives 0.1555722182
  const hyp = ["am I am a character sequence"], ref = [["I am a symbol string sequence a a"]];
  assertEquals(bleu(hyp, ref, raw(0)).score, 0);
  assertAlmostEquals(bleu(hyp, ref, raw(undefined)).score / 100, 0.1555722182, 1e-8);
  const r = bleu(hyp, ref, raw(0.01));
  assertEquals([r.counts, r.totals], [[4, 2, 1, 0], [6, 5, 4, 3]]);
});

Deno.test("computeBleu() matches sacreBLEU test_scoring and test_degenerate_statistics", () => {
  assertAlmostEquals(
    computeBleu({ correct: [9, 7, 5, 3], total: [10, 8, 6, 4], sysLen: 11, refLen: 11 }).score / 100,
    0.8375922397,
    1e-8,
  );
  const degenerate: [number[], number[], number, number, number][] = [
    [[0, 0, 0, 0], [4, 4, 2, 1], 0, 1, 0.0],
    [[0, 0, 0, 0], [10, 11, 12, 0], 14, 10, 0.0],
    [[0, 0, 0, 0], [0, 0, 0, 0], 0, 0, 0.0],
    [[6, 5, 4, 0], [6, 5, 4, 3], 6, 6, 0.0],
    [[0, 0, 0, 0], [0, 0, 0, 0], 0, 0, 0.1],
    [[0, 0, 0, 0], [0, 0, 0, 0], 1, 5, 0.01],
  ];
  for (const [c, t, sys, ref, offset] of degenerate) {
    assertEquals(
      computeBleu({ correct: c, total: t, sysLen: sys, refLen: ref }, {
        smooth: "floor",
        smoothValue: offset,
      }).score,
      0,
    );
  }
});

Deno.test("sentenceBleu() matches sacreBLEU test_sentence_bleu cases (every smoothing, tokenizer, lowercase)", () => {
  // Example from sacreBLEU issue #98.
  const REF = "producţia de zahăr brut se exprimă în zahăr alb;";
  const SYS = "Producția de zahăr primă va fi exprimată în ceea ce privește zahărul alb;";
  const cases: [BleuOptions, number][] = [
    [{ smooth: "exp" }, 8.493],
    [{ smooth: "none" }, 0.0],
    [{ smooth: "floor" }, 4.51688],
    [{ smooth: "floor", smoothValue: 0.1 }, 4.51688],
    [{ smooth: "floor", smoothValue: 0.5 }, 10.10],
    [{ smooth: "add-k" }, 14.882],
    [{ smooth: "add-k", smoothValue: 1 }, 14.882],
    [{ smooth: "add-k", smoothValue: 2 }, 21.389],
    [{ tokenize: "none" }, 7.347],
    [{ tokenize: "intl" }, 8.493],
    [{ tokenize: "char" }, 40.8759],
    [{ tokenize: "char", lowercase: true }, 42.0267],
  ];
  for (const [options, expected] of cases) {
    assertAlmostEquals(sentenceBleu(SYS, [REF], options).score, expected, 1e-3, JSON.stringify(options));
  }
  // Example from sacreBLEU issue #141: no match at all is 0 under every smoothing.
  for (const smooth of ["exp", "none", "floor", "add-k"] as const) {
    assertEquals(sentenceBleu("this is a cat", ["okay thanks"], { smooth }).score, 0);
  }
});

Deno.test("bleu() matches hand-computed counts on multiple references", () => {
  // hyp: the cat sat on the mat (6); refs: "the cat is on the mat" (6), "there is a cat on the mat" (7).
  // 1-grams: the×2 (ref1 has 2) cat on mat match, sat not: 5/6. 2-grams: the cat, on the, the mat: 3/5.
  // 3-grams: on the mat: 1/4. 4-grams: 0/3, exp smoothing gives 100/(2·3). Closest ref length 6, BP 1.
  const r = bleu(["the cat sat on the mat"], [["the cat is on the mat"], ["there is a cat on the mat"]]);
  assertEquals([r.counts, r.totals, r.sysLen, r.refLen, r.bp], [[5, 3, 1, 0], [6, 5, 4, 3], 6, 6, 1]);
  const p = [100 * 5 / 6, 100 * 3 / 5, 100 / 4, 100 / 6];
  assertEquals(r.precisions.map((x, i) => Math.abs(x - p[i]) < 1e-12), [true, true, true, true]);
  const expected = Math.exp(p.reduce((s, x) => s + Math.log(x), 0) / 4);
  assertAlmostEquals(r.score, expected, expected * 1e-12);
  // References as an empty string are missing references: the same as passing only the others.
  const withGap = bleu(["a b c", "the cat sat on the mat"], [["a b c", "the cat is on the mat"], [
    "",
    "there is a cat on the mat",
  ]]);
  const explicit = bleu(["a b c"], [["a b c"]]);
  assertEquals(withGap.counts, [explicit.counts[0] + 5, explicit.counts[1] + 3, explicit.counts[2] + 1, 0]);
});

Deno.test("bleu() breaks closest-reference-length ties towards the shorter reference", () => {
  // hyp length 5; refs of length 4 and 6 are equally close: sacreBLEU picks 4, so BP = 1 (not exp(-0.2)).
  const r = bleu(["a b c d e"], [["a b c d"], ["a b c d e f"]], { tokenize: "none" });
  assertEquals([r.refLen, r.bp], [4, 1]);
  assertAlmostEquals(r.score, 100, 1e-12);
  const swapped = bleu(["a b c d e"], [["a b c d e f"], ["a b c d"]], { tokenize: "none" });
  assertEquals(swapped.refLen, 4);
  // hyp length 2, refs 4: BP = exp(1 - 4/2)
  assertAlmostEquals(bleu(["a b"], [["a b c d"]], { tokenize: "none" }).bp, Math.exp(-1), 1e-15);
});

Deno.test("bleu() lowercase, add-k counts and empty hypotheses follow sacreBLEU's formulas", () => {
  assertEquals(sentenceBleu("The Cat", ["the cat"]).score, 0);
  assertAlmostEquals(sentenceBleu("The Cat", ["the cat"], { lowercase: true }).score, 100, 1e-12);
  // Without effective order a missing 3-gram order contributes log(0) := -9999999999, so the score is 0.
  assertEquals(bleu(["the cat"], [["the cat"]]).score, 0);
  // add-k adds k to orders ≥ 2 and sacreBLEU reports the smoothed counts.
  const k = computeBleu({ correct: [2, 1, 0, 0], total: [3, 2, 1, 0], sysLen: 3, refLen: 3 }, {
    smooth: "add-k",
  });
  assertEquals([k.counts, k.totals], [[2, 2, 1, 1], [3, 3, 2, 1]]);
  const expected = Math.exp((2 * Math.log(200 / 3) + Math.log(50) + Math.log(100)) / 4);
  assertAlmostEquals(k.score, expected, expected * 1e-12);
  // Empty hypotheses: sysLen 0 gives BP 0 and no matches; refLen is the closest (shortest) reference length.
  const e = bleu(["", ""], [["a b c", "d"], ["a b", "e f g h"]]);
  assertEquals([e.score, e.bp, e.sysLen, e.refLen], [0, 0, 0, 3]);
});

Deno.test("bleu() rejects malformed input with a message naming the problem", () => {
  assertThrows(() => bleu(["a"], [["a", "b"]]), Error, "reference stream 0 has 2 segments");
  assertThrows(() => bleu(["a"], [[""]]), Error, "segment 0 has no non-empty reference");
  assertThrows(
    () => bleu(["a"], [["a"]], { smooth: "bogus" as never }),
    OptionError,
    '`smooth` must be one of "exp"',
  );
  assertThrows(() => bleu([], [[]]), OptionError, "no hypotheses");
  assertThrows(
    () => bleu(["a"], [["a"]], { smooth: "floor", smoothValue: -0.1 }),
    OptionError,
    "smoothValue",
  );
  assertThrows(() => bleu(["a"], [["a"]], { smoothValue: NaN }), OptionError, "smoothValue");
  assertThrows(
    () => bleu(["a"], [["a"]], { lowerCase: true } as never),
    OptionError,
    "did you mean `lowercase`",
  );
  assertThrows(() => bleu(["a"], [["a"]], { tokenize: "zh" as never }), Error, 'unknown tokenize "zh"');
  assertThrows(() => sentenceBleu("a", "a" as never), Error, "references must be an array");
});
