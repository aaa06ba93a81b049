import { assertEquals } from "@std/assert";
import { tf } from "../../lib/backend/tf.ts";
import { encoderUnitGroups } from "../../lib/compress/encoder_groups.ts";
import { unitMasks } from "../../lib/compress/structured_prune.ts";
import { encoderConfig } from "../../lib/model/config.ts";
import { initEncoder } from "../../lib/model/encoder.ts";
import { disposeParams } from "../../lib/model/params.ts";

Deno.test("encoderUnitGroups() names the encoder's tensors: pruning half the heads zeroes whole heads", async () => {
  const config = encoderConfig({
    vocabSize: 30,
    numLayers: 2,
    hiddenSize: 8,
    numHeads: 4,
    intermediateSize: 16,
  });
  const params = initEncoder(config, 0);
  const groups = encoderUnitGroups(config);
  const { masks, prunedUnits } = await unitMasks(params, groups.heads, { fraction: 0.5 });
  assertEquals(prunedUnits.map((u) => u.length), [2, 2]);
  // query.weight (8, 8): rows of the 2 pruned heads (2 rows each) are 0: 4 rows × 8 = 32 zeros.
  const q = await masks["roberta.encoder.layer.0.attention.self.query.weight"].data();
  assertEquals(q.filter((x) => x === 0).length, 32);
  for (const h of prunedUnits[0]) {
    assertEquals(Array.from(q.slice(h * 16, h * 16 + 16)), new Array(16).fill(0));
  }
  // output.dense.weight: the same heads' columns
  const o = await masks["roberta.encoder.layer.0.attention.output.dense.weight"].data();
  for (let r = 0; r < 8; r++) {
    for (let c = 0; c < 8; c++) {
      assertEquals(o[r * 8 + c], prunedUnits[0].includes(Math.floor(c / 2)) ? 0 : 1);
    }
  }
  const n = await unitMasks(params, groups.neurons, { fraction: 0.25 });
  assertEquals(n.prunedUnits.map((u) => u.length), [4, 4]);
  tf.dispose([...Object.values(masks), ...Object.values(n.masks)]);
  disposeParams(params);
});
