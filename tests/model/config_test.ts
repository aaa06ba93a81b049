import { assertEquals, assertThrows } from "@std/assert";
import { OptionError } from "../../lib/util/options.ts";
import { checkVocabulary, ENCODER_DEFAULTS, encoderConfig, modelShape } from "../../lib/model/config.ts";

Deno.test("encoderConfig() merges overrides onto frozen defaults", () => {
  const c = encoderConfig({ numLayers: 7 });
  assertEquals(c.numLayers, 7);
  assertEquals(c.hiddenSize, ENCODER_DEFAULTS.hiddenSize);
  assertThrows(() => (ENCODER_DEFAULTS as { numLayers: number }).numLayers = 3);
});

Deno.test("encoderConfig() names the bad field", () => {
  assertThrows(() => encoderConfig({ numLayers: 0 }), Error, "numLayers must be a positive integer, got 0");
  assertThrows(() => encoderConfig({ hiddenSize: 100, numHeads: 3 }), Error, "not divisible by numHeads 3");
  assertThrows(() => encoderConfig({ dropout: 1 }), Error, "dropout must be in [0, 1)");
  assertThrows(() => encoderConfig({ layerNorm: "mid" as "pre" }), Error, "layerNorm must be");
  assertThrows(
    () => encoderConfig({ hidenSize: 3 } as never),
    Error,
    "unknown option `hidenSize`; did you mean `hiddenSize`",
  );
});

Deno.test("modelShape() derives 64-wide heads and a 4× feed-forward unless given; encoderConfig applies it", () => {
  assertEquals(modelShape(256), { numHeads: 4, intermediateSize: 1024 }); // the README tour's width
  assertEquals(modelShape(128), { numHeads: 2, intermediateSize: 512 });
  assertEquals(modelShape(16), { numHeads: 1, intermediateSize: 64 }); // at least one head
  assertEquals(modelShape(200).numHeads, 2); // 200 / 64 = 3.1 → 3 does not divide 200 → 2
  assertEquals(modelShape(256, { numHeads: 8, intermediateSize: 512 }), {
    numHeads: 8,
    intermediateSize: 512,
  });
  const c = encoderConfig({ hiddenSize: 512, numLayers: 2 });
  assertEquals([c.numHeads, c.intermediateSize], [8, 2048]);
  assertEquals(encoderConfig({ hiddenSize: 512, numHeads: 4 }).numHeads, 4);
});

Deno.test("a vocabulary that cannot hold the special tokens is an OptionError naming vocabSize", () => {
  assertThrows(() => encoderConfig({ vocabSize: 3 }), OptionError, "vocabSize");
  const tok = { vocabSize: 300, special: { bos: 0, pad: 1, eos: 2, unk: 3, mask: 299 } };
  assertThrows(() => checkVocabulary(encoderConfig({ vocabSize: 299 }), tok), OptionError, "mask is id 299");
  checkVocabulary(encoderConfig({ vocabSize: 300 }), tok);
  assertThrows(() => encoderConfig({ dropout: NaN }), OptionError, "dropout");
  assertThrows(() => encoderConfig({ initStd: Infinity }), OptionError, "initStd");
});
