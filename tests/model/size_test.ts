import { assertEquals } from "@std/assert";
import { encoderConfig } from "../../lib/model/config.ts";
import { initEncoder } from "../../lib/model/encoder.ts";
import { disposeParams } from "../../lib/model/params.ts";
import { flopsPerToken, paramCount } from "../../lib/model/size.ts";

Deno.test("paramCount() equals the size of the parameter record for any depth, width and LayerNorm position", () => {
  for (
    const o of [
      { numLayers: 1, hiddenSize: 8, numHeads: 1, intermediateSize: 8 },
      { numLayers: 3, hiddenSize: 12, numHeads: 3, intermediateSize: 40, layerNorm: "pre" as const },
      { numLayers: 2, hiddenSize: 32, numHeads: 4, intermediateSize: 128, vocabSize: 77, maxPositions: 9 },
    ]
  ) {
    const c = encoderConfig({ vocabSize: 50, maxPositions: 16, ...o });
    for (const mlmHead of [true, false]) {
      const p = initEncoder(c, 1, { mlmHead });
      assertEquals(paramCount(c, { mlmHead }), paramCount(p), JSON.stringify({ ...o, mlmHead }));
      disposeParams(p);
    }
  }
});

Deno.test("paramCount() of the roberta-base shape matches HF's published 124,645,632 less pooler and token types", () => {
  const c = encoderConfig({
    vocabSize: 50265,
    numLayers: 12,
    hiddenSize: 768,
    numHeads: 12,
    intermediateSize: 3072,
    maxPositions: 514,
  });
  assertEquals(paramCount(c, { mlmHead: false }), 124_645_632 - (768 * 768 + 768) - 768);
});

Deno.test("flopsPerToken() matches a hand count", () => {
  const c = encoderConfig({ vocabSize: 10, numLayers: 2, hiddenSize: 2, numHeads: 1, intermediateSize: 8 });
  // per layer linears: 4·2·2 + 2·2·8 = 48 weights; ×2 layers ×6 = 576; attention 12·2·5·2 = 240;
  // head 6·0.2·(4 + 20) = 28.8
  assertEquals(flopsPerToken(c, { seqLen: 5, maskFraction: 0.2 }), 576 + 240 + 28.8);
});
