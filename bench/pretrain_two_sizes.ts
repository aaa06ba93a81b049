/**
 * Validation perplexity over wall-clock for two model sizes, each pretrained with masked-LM on the bundled
 * WordNet corpus for the same training-time budget (default 3 minutes, evaluation excluded).
 *
 *   deno run -A bench/pretrain_two_sizes.ts [--seconds 180] [--backend auto] [--out bench/out/pretrain_two_sizes.json]
 *
 * Prints a markdown table (one row per evaluation point) and writes every record as JSON.
 *
 * @module
 */
import { parseArgs } from "@std/cli";
import { useBackend } from "../lib/backend/use_backend.ts";
import { DEMO_VOCAB_SIZE, pretrainMlm } from "../lib/experiments/pretrain.ts";
import { loadWordNetTokenized } from "../lib/data/wordnet_tokenized.ts";
import type { TrainRecord } from "../lib/train/loop.ts";

const flags = parseArgs(Deno.args, { string: ["seconds", "backend", "out"] });
const seconds = Number(flags.seconds ?? 180);
const out = flags.out ?? "bench/out/pretrain_two_sizes.json";
const backend = await useBackend(flags.backend);

// Same depth-to-width ratio family as the paper's sweep; 64-wide heads and a 4x feed-forward follow the
// width (modelShape in lib/model/config.ts).
const SIZES = {
  small: { numLayers: 2, hiddenSize: 128 },
  large: { numLayers: 4, hiddenSize: 256 },
};

const data = await loadWordNetTokenized({ seed: 0, vocabSize: DEMO_VOCAB_SIZE });
const load = () => Deno.loadavg().map((x) => x.toFixed(2)).join(" ");
console.log(`backend ${backend.name}; ${navigator.hardwareConcurrency} cores; load average ${load()}`);
const records: TrainRecord[] = [];
for (const [size, model] of Object.entries(SIZES)) {
  const run = pretrainMlm({ data, model, seconds, tags: { size, backend: backend.name } });
  for (let r = await run.next();; r = await run.next()) {
    if (r.done) {
      console.log(
        `${size}: ${r.value.status} after ${r.value.step} steps (${r.value.message}); load ${load()}`,
      );
      break;
    }
    records.push(r.value);
  }
}
await Deno.mkdir(out.replace(/\/[^/]*$/, ""), { recursive: true });
await Deno.writeTextFile(out, JSON.stringify(records, null, 1) + "\n");

console.log("\n| size | params | step | train seconds | tokens | val loss | val perplexity |");
console.log("|---|---:|---:|---:|---:|---:|---:|");
for (const r of records.filter((r) => r.valLoss !== null)) {
  console.log(
    `| ${r.size} | ${r.params} | ${r.step} | ${r.seconds.toFixed(1)} | ${r.tokens} | ${
      r.valLoss!.toFixed(3)
    } | ${r.valPerplexity!.toFixed(1)} |`,
  );
}
