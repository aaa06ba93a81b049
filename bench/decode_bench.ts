/**
 * Decoding speed: greedy and beam search with the key/value cache against re-running the whole prefix each
 * step (`cache: false`), same model and inputs in the same run; the outputs must be identical.
 *
 *   deno run -A bench/decode_bench.ts [--backend native] [--length 40] [--batch 16] [--torch] [--profile]
 *
 * With `--torch`, PyTorch decodes the same shapes incrementally with a key/value cache in the same run
 * (`bench/torch_decode.py`), once with 2 threads (as ours) and once with 1 (which decodes these small batches
 * faster: OpenMP's hand-offs cost more than a second core gives), and the table gains tokens/s and the
 * ratio against each. Every time, ours and PyTorch's, is the faster of 2 timed runs after a warm-up.
 * With `--profile`, one more cached run of each decoder counts its tfjs kernel calls (`tf.profile`; the op
 * scopes that wrap kernels, such as `fusedMatMul__op`, are not counted) per decoder step: on a shared machine
 * a steadier measure of per-step overhead than seconds.
 * The model is randomly initialised (3 + 3 layers, width 256, 4 heads, vocabulary 8000) and EOS is never
 * produced first, so every sentence runs to `--length` tokens.
 *
 * @module
 */
import { parseArgs } from "@std/cli";
import { useBackend } from "../lib/backend/mod.ts";
import { tf } from "../lib/backend/tf.ts";
import { beamSearch, type DecodeOptions, greedyDecode } from "../lib/model/decode.ts";
import { disposeParams } from "../lib/model/params.ts";
import { initSeq2Seq } from "../lib/model/seq2seq.ts";
import { seq2seqConfig } from "../lib/model/seq2seq_config.ts";

const flags = parseArgs(Deno.args, { string: ["backend", "length", "batch"], boolean: ["torch", "profile"] });
const backend = await useBackend(flags.backend ?? "auto");
const maxLength = Number(flags.length ?? 40), b = Number(flags.batch ?? 16), s = 30;
const config = seq2seqConfig({
  vocabSize: 8000,
  encoderLayers: 3,
  decoderLayers: 3,
  hiddenSize: 256, // 4 heads of 64, feed-forward 1024 (modelShape)
  maxPositions: Math.max(64, maxLength),
});
const params = initSeq2Seq(config, 0);
const srcIds = Int32Array.from({ length: b * s }, (_, i) => 5 + (i * 7919) % 7000);
const source = { batchSize: b, srcLen: s, srcIds, srcMask: new Uint8Array(b * s).fill(1) };
const beamSource = {
  batchSize: 2,
  srcLen: s,
  srcIds: srcIds.slice(0, 2 * s),
  srcMask: source.srcMask.slice(0, 2 * s),
};
const base: DecodeOptions = { bos: 0, eos: 2, maxLength };

// The output and the faster of 2 timed runs after a warm-up (as torch_decode.py times).
async function timed<T>(f: () => Promise<T>): Promise<[T, number]> {
  let out = await f(), best = Infinity;
  for (let i = 0; i < 2; i++) {
    const t0 = performance.now();
    out = await f();
    best = Math.min(best, (performance.now() - t0) / 1000);
  }
  return [out, best];
}

interface TorchSeconds {
  greedySeconds: number;
  beamSeconds: number;
  torch: string;
}

async function torchSeconds(threads: number): Promise<TorchSeconds> {
  const out = await new Deno.Command("/usr/bin/python3", {
    args: [
      new URL("./torch_decode.py", import.meta.url).pathname,
      ...["--length", `${maxLength}`, "--batch", `${b}`, "--src", `${s}`, "--threads", `${threads}`],
    ],
    stderr: "inherit",
  }).output();
  if (!out.success) throw new Error("bench/torch_decode.py failed");
  return JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").pop()!);
}

const load = Deno.loadavg().map((x) => x.toFixed(2)).join(", ");
console.log(
  `backend ${backend.name} (${backend.device}); ${navigator.hardwareConcurrency} cores; length ${maxLength}; ` +
    `load average ${load}`,
);
// PyTorch with 2 threads (as ours) and with 1, each in its own process, before ours runs.
const torchRuns: [number, TorchSeconds][] = [];
for (const threads of flags.torch ? [2, 1] : []) {
  const t = await torchSeconds(threads);
  torchRuns.push([threads, t]);
  console.log(
    `PyTorch ${t.torch}, ${threads} thread${threads > 1 ? "s" : ""}: greedy ${
      t.greedySeconds.toFixed(2)
    } s, ` +
      `beam ${t.beamSeconds.toFixed(2)} s`,
  );
}
const torchHeads = torchRuns.map(([n]) => ` PyTorch ${n} thr tokens/s | vs PyTorch ${n} thr |`).join("");
console.log(
  `| decoder | sentences | with cache (s) | without (s) | speed-up | same output | tokens/s (cache) |${torchHeads}`,
);
console.log(`|---|---:|---:|---:|---:|---|---:|${"---:|---:|".repeat(torchRuns.length)}`);
for (
  const [name, n, run] of [
    ["greedy", b, (cache: boolean) => greedyDecode(params, source, config, { ...base, cache })],
    [
      "beam 4",
      2,
      (cache: boolean) => beamSearch(params, beamSource, config, { ...base, beamSize: 4, cache }),
    ],
  ] as const
) {
  const [withCache, a] = await timed(() => run(true));
  const [without, c] = await timed(() => run(false));
  const same = JSON.stringify(withCache) === JSON.stringify(without);
  const tokens = n * maxLength;
  const against = torchRuns.map(([, t]) => {
    const ref = name === "greedy" ? t.greedySeconds : t.beamSeconds;
    return ` ${(tokens / ref).toFixed(0)} | ${(ref / a).toFixed(2)} |`;
  }).join("");
  console.log(
    `| ${name} | ${n} | ${a.toFixed(2)} | ${c.toFixed(2)} | ${(c / a).toFixed(1)}× | ${same} | ` +
      `${(tokens / a).toFixed(0)} |${against}`,
  );
}
if (flags.profile) {
  console.log("\n| decoder | decoder steps | kernel calls | per step | most called |");
  console.log("|---|---:|---:|---:|---|");
  for (
    const [name, run] of [
      ["greedy", () => greedyDecode(params, source, config, base)],
      ["beam 4", () => beamSearch(params, beamSource, config, { ...base, beamSize: 4 })],
    ] as const
  ) {
    const counts = new Map<string, number>();
    const profile = await tf.profile(async () => void await run());
    for (const k of profile.kernels) {
      // Op scopes (`…__op`, custom-gradient scopes) wrap kernels that are counted on their own.
      if (!k.name.endsWith("__op") && k.name !== "unnamed scope") {
        counts.set(k.name, (counts.get(k.name) ?? 0) + 1);
      }
    }
    const calls = [...counts.values()].reduce((a, b) => a + b, 0);
    const top = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 4).map(([n, c]) => `${n} ${c}`).join(", ");
    // Every sentence runs to --length (EOS is never first), so both decoders take maxLength steps.
    console.log(`| ${name} | ${maxLength} | ${calls} | ${(calls / maxLength).toFixed(0)} | ${top} |`);
  }
}
disposeParams(params);
