/**
 * chrF against sacreBLEU 2.x's published cases (mjpost/sacrebleu test/test_chrf.py; tolerance 1e-4 as there).
 * Those tests call `corpus_chrf(..., char_order=6, word_order=0, beta=3)`; `remove_whitespace=False` there is
 * `whitespace: true` here.
 */
import { assertAlmostEquals, assertThrows } from "@std/assert";
import { OptionError } from "../../lib/util/options.ts";
import { chrf, type ChrfOptions, sentenceChrf } from "../../lib/metrics/chrf.ts";

const EPS = 1e-4;
const beta3: ChrfOptions = { charOrder: 6, wordOrder: 0, beta: 3 };

Deno.test("chrf() matches sacreBLEU test_chrf cases with epsilon smoothing", () => {
  const cases: [string[], string[], number][] = [
    [["abcdefg"], ["hijklmnop"], 0.0],
    [["a"], ["b"], 0.0],
    [[""], ["b"], 0.0],
    [[""], ["ref"], 0.0],
    [[""], ["reference"], 0.0],
    [["aa"], ["ab"], 8.3333],
    [["a", "b"], ["a", "c"], 8.3333],
    [["a"], ["a"], 16.6667],
    [["a b c"], ["a b c"], 50.0],
    [["a b c"], ["abc"], 50.0],
    [
      [" risk assessment must be made of those who are qualified and expertise in the sector - these are the scientists ."],
      ["risk assessment has to be undertaken by those who are qualified and expert in that area - that is the scientists ."],
      63.361730,
    ],
    [
      [" Die    Beziehung zwischen  Obama und Netanjahu ist nicht gerade  freundlich. "],
      ["Das Verhältnis zwischen Obama und Netanyahu ist nicht gerade freundschaftlich."],
      64.1302698,
    ],
    [["Niemand hat die Absicht, eine Mauer zu errichten"], [
      "Niemand hat die Absicht, eine Mauer zu errichten",
    ], 100.0],
  ];
  for (const [h, r, expected] of cases) {
    assertAlmostEquals(chrf(h, [r], { ...beta3, epsSmoothing: true }), expected, EPS, JSON.stringify(h));
  }
});

Deno.test("chrf() matches sacreBLEU test_chrf cases with effective order and kept whitespace", () => {
  const eff: [string[], string[], number][] = [
    [["a"], ["a"], 100.0],
    [[""], ["reference"], 0.0],
    [["a b c"], ["a b c"], 100.0],
    [["a b c"], ["abc"], 100.0],
    [[""], ["c"], 0.0],
    [["a", "b"], ["a", "c"], 50.0],
    [["aa"], ["ab"], 25.0],
  ];
  for (const [h, r, expected] of eff) {
    assertAlmostEquals(chrf(h, [r], beta3), expected, EPS, JSON.stringify(h));
  }
  const ws: [string, string, number][] = [
    [
      "Die Beziehung zwischen Obama und Netanjahu ist nicht gerade freundlich.",
      "Das Verhältnis zwischen Obama und Netanyahu ist nicht gerade freundschaftlich.",
      67.3481606,
    ],
    [
      "risk assessment must be made of those who are qualified and expertise in the sector - these are the scientists .",
      "risk assessment has to be undertaken by those who are qualified and expert in that area - that is the scientists .",
      65.2414427,
    ],
  ];
  for (const [h, r, expected] of ws) {
    assertAlmostEquals(chrf([h], [[r]], { ...beta3, whitespace: true }), expected, EPS);
  }
});

Deno.test("sentenceChrf() matches sacreBLEU test_chrf_sentence_level (chrF2, epsilon smoothing)", () => {
  const cases: [string, string, number][] = [
    [
      "Co nás nejvíc trápí, protože lékaři si vybírají, kdo bude žít a kdo zemře.",
      "Nejvíce smutní jsme z toho, že musíme rozhodovat o tom, kdo bude žít a kdo zemře.",
      39.14078509,
    ],
    [
      "Nebo prostě nemají vybavení, které by jim pomohlo, uvedli lékaři.",
      "A někdy nemáme ani potřebný materiál, abychom jim pomohli, popsali lékaři.",
      31.22557079,
    ],
    [
      "Lapali po dechu, jejich životy skončily dřív, než skutečně začaly.",
      "Lapali po dechu a pak jejich život skončil - dřív, než skutečně mohl začít, připomněli.",
      57.15704367,
    ],
  ];
  for (const [h, r, expected] of cases) {
    assertAlmostEquals(sentenceChrf(h, [r], { epsSmoothing: true }), expected, EPS);
  }
});

Deno.test("chrf() picks the best reference per segment and handles chrF++ words by hand", () => {
  // With references "xyz" and "abc", hypothesis "abc" matches the second perfectly.
  assertAlmostEquals(chrf(["abc"], [["xyz"], ["abc"]], { charOrder: 3 }), 100, 1e-12);
  // chrF++ (charOrder 1, wordOrder 1, β 1): "ab." vs "ab": chars a,b,. vs a,b → P 2/3, R 1; words "ab","."
  // vs "ab" → P 1/2, R 1. Effective order averages: P = 7/12, R = 1, F1 = 2PR/(P+R) = 14/19.
  assertAlmostEquals(chrf(["ab."], [["ab"]], { charOrder: 1, wordOrder: 1, beta: 1 }), 100 * 14 / 19, 1e-12);
  assertThrows(() => chrf(["a"], [["a", "b"]]), Error, "reference stream 0 has 2 segments");
  assertThrows(() => chrf(["a"], [[""]]), Error, "segment 0 has no non-empty reference");
});

Deno.test("chrf() refuses NaN or non-positive beta, unknown options and no hypotheses, naming them", () => {
  for (const beta of [NaN, 0, -1, Infinity]) {
    assertThrows(() => chrf(["a"], [["a"]], { beta }), OptionError, "beta");
  }
  assertThrows(() => chrf(["a"], [["a"]], { bet: 2 } as never), OptionError, "did you mean `beta`");
  assertThrows(() => chrf([], [[]]), OptionError, "no hypotheses");
});
