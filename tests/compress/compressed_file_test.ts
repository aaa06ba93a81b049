import { assert, assertEquals, assertRejects, assertThrows } from "@std/assert";
import { tf } from "../../lib/backend/tf.ts";
import { decodeCompressed, encodeCompressed } from "../../lib/compress/compressed_format.ts";
import { loadCompressed, saveCompressed } from "../../lib/compress/compressed_file.ts";
import { magnitudeMasks, maskedCopy } from "../../lib/compress/magnitude_prune.ts";
import { fakeQuantizeValues, type QuantizeOptions } from "../../lib/compress/quantize.ts";

function record() {
  return {
    "l0.weight": tf.randomNormal([64, 48], 0, 0.1, "float32", 11),
    "l0.bias": tf.randomNormal([64], 0, 0.1, "float32", 12),
    "l1.weight": tf.randomNormal([16, 64], 0, 0.1, "float32", 13),
  };
}

/** Bitwise equality of float32 arrays (NaN-safe, distinguishes −0 from +0). */
function sameBits(a: Float32Array, b: Float32Array): boolean {
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length),
    y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

Deno.test("saveCompressed() sparse: 90%-pruned model loads back exactly and the file is small", async () => {
  const p = record();
  const masks = await magnitudeMasks(p, { sparsity: 0.9 });
  // maskedCopy gives −0 for pruned negative weights; the format stores zeros of either sign as +0.
  const pruned = maskedCopy(p, masks);
  const dir = await Deno.makeTempDir();
  try {
    const r = await saveCompressed(`${dir}/m.tlcz`, pruned, { encoding: "sparse" });
    const before = tf.memory().numTensors;
    const back = await loadCompressed(`${dir}/m.tlcz`);
    assertEquals(tf.memory().numTensors, before + 3); // exactly the returned tensors
    for (const name of Object.keys(p)) {
      const want = Float32Array.from(await pruned[name].data(), (x) => x + 0);
      assert(sameBits(await back[name].data() as Float32Array, want), name);
    }
    // weights: 1 mask bit each + 10% of them as float32; bias dense; plus a JSON header (< 600 B here)
    const weights = 64 * 48 + 16 * 64, payload = weights / 8 + Math.round(0.1 * weights) * 4 + 64 * 4;
    assert(r.bytes >= payload && r.bytes < payload + 600, `sparse file ${r.bytes} B, payload ${payload} B`);
    assertEquals(r.denseBytes, (64 * 48 + 64 + 16 * 64) * 4);
    assertEquals([...Deno.readDirSync(dir)].map((e) => e.name), ["m.tlcz"]); // no temp file left
    tf.dispose(Object.values(back));
  } finally {
    await Deno.remove(dir, { recursive: true });
    tf.dispose([...Object.values(p), ...Object.values(masks), ...Object.values(pruned)]);
  }
});

Deno.test("saveCompressed() quantized: loads bit-identical to fake quantization, ~bits/32 of the size", async () => {
  const p = record();
  const dir = await Deno.makeTempDir();
  try {
    for (const bits of [2, 3, 4, 5, 8]) {
      for (const scheme of ["symmetric", "affine"] as const) {
        for (const granularity of ["per-tensor", "per-channel"] as const) {
          const q: QuantizeOptions = { bits, scheme, granularity };
          const r = await saveCompressed(`${dir}/q.tlcz`, p, { encoding: "quantized", quantize: q });
          const back = await loadCompressed(`${dir}/q.tlcz`);
          for (const name of ["l0.weight", "l1.weight"]) {
            const want = fakeQuantizeValues(
              await p[name as "l0.weight"].data() as Float32Array,
              p[name as "l0.weight"].shape,
              q,
            );
            assert(
              sameBits(await back[name].data() as Float32Array, want.values),
              `${name} ${JSON.stringify(q)}`,
            );
          }
          assert(
            sameBits(await back["l0.bias"].data() as Float32Array, await p["l0.bias"].data() as Float32Array),
          );
          const weights = 64 * 48 + 16 * 64;
          const ideal = weights * bits / 8 + 64 * 4 + 80 * 8; // codes + dense bias + at most 80 channels' qparams
          assert(
            r.bytes < ideal + 1200,
            `${bits}-bit file ${r.bytes} B, expected about ${ideal} B plus header`,
          );
          tf.dispose(Object.values(back));
        }
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
    tf.dispose(Object.values(p));
  }
});

Deno.test("decodeCompressed() names the tensor, section and byte range of corruption", () => {
  const w = { shape: [3, 4], values: new Float32Array([1, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 0]) };
  const good = encodeCompressed({ w, b: { shape: [2], values: new Float32Array([1, 2]) } }, {
    w: { kind: "bitmask" },
  });
  assertEquals(Array.from(decodeCompressed(good).w.values), Array.from(w.values));
  const last = good.slice();
  last[last.length - 1] ^= 1; // inside b's values, the last section
  assertThrows(
    () => decodeCompressed(last, "m.tlcz"),
    Error,
    'm.tlcz: tensor 1 "b" section "values" bytes [',
  );
  assertThrows(() => decodeCompressed(last, "m.tlcz"), Error, "fails its checksum");
  assertThrows(
    () => decodeCompressed(good.slice(0, good.length - 3), "m.tlcz"),
    Error,
    "runs past the end of the file",
  );
  const magic = good.slice();
  magic[0] = 0;
  assertThrows(() => decodeCompressed(magic, "m.tlcz"), Error, 'bytes [0, 4) are not the magic "TLCZ"');
  const version = good.slice();
  version[4] = 9;
  assertThrows(() => decodeCompressed(version, "m.tlcz"), Error, "format version 9 at bytes [4, 8)");
  const header = good.slice();
  header[12] = 0x7b + 1; // "{" → "|"
  assertThrows(() => decodeCompressed(header, "m.tlcz"), Error, "are not valid UTF-8 JSON");
});

Deno.test("saveCompressed() and loadCompressed() report bad paths and options", async () => {
  const p = { w: tf.zeros([2, 2]) };
  await assertRejects(
    () => saveCompressed("/nonexistent-dir/x.tlcz", p, { encoding: "sparse" }),
    Error,
    '"/nonexistent-dir/x.tlcz"',
  );
  await assertRejects(
    () => saveCompressed("/tmp/x.tlcz", p, { encoding: "quantized" }),
    Error,
    "needs options.quantize",
  );
  await assertRejects(() => loadCompressed("/nonexistent-dir/x.tlcz"), Error);
  p.w.dispose();
});
