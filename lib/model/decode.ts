/**
 * Autoregressive decoding for the encoder-decoder: greedy and beam search, both stopping on EOS.
 *
 * Each step runs the decoder on the newest token only: every layer keeps its self-attention keys and values
 * and the cross-attention keys and values of the encoder memory (`DecoderCache`), and only the last
 * position is projected to the vocabulary. `cache: false` recomputes the whole prefix instead (the same
 * numbers up to float32 rounding; for checking). Logits are read back asynchronously once per step.
 *
 * @module
 */
import { checkKeys, checkNumber, OptionError } from "../util/options.ts";
import { tf } from "../backend/tf.ts";
import type { Tensor2D } from "../backend/tf.ts";
import type { Memory } from "./block.ts";
import { logSoftmax } from "../backend/native/mod.ts";
import type { Params } from "./params.ts";
import {
  type DecoderCache,
  decoderCache,
  disposeDecoderCache,
  selectCachedRows,
  seq2seqDecoderStates,
  seq2seqEncode,
  seq2seqLogits,
  type SourceInput,
} from "./seq2seq.ts";
import type { Seq2SeqConfig } from "./seq2seq_config.ts";

/** Options shared by both decoders. */
export interface DecodeOptions {
  /** Decoder start token (`<s>`). */
  bos: number;
  /** End token (`</s>`): a hypothesis ends when it emits it. */
  eos: number;
  /** Most tokens generated per sentence, EOS included. */
  maxLength: number;
  /** Keep keys and values between steps (default true); false re-runs the decoder over the whole prefix. */
  cache?: boolean;
}

/** Options of `beamSearch`. */
export interface BeamOptions extends DecodeOptions {
  /** Hypotheses kept per step. Default 4. */
  beamSize?: number;
  /** α: hypotheses are ranked by Σ log p / lengthᵅ (fairseq's lenpen; length counts EOS). Default 1. */
  lengthPenalty?: number;
}

/** Encoder memory computed once, outside any tidy; dispose with `tf.dispose([m.states, m.bias])`. */
function encodeOnce(params: Params, source: SourceInput, config: Seq2SeqConfig): Memory {
  const [states, bias] = tf.tidy(() => {
    const m = seq2seqEncode(params, source, config, { training: false });
    return [m.states, m.bias!];
  });
  return { states: states as Tensor2D, length: source.srcLen, bias };
}

function checkDecode(o: DecodeOptions, config: Seq2SeqConfig, where: string, extra: string[] = []): void {
  checkKeys(where, o, ["bos", "eos", "maxLength", "cache", ...extra]);
  checkNumber(where, "maxLength", o.maxLength, { min: 1, integer: true });
  for (const k of ["bos", "eos"] as const) {
    checkNumber(where, k, o[k], { min: 0, below: config.vocabSize, integer: true });
  }
  if (o.maxLength > config.maxPositions) {
    throw new OptionError(
      where,
      "maxLength",
      `maxLength ${o.maxLength} exceeds the decoder's maxPositions ${config.maxPositions}`,
    );
  }
}

/**
 * Log-probabilities (rows, V) of the next token after each prefix row, read back. With `cache`, only the
 * newest token of each prefix is fed (the cache holds the rest) and the cache is extended.
 */
async function nextLogProbs(
  params: Params,
  prefixes: number[][],
  memory: Memory,
  config: Seq2SeqConfig,
  cache: DecoderCache | null,
): Promise<Float32Array> {
  const rows = prefixes.length, c = config.hiddenSize;
  const fed = cache ? prefixes.map((p) => p.slice(cache.length)) : prefixes;
  const t = fed[0].length;
  const out = tf.tidy(() => {
    const states = seq2seqDecoderStates(
      params,
      { decoderIds: Int32Array.from(fed.flat()), batchSize: rows, memory },
      config,
      { training: false, cache: cache ?? undefined },
    );
    // Only the last position of each row is projected to the vocabulary.
    const last = t === 1
      ? states
      : tf.reshape(tf.slice(tf.reshape(states, [rows, t, c]), [0, t - 1, 0], [rows, 1, c]), [rows, c]);
    return logSoftmax(seq2seqLogits(params, last as Tensor2D, config));
  });
  const data = (await out.data()) as Float32Array;
  out.dispose();
  return data;
}

