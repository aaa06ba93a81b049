import { assertEquals } from "@std/assert";
import { BYTE_TO_CHAR, byteLevelDecode, byteLevelPreTokenize } from "../../lib/data/byte_level.ts";

Deno.test("BYTE_TO_CHAR matches GPT-2's table at known points (space Ġ, newline Ċ, 'A' itself)", () => {
  assertEquals(BYTE_TO_CHAR[32], "Ġ");
  assertEquals(BYTE_TO_CHAR[10], "Ċ");
  assertEquals(BYTE_TO_CHAR[65], "A");
  assertEquals(BYTE_TO_CHAR[0], "Ā"); // first unprintable byte maps to U+0100
  assertEquals(new Set(BYTE_TO_CHAR).size, 256);
});

Deno.test("byteLevelPreTokenize() splits like GPT-2 (contractions, leading spaces, digits, whitespace)", () => {
  assertEquals(byteLevelPreTokenize("I'll pay 42$  now"), ["I", "'ll", "Ġpay", "Ġ42", "$", "Ġ", "Ġnow"]);
  assertEquals(byteLevelPreTokenize("é"), ["Ã©"]); // two UTF-8 bytes C3 A9
});

Deno.test("byteLevelDecode() inverts pre-tokenization on mixed scripts", () => {
  const text = "Œuvre 東京\n\tnaïve 🚀!";
  assertEquals(byteLevelDecode(byteLevelPreTokenize(text).join("")), text);
});
