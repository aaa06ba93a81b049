/**
 * Pruning masks (unstructured and ln_structured) and fake-quantized weights against PyTorch 1.13 (Debian python3-torch) on the same seeded
 * random weights, via tests/compress/torch_reference.py. Tolerance: exact (bit-identical float32, identical
 * masks and qparams). The weights are tie-free in magnitude (asserted), because torch.topk's order among
 * equal magnitudes is unspecified.
 */
import { assert, assertEquals } from "@std/assert";
import { tf } from "../../lib/backend/tf.ts";
import { magnitudeMasks } from "../../lib/compress/magnitude_prune.ts";
import { fakeQuantizeValues, type QuantizeOptions } from "../../lib/compress/quantize.ts";
import { unitMasks } from "../../lib/compress/structured_prune.ts";
import { createRng } from "../../lib/util/random.ts";
import { hasTorch, requireTool } from "../_support/tools.ts";

const SHAPES: [number, number][] = [[16, 24], [7, 5], [32, 8]];
const PRUNE = [
  { scope: "global", sparsity: 0.5 },
  { scope: "global", sparsity: 0.9 },
  { scope: "per-tensor", sparsity: 0.5 },
  { scope: "per-tensor", sparsity: 0.3 }, // 35 × 0.3 = 10.5 rounds to 10 (even), as Python's round does
] as const;
const STRUCTURED = [{ fraction: 0.5, dim: 0 }, { fraction: 0.3, dim: 1 }];
const QUANT: QuantizeOptions[] = [];
for (const bits of [2, 3, 4, 5, 6, 7, 8]) {
  for (const scheme of ["symmetric", "affine"] as const) {
    for (const granularity of ["per-tensor", "per-channel"] as const) {
      QUANT.push({ bits, scheme, granularity });
    }
  }
}
QUANT.push({ bits: 3, scheme: "affine", granularity: "per-channel", channelAxis: 1 });

function randomWeights(): Float32Array[] {
  const rng = createRng(1234);
  // Some tensors entirely positive, so affine zero points and clamping are exercised.
  return SHAPES.map(([r, c], k) =>
    Float32Array.from({ length: r * c }, () => k === 1 ? Math.abs(rng.normal()) + 0.1 : rng.normal() * 0.05)
  );
}

Deno.test("magnitudeMasks(), unitMasks() and fakeQuantizeValues() match PyTorch bit for bit", async () => {
  if (!requireTool(await hasTorch(), "python3 with torch", "apt-get install python3-torch python3-numpy")) {
    return;
  }
  const weights = randomWeights();
  const allAbs = weights.flatMap((w) => Array.from(w, Math.abs));
  assertEquals(new Set(allAbs).size, allAbs.length, "test data must be tie-free in magnitude");
  const dir = await Deno.makeTempDir({ prefix: "trainlarge_torch_" });
  try {
    const files = await Promise.all(weights.map(async (w, i) => {
      const file = `${dir}/w${i}.f32`;
      await Deno.writeFile(file, new Uint8Array(w.buffer));
      return file;
    }));
    const spec = {
      dir,
      weights: SHAPES.map((shape, i) => ({ shape, file: files[i] })),
      prune: PRUNE,
      structured: STRUCTURED,
      quant: QUANT,
    };
    await Deno.writeTextFile(`${dir}/spec.json`, JSON.stringify(spec));
    const script = new URL("./torch_reference.py", import.meta.url).pathname;
    const run = await new Deno.Command("/usr/bin/python3", { args: [script, `${dir}/spec.json`] }).output();
    assert(run.success, `torch_reference.py failed:\n${new TextDecoder().decode(run.stderr)}`);
    const read = async (name: string) => new Float32Array((await Deno.readFile(`${dir}/${name}`)).buffer);

    const params = Object.fromEntries(weights.map((w, i) => [`w${i}`, tf.tensor(w, SHAPES[i])]));
    for (const [ci, c] of PRUNE.entries()) {
      const masks = await magnitudeMasks(params, { ...c });
      for (let i = 0; i < weights.length; i++) {
        const ours = await masks[`w${i}`].data(), theirs = await read(`prune_${ci}_${i}.f32`);
        assertEquals(Array.from(ours), Array.from(theirs), `prune case ${JSON.stringify(c)} tensor ${i}`);
      }
      tf.dispose(Object.values(masks));
    }
    // One tensor, units = rows (dim 0) or columns (dim 1), scored by L2 norm: prune.ln_structured(n=2).
    for (const [ci, c] of STRUCTURED.entries()) {
      for (let i = 0; i < weights.length; i++) {
        const group = { unitSize: 1, slices: [{ name: `w${i}`, axis: c.dim }] };
        const { masks } = await unitMasks(params, [group], { fraction: c.fraction });
        const ours = await masks[`w${i}`].data(), theirs = await read(`struct_${ci}_${i}.f32`);
        assertEquals(
          Array.from(ours),
          Array.from(theirs),
          `structured case ${JSON.stringify(c)} tensor ${i}`,
        );
        tf.dispose(Object.values(masks));
      }
    }
    tf.dispose(Object.values(params));

    for (const [ci, q] of QUANT.entries()) {
      for (let i = 0; i < weights.length; i++) {
        const { values, params: qp } = fakeQuantizeValues(weights[i], SHAPES[i], q);
        const ref = JSON.parse(await Deno.readTextFile(`${dir}/qparams_${ci}_${i}.json`));
        const what = `quant case ${JSON.stringify(q)} tensor ${i}`;
        assertEquals(Array.from(qp.scale), ref.scale, `${what}: scales`);
        assertEquals(Array.from(qp.zeroPoint), ref.zero_point, `${what}: zero points`);
        const theirs = await read(`quant_${ci}_${i}.f32`);
        let mismatches = 0;
        for (let k = 0; k < values.length; k++) if (!Object.is(values[k], theirs[k])) mismatches++;
        assertEquals(mismatches, 0, `${what}: ${mismatches} of ${values.length} values differ`);
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