/**
 * Greedy decoding of every sentence in `source`; returns token ids per sentence without BOS and EOS.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { greedyDecode } from "./decode.ts";
 * import { disposeParams } from "./params.ts";
 * import { initSeq2Seq } from "./seq2seq.ts";
 * import { seq2seqConfig } from "./seq2seq_config.ts";
 * const config = seq2seqConfig({ vocabSize: 20, encoderLayers: 1, decoderLayers: 1, hiddenSize: 8, numHeads: 2, intermediateSize: 16 });
 * const params = initSeq2Seq(config, 0);
 * const source = { batchSize: 1, srcLen: 2, srcIds: new Int32Array([5, 2]), srcMask: new Uint8Array([1, 1]) };
 * const [out] = await greedyDecode(params, source, config, { bos: 0, eos: 2, maxLength: 5 });
 * assert(out.length <= 5 && !out.includes(2));
 * disposeParams(params);
 * ```
 */
export async function greedyDecode(
  params: Params,
  source: SourceInput,
  config: Seq2SeqConfig,
  options: DecodeOptions,
): Promise<number[][]> {
  checkDecode(options, config, "greedyDecode");
  const b = source.batchSize, v = config.vocabSize;
  const memory = encodeOnce(params, source, config);
  const cache = options.cache === false ? null : decoderCache(config);
  try {
    const prefixes = Array.from({ length: b }, () => [options.bos]);
    const done = new Array(b).fill(false);
    for (let step = 0; step < options.maxLength && done.includes(false); step++) {
      const logp = await nextLogProbs(params, prefixes, memory, config, cache);
      for (let r = 0; r < b; r++) {
        let best = 0;
        for (let k = 1; k < v; k++) if (logp[r * v + k] > logp[r * v + best]) best = k;
        prefixes[r].push(done[r] ? options.eos : best);
        if (best === options.eos) done[r] = true;
      }
    }
    return prefixes.map((p) => {
      const out = p.slice(1);
      const end = out.indexOf(options.eos);
      return end < 0 ? out : out.slice(0, end);
    });
  } finally {
    tf.dispose([memory.states, memory.bias!]);
    if (cache) disposeDecoderCache(cache);
  }
}

// The m best tokens of row logp[base, base + v), best first; ties keep the lower token first.
function topTokens(logp: Float32Array, base: number, v: number, m: number): number[] {
  const best: number[] = [];
  for (let t = 0; t < v; t++) {
    const x = logp[base + t];
    if (best.length === m && !(x > logp[base + best[m - 1]])) continue;
    let i = best.length === m ? m - 1 : best.length;
    while (i > 0 && x > logp[base + best[i - 1]]) i--;
    if (best.length === m) best.pop();
    best.splice(i, 0, t);
  }
  return best;
}

interface Hypothesis {
  tokens: number[]; // generated so far, without BOS
  logProb: number;
  from: number; // the row of the hypothesis it extends, in the previous step's beam
}

/** One sentence's search: its live and ended hypotheses, and whether it still decodes. */
interface Beam {
  alive: Hypothesis[];
  finished: Hypothesis[];
  open: boolean;
}

/**
 * The memory that hypothesis rows read, row i from sentence `sentences[i]`: the padding bias always, the
 * states only without the cache (with it, the cross-attention keys and values follow the rows in the cache).
 * The caller disposes the result unless it is `all` itself.
 */
function rowMemory(all: Memory, sentences: number[], states: boolean): Memory {
  const n = all.bias!.shape[0];
  if (sentences.length === n && sentences.every((s, i) => s === i)) return all;
  const [rows, bias] = tf.tidy(() => {
    const idx = tf.tensor1d(sentences, "int32");
    const c = all.states.shape[1];
    return [
      states ? tf.reshape(tf.gather(tf.reshape(all.states, [n, -1]), idx), [-1, c]) : tf.clone(all.states),
      tf.gather(all.bias!, idx),
    ];
  });
  return { states: rows as Tensor2D, length: all.length, bias };
}

/**
 * Beam search per sentence; returns the best hypothesis per sentence (ids without BOS and EOS). A
 * hypothesis that reaches `maxLength` without EOS competes as it is. The hypotheses of all sentences still
 * searching are decoded together, one decoder step for the batch.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { beamSearch, greedyDecode } from "./decode.ts";
 * import { disposeParams } from "./params.ts";
 * import { initSeq2Seq } from "./seq2seq.ts";
 * import { seq2seqConfig } from "./seq2seq_config.ts";
 * const config = seq2seqConfig({ vocabSize: 20, encoderLayers: 1, decoderLayers: 1, hiddenSize: 8, numHeads: 2, intermediateSize: 16 });
 * const params = initSeq2Seq(config, 0);
 * const source = { batchSize: 1, srcLen: 2, srcIds: new Int32Array([5, 2]), srcMask: new Uint8Array([1, 1]) };
 * const options = { bos: 0, eos: 2, maxLength: 4 };
 * const [beam1] = await beamSearch(params, source, config, { ...options, beamSize: 1 });
 * const [greedy] = await greedyDecode(params, source, config, options);
 * assert(beam1.join() === greedy.join());
 * disposeParams(params);
 * ```
 */
