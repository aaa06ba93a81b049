/**
 * BLEU throughput on a synthetic 3,000-sentence corpus with two references per sentence.
 *
 * Run: `deno run -A bench/bleu_bench.ts [--sentences 3000] [--repeats 7]`
 * Prints one JSON row per tokenizer: median seconds per corpus_score and sentences per second, plus the ratio
 * to tokenizer "none" (whitespace split only) measured in the same run, the reference for the others' cost.
 */
import { parseArgs } from "@std/cli";
import { bleu, type BleuTokenizerName } from "../lib/metrics/bleu.ts";
import { createRng } from "../lib/util/random.ts";
import { median } from "./stats.ts";

const args = parseArgs(Deno.args, { default: { sentences: 3000, repeats: 7 } });
const rng = createRng(2020);
const vocab = Array.from({ length: 5000 }, (_, i) => `w${i.toString(36)}`);
const punct = [",", ".", "!", "?", "(", ")", '"', "'s", "-", "3.14", "1,000"];
const word = () =>
  rng.next() < 0.1 ? punct[rng.int(punct.length)] : vocab[Math.floor(vocab.length * rng.next() ** 2)];
const sentence = () => Array.from({ length: 10 + rng.int(30) }, word).join(" ");
const perturb = (s: string) => s.split(" ").map((w) => (rng.next() < 0.25 ? word() : w)).join(" ");
const refs0 = Array.from({ length: args.sentences }, sentence);
const refs1 = refs0.map(perturb);
const hyps = refs0.map(perturb);

// Repeats are interleaved across tokenizers so machine-load drift hits all of them alike.
const tokenizers: BleuTokenizerName[] = ["none", "13a", "intl", "char"];
const times = new Map<BleuTokenizerName, number[]>(tokenizers.map((t) => [t, []]));
const scores = new Map<BleuTokenizerName, number>();
for (const tokenize of tokenizers) {
  bleu(hyps.slice(0, 100), [refs0.slice(0, 100), refs1.slice(0, 100)], { tokenize });
}
for (let r = 0; r < args.repeats; r++) {
  for (const tokenize of tokenizers) {
    const t0 = performance.now();
    scores.set(tokenize, bleu(hyps, [refs0, refs1], { tokenize }).score);
    times.get(tokenize)!.push((performance.now() - t0) / 1000);
  }
}
const noneSeconds = median(times.get("none")!);
for (const tokenize of tokenizers) {
  const seconds = median(times.get(tokenize)!);
  console.log(JSON.stringify({
    tokenize,
    sentences: args.sentences,
    references: 2,
    seconds: +seconds.toFixed(4),
    sentencesPerSecond: Math.round(args.sentences / seconds),
    ratioToNone: +(seconds / noneSeconds).toFixed(2),
    score: +scores.get(tokenize)!.toFixed(2),
  }));
}
