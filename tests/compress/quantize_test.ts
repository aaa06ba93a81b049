/**
 * Quantization on hand-computed cases chosen so every scale is exact (a power of two or 1); PyTorch parity
 * on random weights is in torch_parity_test.ts.
 */
import { OptionError } from "../../lib/util/options.ts";
import { assertEquals, assertThrows } from "@std/assert";
import { tf } from "../../lib/backend/tf.ts";
import { fakeQuantizeValues, quantParams, quantRange } from "../../lib/compress/quantize.ts";
import { fakeQuantizeRecord } from "../../lib/compress/quantize_record.ts";

const fq = (v: number[], shape: number[], o: Parameters<typeof fakeQuantizeValues>[2]) =>
  fakeQuantizeValues(new Float32Array(v), shape, o);

Deno.test("fakeQuantizeValues() affine 2-bit: zero point, round half to even", () => {
  // range [-1, 2] over codes 0..3: scale (2 − (−1))/3 = 1, zero point 0 − round(−1/1) = 1.
  // 0.5 → 1 + round(0.5) = 1 + 0 → 0;  1.5 → 1 + 2 = 3 → 2;  −0.5 → 1 + round(−0.5) = 1 → 0.
  const { values, params } = fq([-1, -0.5, 0.5, 1.5, 2], [5], {
    bits: 2,
    scheme: "affine",
    granularity: "per-tensor",
  });
  assertEquals([params.scale[0], params.zeroPoint[0], params.quantMin, params.quantMax], [1, 1, 0, 3]);
  assertEquals(Array.from(values), [-1, 0, 0, 2, 2]);
});

Deno.test("fakeQuantizeValues() symmetric 4-bit: scale max|x|/7.5, clamping at quantMax", () => {
  // codes −8..7, scale 7.5/7.5 = 1. 7.5 → round 8 → clamped to 7. 2.5 → 2 and 3.5 → 4 (half to even).
  const { values, params } = fq([7.5, -7.5, 2.5, 3.5, -0.25], [5], { bits: 4, granularity: "per-tensor" });
  assertEquals([params.scale[0], params.zeroPoint[0], params.quantMin, params.quantMax], [1, 0, -8, 7]);
  assertEquals(Array.from(values, (x) => x + 0), [7, -8, 2, 4, 0]);
  assertEquals(quantRange(8, "symmetric"), [-128, 127]);
  assertEquals(quantRange(3, "affine"), [0, 7]);
});

Deno.test("fakeQuantizeValues() per-channel along axis 0 and 1; all-zero channel gets scale eps", () => {
  // axis 0 (rows), 8-bit symmetric: row 0 max|x| 127.5 → scale 1; row 1 all zero → scale float32 eps.
  const r = fq([127.5, -3.25, 0, 0], [2, 2], { bits: 8 });
  assertEquals(Array.from(r.params.scale), [1, 2 ** -23]);
  assertEquals(Array.from(r.values), [127, -3, 0, 0]);
  // axis 1 (columns), affine 2-bit: column 0 {0, 3} → scale 1, zp 0; column 1 {−6, 0} → scale 2, zp 3.
  const c = fq([0, -6, 3, 0], [2, 2], { bits: 2, scheme: "affine", channelAxis: 1 });
  assertEquals([Array.from(c.params.scale), Array.from(c.params.zeroPoint)], [[1, 2], [0, 3]]);
  assertEquals(Array.from(c.values), [0, -6, 3, 0]);
});

Deno.test("quantParams() rejects bad options and values", () => {
  const v = new Float32Array([1, 2]);
  assertThrows(() => quantParams(v, [2], { bits: 1 }), Error, "`bits` must be an integer in [2, 8], got 1");
  assertThrows(
    () => quantParams(v, [2], { bits: 9 }),
    OptionError,
    "`bits` must be an integer in [2, 8], got 9",
  );
  assertThrows(
    () => quantParams(v, [2], { bits: 8, channelAxis: 1 }),
    OptionError,
    "`channelAxis` must be an integer in [0, 1), got 1",
  );
  // -1 used to mean "per-tensor" silently; now it is an error naming the option.
  assertThrows(() => quantParams(v, [2], { bits: 8, channelAxis: -1 }), OptionError, "`channelAxis`");
  assertThrows(
    () => quantParams(v, [2], { bits: 8, chanelAxis: 0 } as never),
    OptionError,
    "did you mean `channelAxis`",
  );
  assertThrows(() => quantParams(v, [2], { bits: NaN }), OptionError, "`bits`");
  assertThrows(() => quantParams(new Float32Array([NaN]), [1], { bits: 8 }), Error, "non-finite value NaN");
  assertThrows(
    () => quantParams(v, [2], { bits: 8, scheme: "odd" as never }),
    OptionError,
    '`scheme` must be one of "symmetric"',
  );
});

Deno.test("fakeQuantizeRecord() quantizes selected tensors, reports storage bits, leaks nothing", async () => {
  const p = {
    "embeddings.weight": tf.tensor2d([[0.5, 0.25]]),
    "l.weight": tf.tensor2d([[7.5, -7.5], [2.5, 3.5]]),
    "l.bias": tf.tensor1d([0.3]),
  };
  const before = tf.memory().numTensors;
  const r = await fakeQuantizeRecord(p, { bits: 4, granularity: "per-tensor" });
  assertEquals(tf.memory().numTensors, before + 3);
  assertEquals(Array.from(await r.params["l.weight"].data()), [7, -8, 2, 4]);
  assertEquals(Array.from(await r.params["embeddings.weight"].data()), [0.5, 0.25]); // not selected
  assertEquals(r.rows.map((x) => [x.name, x.bits, x.storageBits]), [
    ["embeddings.weight", 0, 64],
    ["l.weight", 4, 4 * 4 + 64],
    ["l.bias", 0, 32],
  ]);
  assertEquals([r.totalBits, r.denseBits], [64 + 80 + 32, 7 * 32]);
  tf.dispose([...Object.values(p), ...Object.values(r.params)]);
});

Deno.test("fakeQuantizeValues() rounds ties to even and clamps, like torch.round and quant_max", () => {
  // Symmetric 8-bit per-tensor with max |v| = 127.5: scale = 127.5 / 127.5 = 1, so codes are round(v).
  const v = new Float32Array([127.5, 0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 3.5, -127.5]);
  const { values, params } = fakeQuantizeValues(v, [v.length], { bits: 8, granularity: "per-tensor" });
  assertEquals(params.scale[0], 1);
  assertEquals(Array.from(values), [127, 0, 2, 2, 0, -2, -2, 4, -128]);
});