export async function beamSearch(
  params: Params,
  source: SourceInput,
  config: Seq2SeqConfig,
  options: BeamOptions,
): Promise<number[][]> {
  checkDecode(options, config, "beamSearch", ["beamSize", "lengthPenalty"]);
  const k = options.beamSize ?? 4, alpha = options.lengthPenalty ?? 1, v = config.vocabSize;
  checkNumber("beamSearch", "beamSize", k, { min: 1, integer: true });
  checkNumber("beamSearch", "lengthPenalty", alpha); // any finite α (fairseq allows < 0: favours short output)
  const rank = (h: Hypothesis) => h.logProb / h.tokens.length ** alpha;
  const all = encodeOnce(params, source, config);
  const cache = options.cache === false ? null : decoderCache(config);
  const beams: Beam[] = Array.from(
    { length: source.batchSize },
    () => ({ alive: [{ tokens: [], logProb: 0, from: 0 }], finished: [], open: true }),
  );
  // The rows' memory, kept while the rows keep their sentences.
  const memo: { key: string; memory: Memory | null } = { key: "", memory: null };
  const forget = () => {
    if (memo.memory && memo.memory !== all) tf.dispose([memo.memory.states, memo.memory.bias!]);
  };
  try {
    // Row of each open sentence's first hypothesis in the previous step's batch.
    let firstRow = new Map<number, number>();
    for (let step = 0; step < options.maxLength; step++) {
      const open = beams.flatMap((beam, i) => beam.open ? [i] : []);
      if (open.length === 0) break;
      const sentences = open.flatMap((i) => beams[i].alive.map(() => i));
      // The cached rows follow the beams: row r continues the hypothesis it was extended from.
      if (cache && step > 0) {
        selectCachedRows(cache, open.flatMap((i) => beams[i].alive.map((h) => firstRow.get(i)! + h.from)));
      }
      const key = sentences.join();
      if (memo.memory === null || memo.key !== key) {
        forget();
        memo.key = key;
        memo.memory = rowMemory(all, sentences, cache === null);
      }
      const logp = await nextLogProbs(
        params,
        open.flatMap((i) => beams[i].alive.map((h) => [options.bos, ...h.tokens])),
        memo.memory!,
        config,
        cache,
      );
      const rows = new Map<number, number>();
      let row = 0;
      for (const i of open) {
        rows.set(i, row);
        const beam = beams[i], base = row;
        row += beam.alive.length;
        // At most k continuing and k EOS candidates are consumed below (one EOS token per row), so each
        // row's best 2k tokens are all that can matter; sorted as a stable sort of all k·V would order them.
        const candidates = beam.alive.flatMap((h, r) =>
          topTokens(logp, (base + r) * v, v, 2 * k).map((token) => ({
            from: r,
            token,
            logProb: h.logProb + logp[(base + r) * v + token],
          }))
        );
        candidates.sort((a, b) => b.logProb - a.logProb || a.from - b.from || a.token - b.token);
        // EOS candidates ranked above the k-th continuing one end their hypothesis; the rest are pruned.
        const next: Hypothesis[] = [];
        for (const cand of candidates) {
          if (next.length >= k) break;
          const tokens = [...beam.alive[cand.from].tokens, cand.token];
          (cand.token === options.eos ? beam.finished : next).push({
            tokens,
            logProb: cand.logProb,
            from: cand.from,
          });
        }
        beam.alive = next;
        beam.open = next.length > 0;
        // Done when k hypotheses have ended and no live one ranks above the k-th of them (HF's
        // heuristic; exact when lengthPenalty is 0, since log-probabilities only fall).
        if (beam.finished.length >= k) {
          beam.finished.sort((a, b) => rank(b) - rank(a));
          const bestAlive = Math.max(...beam.alive.map(rank));
          if (!(bestAlive > rank(beam.finished[k - 1]))) beam.open = false;
        }
      }
      firstRow = rows;
    }
    return beams.map(({ alive, finished }) => {
      const pool = [...finished, ...alive.filter((h) => h.tokens.length === options.maxLength)];
      pool.sort((a, b) => rank(b) - rank(a));
      const best = pool[0]?.tokens ?? [];
      return best.at(-1) === options.eos ? best.slice(0, -1) : best;
    });
  } finally {
    forget();
    tf.dispose([all.states, all.bias!]);
    if (cache) disposeDecoderCache(cache);
  }
}
