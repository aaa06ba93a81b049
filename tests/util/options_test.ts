import { assertEquals, assertThrows } from "@std/assert";
import { checkChoice, checkKeys, checkNumber, nearest, OptionError } from "../../lib/util/options.ts";

Deno.test("checkKeys() names the unknown option and suggests the nearest valid one", () => {
  const e = assertThrows(
    () => checkKeys("pretrainMlm", { seconds: 1, batchSise: 3 }, ["seconds", "batchSize", "seed"]),
    OptionError,
  );
  assertEquals(e.option, "batchSise");
  assertEquals(e.message.includes("did you mean `batchSize`"), true);
  assertThrows(() => checkKeys("f", "nope", ["a"]), OptionError, "must be an object");
  assertThrows(() => checkKeys("f", [1], ["a"]), OptionError, "must be an object");
  checkKeys("f", undefined, ["a"]);
});

Deno.test("nearest() finds typos and renamed options, and nothing for unrelated names", () => {
  assertEquals(nearest("maxSeconds", ["seconds", "seed", "store"]), "seconds");
  assertEquals(nearest("evalEvry", ["evalEvery", "seed"]), "evalEvery");
  assertEquals(nearest("learningRate", ["seed", "store"]), undefined);
});

Deno.test("checkNumber() rejects NaN, infinities and out-of-range values, naming the option", () => {
  for (const bad of [NaN, Infinity, -Infinity, 0, -1]) {
    assertThrows(() => checkNumber("train", "seconds", bad, { above: 0 }), OptionError, "`seconds`");
  }
  assertEquals(checkNumber("train", "seconds", Infinity, { above: 0, infinite: true }), Infinity);
  assertThrows(() => checkNumber("f", "bits", 2.5, { integer: true, min: 1 }), OptionError, "integer");
  assertThrows(() => checkNumber("f", "p", 1, { min: 0, below: 1 }), OptionError, "in [0, 1)");
  assertThrows(() => checkNumber("f", "p", "3" as unknown as number, { min: 0 }), OptionError, '"3"');
  assertEquals(checkNumber("f", "p", 0.5, { min: 0, below: 1 }), 0.5);
});

Deno.test("checkChoice() lists the accepted values", () => {
  assertThrows(
    () => checkChoice("show", "mode", "htm" as "html", ["html", "png"]),
    OptionError,
    'did you mean "html"',
  );
});
