/**
 * Benchmark: BPE training on the WordNet pretraining split and encoding it, plus the cached one-call
 * loader (cold vs warm). Reference in the same run: UTF-8 encoding of the same text (TextEncoder), the
 * floor any byte-level tokenizer pays. Run: `deno run -A bench/bpe_bench.ts`; prints a Markdown table.
 *
 * @module
 */
import { loadWordNetCorpus } from "../lib/data/wordnet.ts";
import { trainBpe } from "../lib/data/bpe_train.ts";
import { loadWordNetTokenized } from "../lib/data/wordnet_tokenized.ts";
import { toTokenizerJson } from "../lib/data/tokenizer_json.ts";
import { Tokenizer as HfTokenizer } from "@huggingface/tokenizers";

const time = async <T>(f: () => T | Promise<T>): Promise<[T, number]> => {
  const t0 = performance.now();
  const r = await f();
  return [r, (performance.now() - t0) / 1000];
};

const [corpus, tLoad] = await time(() => loadWordNetCorpus({ seed: 0 }));
const text = corpus.train;
const chars = text.reduce((n, d) => n + d.length, 0);
const words = text.reduce((n, d) => n + d.split(/\s+/).length, 0);
const [bytes, tUtf8] = await time(() => text.reduce((n, d) => n + new TextEncoder().encode(d).length, 0));
const rows: string[] = [];
rows.push(
  `| load + parse WordNet (117,791 synsets) | ${
    tLoad.toFixed(2)
  } s | ${text.length} train docs, ${words} words |`,
);
rows.push(`| reference: UTF-8 encode train split | ${tUtf8.toFixed(3)} s | ${bytes} bytes |`);
for (const [vocabSize, maxChars] of [[2000, 0], [8000, 0], [8000, 2_000_000], [16000, 0]]) {
  const [tok, tTrain] = await time(() => trainBpe(text, { vocabSize, maxChars }));
  const [n, tEnc] = await time(() => text.reduce((s, d) => s + tok.encode(d).length, 0));
  const sample = maxChars ? `, trained on first ${maxChars / 1e6}M chars` : "";
  rows.push(
    `| trainBpe vocab ${vocabSize}${sample} | ${tTrain.toFixed(2)} s | ` +
      `encode train: ${tEnc.toFixed(2)} s (${(n / tEnc / 1e6).toFixed(2)}M tok/s, ${
        (tEnc / tUtf8).toFixed(0)
      }× UTF-8), ` +
      `${n} tokens, ${(bytes / n).toFixed(2)} bytes/token |`,
  );
  if (vocabSize === 8000 && !maxChars) {
    const hf = new HfTokenizer(JSON.parse(toTokenizerJson(tok)), {});
    const [m, tHf] = await time(() =>
      text.reduce((s, d) => s + hf.encode(d, { add_special_tokens: false }).ids.length, 0)
    );
    rows.push(
      `| reference: @huggingface/tokenizers 0.2.0 encode, same tokenizer.json | ${tHf.toFixed(2)} s | ` +
        `${m} tokens (${m === n ? "same count" : "COUNT DIFFERS"}); ours takes ${
          (tEnc / tHf).toFixed(2)
        }× its time |`,
    );
  }
}
const dir = await Deno.makeTempDir();
const [, tCold] = await time(() => loadWordNetTokenized({ seed: 0, vocabSize: 8000, cacheDir: dir }));
const [, tWarm] = await time(() => loadWordNetTokenized({ seed: 0, vocabSize: 8000, cacheDir: dir }));
await Deno.remove(dir, { recursive: true });
rows.push(
  `| loadWordNetTokenized vocab 8000, cold cache (train BPE + encode 3 splits + write) | ${
    tCold.toFixed(2)
  } s | |`,
);
rows.push(
  `| loadWordNetTokenized vocab 8000, warm cache | ${tWarm.toFixed(2)} s | ${
    (tCold / tWarm).toFixed(1)
  }× faster |`,
);
console.log(
  `| step | time | notes |\n|---|---|---|\n${rows.join("\n")}\n\n(${chars} characters in the train split)`,
);
