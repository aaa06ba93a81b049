/**
 * Pruning and quantization time on a 20M-parameter record named like a RoBERTa encoder (6 layers, width 512,
 * FFN 2048, 2,400-row embedding table), plus compressed file sizes.
 *
 * Run: `deno run -A bench/compress_bench.ts [--torch]`
 * Reference in the same run: one pass over every weight (`await t.data()` and a sum of |w|), the floor for
 * any method that must look at all weights. With `--torch` it also times PyTorch 1.13 (python3) doing
 * `global_unstructured` and per-channel fake quantization on tensors of the same shapes.
 * Prints one JSON row per operation.
 */
import { parseArgs } from "@std/cli";
import { tf } from "../lib/backend/tf.ts";
import { encodeRecord } from "../lib/compress/compressed_file.ts";
import { decodeCompressed } from "../lib/compress/compressed_format.ts";
import { magnitudeMasks, maskedCopy } from "../lib/compress/magnitude_prune.ts";
import { fakeQuantizeRecord } from "../lib/compress/quantize_record.ts";
import { attentionHeadGroup, ffnNeuronGroup, unitMasks } from "../lib/compress/structured_prune.ts";

const args = parseArgs(Deno.args, { boolean: ["torch"] });
const LAYERS = 6, C = 512, FF = 2048, V = 2400;
const shapes: Record<string, number[]> = { "roberta.embeddings.word_embeddings.weight": [V, C] };
for (let l = 0; l < LAYERS; l++) {
  const p = `roberta.encoder.layer.${l}.`;
  for (const n of ["query", "key", "value"]) shapes[`${p}attention.self.${n}.weight`] = [C, C];
  shapes[`${p}attention.output.dense.weight`] = [C, C];
  shapes[`${p}intermediate.dense.weight`] = [FF, C];
  shapes[`${p}output.dense.weight`] = [C, FF];
}
const params: Record<string, tf.Tensor> = {};
let seed = 1;
for (const [name, shape] of Object.entries(shapes)) {
  params[name] = tf.randomNormal(shape, 0, 0.02, "float32", seed++);
}
const total = Object.values(params).reduce((s, t) => s + t.size, 0);

async function time<T>(label: string, f: () => Promise<T>, extra: (r: T) => object = () => ({})) {
  const t0 = performance.now();
  const r = await f();
  const seconds = (performance.now() - t0) / 1000;
  return { r, row: { op: label, parameters: total, seconds: +seconds.toFixed(3), ...extra(r) } };
}

const rows: Record<string, unknown>[] = [];
// Reference: one pass over every weight (read + |w| sum), the floor for anything that must rank all weights.
const read = await time("one abs-sum pass over all weights (reference)", async () => {
  let s = 0;
  for (const t of Object.values(params)) {
    const v = await t.data();
    for (let i = 0; i < v.length; i++) s += Math.abs(v[i]);
  }
  return s;
});
const ref = read.row.seconds;
rows.push(read.row);
const add = (row: { seconds: number } & Record<string, unknown>) =>
  rows.push({ ...row, ratioToRead: +(row.seconds / ref).toFixed(1) });

const g = await time("magnitude masks, global 50%", () => magnitudeMasks(params, { sparsity: 0.5 }));
add(g.row);
const pt = await time(
  "magnitude masks, per-tensor 50%",
  () => magnitudeMasks(params, { sparsity: 0.5, scope: "per-tensor" }),
);
add(pt.row);
tf.dispose(Object.values(pt.r));
const groups = Array.from({ length: LAYERS }, (_, l) => {
  const p = `roberta.encoder.layer.${l}.`;
  return [
    attentionHeadGroup({
      qkv: ["query", "key", "value"].map((n) => `${p}attention.self.${n}.weight`),
      output: `${p}attention.output.dense.weight`,
      headSize: 64,
    }),
    ffnNeuronGroup({ intermediate: `${p}intermediate.dense.weight`, output: `${p}output.dense.weight` }),
  ];
}).flat();
const st = await time(
  "structured masks, 50% heads + neurons",
  () => unitMasks(params, groups, { fraction: 0.5 }),
);
add(st.row);
tf.dispose(Object.values(st.r.masks));
for (const bits of [8, 4]) {
  const q = await time(
    `fake quantize ${bits}-bit symmetric per-channel`,
    () => fakeQuantizeRecord(params, { bits }),
    (r) => ({
      compressionVsFloat32: +(r.denseBits / r.totalBits).toFixed(2),
    }),
  );
  add(q.row);
  tf.dispose(Object.values(q.r.params));
}
const pruned = maskedCopy(params, g.r);
const sp = await time(
  "encode sparse file (50% pruned)",
  () => encodeRecord(pruned, { encoding: "sparse" }),
  (b) => ({
    fileMB: +(b.length / 2 ** 20).toFixed(2),
    denseMB: +(total * 4 / 2 ** 20).toFixed(2),
  }),
);
add(sp.row);
const qf = await time(
  "encode 4-bit quantized file",
  () => encodeRecord(params, { encoding: "quantized", quantize: { bits: 4 } }),
  (b) => ({
    fileMB: +(b.length / 2 ** 20).toFixed(2),
  }),
);
add(qf.row);
add(
  (await time("decode sparse file (checksums, validation)", () => Promise.resolve(decodeCompressed(sp.r))))
    .row,
);
add(
  (await time(
    "decode 4-bit quantized file (checksums, validation)",
    () => Promise.resolve(decodeCompressed(qf.r)),
  )).row,
);
tf.dispose([...Object.values(g.r), ...Object.values(pruned)]);

if (args.torch) {
  const script = `
import time, torch, torch.nn.utils.prune as prune
from torch.ao.quantization.observer import PerChannelMinMaxObserver
torch.manual_seed(0); torch.set_num_threads(2)
shapes = ${JSON.stringify(Object.values(shapes))}
class H(torch.nn.Module):
    def __init__(s, shape):
        super().__init__(); s.w = torch.nn.Parameter(torch.randn(*shape) * 0.02)
hs = [H(s) for s in shapes]
t = time.perf_counter(); prune.global_unstructured([(h, "w") for h in hs], pruning_method=prune.L1Unstructured, amount=0.5)
print("torch global_unstructured 50%", time.perf_counter() - t)
ws = [torch.randn(*s) * 0.02 for s in shapes]
t = time.perf_counter()
for w in ws:
    o = PerChannelMinMaxObserver(ch_axis=0, dtype=torch.qint8, qscheme=torch.per_channel_symmetric); o(w)
    sc, zp = o.calculate_qparams(); torch.fake_quantize_per_channel_affine(w, sc.float(), zp.to(torch.int32), 0, -128, 127)
print("torch fake quantize 8-bit symmetric per-channel", time.perf_counter() - t)
`;
  const out = await new Deno.Command("/usr/bin/python3", { args: ["-c", script] }).output();
  if (!out.success) throw new Error(`torch reference failed: ${new TextDecoder().decode(out.stderr)}`);
  for (const line of new TextDecoder().decode(out.stdout).trim().split("\n")) {
    const i = line.lastIndexOf(" ");
    add({ op: line.slice(0, i), parameters: total, seconds: +(+line.slice(i + 1)).toFixed(3) });
  }
}
for (const row of rows) console.log(JSON.stringify(row));
tf.dispose(Object.values(params));
