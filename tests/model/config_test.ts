import { assertEquals, assertThrows } from "@std/assert";
import { DEFAULT_ENCODER_CONFIG, encoderConfig } from "../../lib/model/config.ts";

Deno.test("encoderConfig() merges overrides onto frozen defaults", () => {
  const c = encoderConfig({ numLayers: 7 });
  assertEquals(c.numLayers, 7);
  assertEquals(c.hiddenSize, DEFAULT_ENCODER_CONFIG.hiddenSize);
  assertThrows(() => (DEFAULT_ENCODER_CONFIG as { numLayers: number }).numLayers = 3);
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
