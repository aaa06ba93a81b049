/**
 * Tokenizers against expectations derived by hand from sacreBLEU's rules (tokenizer_13a.py,
 * tokenizer_re.py, tokenizer_intl.py, tokenizer_char.py), one rule per case.
 */
import { assertEquals } from "@std/assert";
import { bleuTokenize, pyRstrip, pySplit } from "../../lib/metrics/bleu_tokenize.ts";

Deno.test("bleuTokenize() 13a applies mteval-v13a's rules", () => {
  // &amp; unescaped, <skipped> removed, ASCII punctuation split, digit-internal . and , kept, digit-dash split.
  assertEquals(
    bleuTokenize("Hello, world! 3.14, 1,000-2 a-b &amp; <skipped>x", "13a"),
    "Hello , world ! 3.14 , 1,000 - 2 a-b & x",
  );
  // 13a pads with spaces, so a final period after a number is split (unlike intl).
  assertEquals(bleuTokenize("in 2018.", "13a"), "in 2018 .");
  assertEquals(bleuTokenize("x-\ny\nz", "13a"), "xy z");
  assertEquals(bleuTokenize('say "hi" (now)', "13a"), 'say " hi " ( now )');
});

Deno.test("bleuTokenize() intl splits Unicode punctuation and symbols", () => {
  assertEquals(bleuTokenize("Hello, world! €5 «quoted»", "intl"), "Hello , world ! € 5 « quoted »");
  // mteval-v14 quirk kept by sacreBLEU: a number's final period stays attached.
  assertEquals(bleuTokenize("in 2018.", "intl"), "in 2018.");
  assertEquals(bleuTokenize("3,5 and 3, 5", "intl"), "3,5 and 3 , 5");
});

Deno.test("bleuTokenize() char and none", () => {
  assertEquals(pySplit(bleuTokenize("ab c😀", "char")), ["a", "b", "c", "😀"]);
  assertEquals(bleuTokenize("a,b", "none"), "a,b");
});

Deno.test("pySplit() and pyRstrip() use Python's whitespace set", () => {
  assertEquals(pySplit(" a\x1cb\x85c\u3000d\ufeffe "), ["a", "b", "c", "d\ufeffe"]);
  assertEquals(pyRstrip("a \u2029\x1f"), "a");
});
