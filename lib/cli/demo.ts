/**
 * `deno task demo`: pretrain a small RoBERTa-style encoder on the bundled WordNet corpus for a fixed number
 * of seconds, with live progress on the terminal, then print the validation-loss curve.
 *
 * @module
 */
import { useBackend } from "../backend/use_backend.ts";
import { progressBar } from "../display/progress.ts";
import { loadWordNetTokenized } from "../data/wordnet_tokenized.ts";
import { DEMO_VOCAB_SIZE, PRETRAIN_DEFAULTS, pretrainMlm } from "../experiments/pretrain.ts";
import type { TrainRecord } from "../train/loop.ts";
import { numberFlag, parseFlags } from "./flags.ts";

const USAGE =
  `usage: deno task demo [--seconds N] [--backend NAME] [--layers N] [--width N] [--batch N] [--seq N]

Pretrains a small masked-LM Transformer on WordNet for --seconds of training (default 90) and prints the
validation loss and perplexity against wall-clock seconds.
  --seconds N     training budget in seconds (evaluation excluded)        default 90
  --backend NAME  auto | tensorflow | webgpu | wasm | cpu (see README)    default $TRAINLARGE_BACKEND or auto
  --layers N      Transformer layers                                      default ${PRETRAIN_DEFAULTS.model.numLayers}
  --width N       model width (heads of 64)                               default ${PRETRAIN_DEFAULTS.model.hiddenSize}
  --batch N       sequences per step                                      default ${PRETRAIN_DEFAULTS.batchSize}
  --seq N         tokens per sequence                                     default ${PRETRAIN_DEFAULTS.seqLen}`;

const SPARK = "▁▂▃▄▅▆▇█";

/** A one-line sketch of a series: high values are tall bars. */
function sparkline(values: number[]): string {
  const lo = Math.min(...values), hi = Math.max(...values);
  return values.map((v) => SPARK[hi > lo ? Math.round(((v - lo) / (hi - lo)) * (SPARK.length - 1)) : 0]).join(
    "",
  );
}

/** The table and summary printed after the run; pure, so it is tested directly. */
export function demoSummary(records: readonly TrainRecord[]): string {
  const evals = records.filter((r) => r.valLoss !== null);
  if (evals.length === 0) return "no validation points were recorded";
  const lines = [
    "",
    "validation loss over wall-clock (training seconds):",
    "  seconds    step   val loss   perplexity",
  ];
  for (const r of evals) {
    lines.push(
      `  ${r.seconds.toFixed(1).padStart(7)} ${String(r.step).padStart(7)} ${
        r.valLoss!.toFixed(3).padStart(10)
      } ${r.valPerplexity!.toFixed(1).padStart(12)}`,
    );
  }
  const first = evals[0], last = evals[evals.length - 1];
  lines.push(`  curve: ${sparkline(evals.map((r) => r.valLoss!))}  (val loss, left = start)`);
  lines.push(
    `result: validation perplexity ${first.valPerplexity!.toFixed(1)} → ${
      last.valPerplexity!.toFixed(1)
    } in ` +
      `${last.seconds.toFixed(0)} s of training (${last.step} steps, ${
        (last.tokens / 1e6).toFixed(2)
      }M tokens, ${Math.round(last.tokensPerSecond)} tokens/s), stopped by: ${last.status}`,
  );
  return lines.join("\n");
}

/** Runs the demo with command-line `args`; returns the process exit code. */
export async function demo(args: string[]): Promise<number> {
  const flags = parseFlags("demo", args, {
    strings: ["seconds", "backend", "layers", "width", "batch", "seq"],
    booleans: ["help"],
  });
  if (flags.help) {
    console.log(USAGE);
    return 0;
  }
  const count = { min: 1, integer: true };
  const seconds = numberFlag(flags, "seconds", { command: "demo", fallback: 90, rule: { above: 0 } });
  const width = numberFlag(flags, "width", {
    command: "demo",
    fallback: PRETRAIN_DEFAULTS.model.hiddenSize,
    rule: count,
  });
  // Heads (width / 64) and feed-forward (4 × width) follow the width: encoderConfig derives them (modelShape).
  const model = {
    numLayers: numberFlag(flags, "layers", {
      command: "demo",
      fallback: PRETRAIN_DEFAULTS.model.numLayers,
      rule: count,
    }),
    hiddenSize: width,
  };
  const batchSize = numberFlag(flags, "batch", {
    command: "demo",
    fallback: PRETRAIN_DEFAULTS.batchSize,
    rule: count,
  });
  const seqLen = numberFlag(flags, "seq", {
    command: "demo",
    fallback: PRETRAIN_DEFAULTS.seqLen,
    rule: { min: 2, integer: true },
  });

  const backend = await useBackend(flags.backend as string | undefined);
  console.log("trainlarge demo: masked-LM pretraining of a RoBERTa-style encoder on WordNet 3.1");
  console.log(`backend: ${backend.name} — ${backend.device}, ${backend.threads} thread(s)`);
  const t0 = performance.now();
  const data = await loadWordNetTokenized({ vocabSize: DEMO_VOCAB_SIZE });
  const trainTokens = data.train.reduce((n, d) => n + d.length, 0);
  console.log(
    `data: ${data.train.length} training documents, ${(trainTokens / 1e6).toFixed(2)}M tokens, ` +
      `BPE vocabulary ${data.tokenizer.vocabSize} (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
  );
  const records: TrainRecord[] = [];
  const bar = progressBar({ seconds: seconds, label: `${model.numLayers}×${width}`, mode: "auto" });
  const run = pretrainMlm({ data, model, seconds, batchSize, seqLen });
  for await (const record of run) {
    if (records.length === 0) {
      console.log(`model: ${model.numLayers} layers × ${width} wide, ${record.params} parameters; training…`);
    }
    records.push(record);
    bar(record);
  }
  await bar.done();
  console.log(demoSummary(records));
  const status = records.at(-1)?.status;
  return status === "nan" || status === "diverged" ? 1 : 0;
}
