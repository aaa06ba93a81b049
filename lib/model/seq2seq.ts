/**
 * BART-style encoder-decoder for translation: parameters, encoder, decoder and the token-level loss.
 *
 * Shapes: B = batch, S = source length, T = target length, C = hiddenSize, V = vocabSize. Names follow
 * HF BART (`model.shared`, `model.encoder.layers.0.self_attn.q_proj`, `…encoder_attn…`, `fc1`, `fc2`,
 * `final_logits_bias`); the output projection is tied to the (target) token embeddings. Positions are
 * 0..T-1 (BART offsets them by 2); pre-LN adds `model.{encoder,decoder}.layer_norm` as mBART does.
 *
 * @module
 */
import { tf } from "../backend/tf.ts";
import type { Scalar, Tensor, Tensor1D, Tensor2D } from "../backend/tf.ts";
import type { Seq2SeqBatch } from "../data/types.ts";
import { createRng } from "../util/random.ts";
import { type AttentionNames, causalBias, paddingBias } from "./attention.ts";
import { type BlockCache, type BlockNames, type Memory, transformerBlock } from "./block.ts";
import { type Dropout, type ForwardOptions, gatherRows, layerNorm, makeDropout, param } from "./layers.ts";
import { crossEntropy } from "./loss.ts";
import { affine } from "../backend/native/mod.ts";
import { ParamBuilder, type Params } from "./params.ts";
import type { Seq2SeqConfig } from "./seq2seq_config.ts";

/**
 * Name of the token-embedding table used by `side`.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { embeddingName } from "./seq2seq.ts";
 * import { seq2seqConfig } from "./seq2seq_config.ts";
 * assert(embeddingName(seq2seqConfig({ shareEmbeddings: false }), "decoder") === "model.decoder.embed_tokens.weight");
 * ```
 */
export function embeddingName(config: Seq2SeqConfig, side: "encoder" | "decoder"): string {
  return config.shareEmbeddings ? "model.shared.weight" : `model.${side}.embed_tokens.weight`;
}

function attentionNames(prefix: string): AttentionNames {
  return {
    query: `${prefix}.q_proj`,
    key: `${prefix}.k_proj`,
    value: `${prefix}.v_proj`,
    output: `${prefix}.out_proj`,
  };
}

function blockNames(l: string, decoder: boolean): BlockNames {
  return {
    selfAttention: attentionNames(`${l}.self_attn`),
    selfAttentionNorm: `${l}.self_attn_layer_norm`,
    ...(decoder
      ? {
        crossAttention: attentionNames(`${l}.encoder_attn`),
        crossAttentionNorm: `${l}.encoder_attn_layer_norm`,
      }
      : {}),
    ffnIn: `${l}.fc1`,
    ffnOut: `${l}.fc2`,
    ffnNorm: `${l}.final_layer_norm`,
  };
}

/**
 * Fresh, seeded encoder-decoder parameters; the caller disposes them (`disposeParams`).
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { disposeParams } from "./params.ts";
 * import { initSeq2Seq } from "./seq2seq.ts";
 * import { seq2seqConfig } from "./seq2seq_config.ts";
 * import { paramCount } from "./size.ts";
 * const config = seq2seqConfig({ vocabSize: 40, encoderLayers: 1, decoderLayers: 1, hiddenSize: 8, numHeads: 2, intermediateSize: 16 });
 * const params = initSeq2Seq(config, 0);
 * assert(paramCount(params) === paramCount(config));
 * disposeParams(params);
 * ```
 */
export function initSeq2Seq(config: Seq2SeqConfig, seed: number): Params {
  const { vocabSize: v, hiddenSize: c, intermediateSize: f } = config;
  const b = new ParamBuilder(createRng(`seq2seq:${seed}`), config.initStd);
  if (config.shareEmbeddings) b.normal("model.shared.weight", [v, c]);
  for (const side of ["encoder", "decoder"] as const) {
    if (!config.shareEmbeddings) b.normal(`model.${side}.embed_tokens.weight`, [v, c]);
    b.normal(`model.${side}.embed_positions.weight`, [config.maxPositions, c]);
    b.layerNorm(`model.${side}.layernorm_embedding`, c);
    const layers = side === "encoder" ? config.encoderLayers : config.decoderLayers;
    for (let i = 0; i < layers; i++) {
      const n = blockNames(`model.${side}.layers.${i}`, side === "decoder");
      const attentions = n.crossAttention ? [n.selfAttention, n.crossAttention] : [n.selfAttention];
      const norms = n.crossAttentionNorm
        ? [n.selfAttentionNorm, n.crossAttentionNorm]
        : [n.selfAttentionNorm];
      attentions.forEach((a, k) => {
        for (const proj of [a.query, a.key, a.value, a.output]) b.linear(proj, c, c);
        b.layerNorm(norms[k], c);
      });
      b.linear(n.ffnIn, f, c);
      b.linear(n.ffnOut, c, f);
      b.layerNorm(n.ffnNorm, c);
    }
    if (config.layerNorm === "pre") b.layerNorm(`model.${side}.layer_norm`, c);
  }
  b.fill("final_logits_bias", [1, v], 0);
  return b.params;
}

function checkIds(ids: Int32Array, what: string, config: Seq2SeqConfig, length: number): void {
  if (length > config.maxPositions) {
    throw new Error(
      `seq2seq: ${what} length ${length} exceeds maxPositions ${config.maxPositions}; truncate or raise it`,
    );
  }
  for (let i = 0; i < ids.length; i++) {
    if (!(ids[i] >= 0 && ids[i] < config.vocabSize)) {
      throw new Error(`seq2seq: ${what}[${i}] = ${ids[i]} is outside [0, vocabSize = ${config.vocabSize})`);
    }
  }
}

function embed(
  params: Params,
  side: "encoder" | "decoder",
  ids: Int32Array,
  b: number,
  t: number,
  config: Seq2SeqConfig,
  drop: Dropout,
  past = 0,
): Tensor2D {
  const c = config.hiddenSize;
  const tokens = gatherRows(param(params, embeddingName(config, side)), ids); // (B·T, C)
  // Positions past … past + T − 1 (past > 0 when decoding with a cache).
  const pos = tf.slice(param(params, `model.${side}.embed_positions.weight`), [past, 0], [t, -1]); // (T, C)
  // One position per row (a decoding step): (B, C) + (1, C) needs no regrouping.
  const x = t === 1
    ? tf.add(tokens, pos) as Tensor2D
    : tf.reshape(tf.add(tf.reshape(tokens, [b, t, c]), pos), [b * t, c]) as Tensor2D;
  return drop(layerNorm(params, `model.${side}.layernorm_embedding`, x, config.layerNormEps), config.dropout);
}

/** Source side of a batch. */
export interface SourceInput {
  /** Sentences in the batch, B. */
  batchSize: number;
  /** Padded source length, S. */
  srcLen: number;
  /** Source token ids, (B, S) row-major. */
  srcIds: Int32Array;
  /** 1 at real source tokens, 0 at padding, (B, S). */
  srcMask: Uint8Array;
}

/**
 * Encoder output as decoder memory: states (B·S, C) plus the source padding bias. Synchronous.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { tf } from "../backend/tf.ts";
 * import { disposeParams } from "./params.ts";
 * import { initSeq2Seq, seq2seqEncode } from "./seq2seq.ts";
 * import { seq2seqConfig } from "./seq2seq_config.ts";
 * const config = seq2seqConfig({ vocabSize: 20, encoderLayers: 1, decoderLayers: 1, hiddenSize: 8, numHeads: 2, intermediateSize: 16 });
 * const params = initSeq2Seq(config, 0);
 * const source = { batchSize: 2, srcLen: 3, srcIds: new Int32Array([5, 6, 2, 7, 2, 1]), srcMask: new Uint8Array([1, 1, 1, 1, 1, 0]) };
 * const states = tf.tidy(() => seq2seqEncode(params, source, config, { training: false }).states);
 * assert(states.shape.join() === "6,8");
 * states.dispose();
 * disposeParams(params);
 * ```
 */
export function seq2seqEncode(
  params: Params,
  input: SourceInput,
  config: Seq2SeqConfig,
  options: ForwardOptions,
  drop: Dropout = makeDropout(options),
): Memory {
  const { batchSize: b, srcLen: s } = input;
  if (input.srcIds.length !== b * s || input.srcMask.length !== b * s) {
    throw new Error(
      `seq2seq: srcIds/srcMask have ${input.srcIds.length}/${input.srcMask.length} entries, expected ${b}·${s}`,
    );
  }
  checkIds(input.srcIds, "srcIds", config, s);
  const bias = paddingBias(input.srcMask, b, s);
  const settings = { ...config, batchSize: b, seqLen: s };
  let x = embed(params, "encoder", input.srcIds, b, s, config, drop);
  for (let i = 0; i < config.encoderLayers; i++) {
    x = transformerBlock(params, x, {
      names: blockNames(`model.encoder.layers.${i}`, false),
      selfBias: bias,
      settings,
      dropout: drop,
    });
  }
  if (config.layerNorm === "pre") x = layerNorm(params, "model.encoder.layer_norm", x, config.layerNormEps);
  return { states: x, length: s, bias };
}

/**
 * Decoder logits (B·T, V) for decoder inputs `decoderIds` (B, T) attending causally to themselves and to
 * `memory`: `seq2seqLogits` of `seq2seqDecoderStates`. Synchronous.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { tf } from "../backend/tf.ts";
 * import { disposeParams } from "./params.ts";
 * import { initSeq2Seq, seq2seqDecode, seq2seqEncode } from "./seq2seq.ts";
 * import { seq2seqConfig } from "./seq2seq_config.ts";
 * const config = seq2seqConfig({ vocabSize: 20, encoderLayers: 1, decoderLayers: 1, hiddenSize: 8, numHeads: 2, intermediateSize: 16 });
 * const params = initSeq2Seq(config, 0);
 * const source = { batchSize: 1, srcLen: 2, srcIds: new Int32Array([5, 2]), srcMask: new Uint8Array([1, 1]) };
 * const logits = tf.tidy(() => {
 *   const memory = seq2seqEncode(params, source, config, { training: false });
 *   return seq2seqDecode(params, { decoderIds: new Int32Array([0, 9, 4]), batchSize: 1, memory }, config, { training: false });
 * });
 * assert(logits.shape.join() === "3,20"); // (B·T, V)
 * logits.dispose();
 * disposeParams(params);
 * ```
 */
export function seq2seqDecode(
  params: Params,
  input: DecoderInput,
  config: Seq2SeqConfig,
  options: DecoderOptions,
): Tensor2D {
  return seq2seqLogits(params, seq2seqDecoderStates(params, input, config, options), config);
}

/** What the decoder reads: B rows of decoder ids (B·T, flat) and the encoder memory. */
export interface DecoderInput {
  /** (B·T) decoder input ids, row-major. */
  decoderIds: Int32Array;
  /** B. */
  batchSize: number;
  /** The encoder's output (`seq2seqEncode`). */
  memory: Memory;
}

/** Forward options of the decoder: training/seed, plus an explicit dropout and a decoding cache. */
export interface DecoderOptions extends ForwardOptions {
  /** The step's dropout; default `makeDropout(options)`. */
  dropout?: Dropout;
  /** Incremental-decoding cache (see `decoderCache`), updated in place. */
  cache?: DecoderCache;
}

/**
 * What incremental decoding keeps between steps: every decoder layer's keys and values, and how many
 * positions they cover. Start with `decoderCache(config)`; free with `disposeDecoderCache`.
 */
export interface DecoderCache {
  /** One per decoder layer. */
  layers: BlockCache[];
  /** Positions already decoded (and cached). */
  length: number;
}

/**
 * An empty decoder cache for `config`.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { decoderCache, disposeDecoderCache } from "./seq2seq.ts";
 * import { seq2seqConfig } from "./seq2seq_config.ts";
 * const config = seq2seqConfig({ vocabSize: 20, decoderLayers: 2, hiddenSize: 8, numHeads: 2, intermediateSize: 16 });
 * const cache = decoderCache(config);
 * assert(cache.layers.length === 2 && cache.length === 0);
 * disposeDecoderCache(cache);
 * ```
 */
export function decoderCache(config: Seq2SeqConfig): DecoderCache {
  const empty = () => ({ k: null, v: null });
  return {
    layers: Array.from({ length: config.decoderLayers }, () => ({ self: empty(), cross: empty() })),
    length: 0,
  };
}

function cachedTensors(cache: DecoderCache): Tensor[] {
  return cache.layers.flatMap((l) => [l.self.k, l.self.v, l.cross.k, l.cross.v]).filter((t) => t !== null);
}

/**
 * Frees every tensor in `cache` and empties it.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { decoderCache, disposeDecoderCache } from "./seq2seq.ts";
 * import { seq2seqConfig } from "./seq2seq_config.ts";
 * const cache = decoderCache(seq2seqConfig({ vocabSize: 20, hiddenSize: 8, numHeads: 2, intermediateSize: 16 }));
 * disposeDecoderCache(cache);
 * assert(cache.length === 0);
 * ```
 */
export function disposeDecoderCache(cache: DecoderCache): void {
  tf.dispose(cachedTensors(cache));
  for (const l of cache.layers) l.self = l.cross = { k: null, v: null };
  cache.length = 0;
}

/**
 * Reorders (and repeats or drops) the cached sequences: row i of the result is sequence `rows[i]` of the
 * cache. Beam search calls it when hypotheses are extended from different parents.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { tf } from "../backend/tf.ts";
 * import { decoderCache, disposeDecoderCache, selectCachedRows } from "./seq2seq.ts";
 * import { seq2seqConfig } from "./seq2seq_config.ts";
 * const cache = decoderCache(seq2seqConfig({ vocabSize: 20, decoderLayers: 1, hiddenSize: 2, numHeads: 1, intermediateSize: 4 }));
 * cache.layers[0].self = { k: tf.tensor2d([[1, 1], [2, 2]]), v: tf.tensor2d([[3, 3], [4, 4]]) }; // 2 sequences, 1 position
 * cache.length = 1;
 * selectCachedRows(cache, [1, 1, 0]);
 * assert((await cache.layers[0].self.k!.data()).join() === "2,2,2,2,1,1");
 * disposeDecoderCache(cache);
 * ```
 */
export function selectCachedRows(cache: DecoderCache, rows: number[]): void {
  const first = cache.layers[0]?.self.k;
  if (!first || cache.length === 0) return;
  const t = cache.length, sequences = first.shape[0] / t;
  // Self-attention rows are grouped by position (row p·B + b), cross-attention rows by sequence.
  const byPosition = new Int32Array(t * rows.length);
  for (let p = 0; p < t; p++) rows.forEach((r, i) => byPosition[p * rows.length + i] = p * sequences + r);
  const [positionIdx, sequenceIdx] = [tf.tensor1d(byPosition, "int32"), tf.tensor1d(rows, "int32")];
  const pick = (x: Tensor2D | null, grouped: "position" | "sequence"): Tensor2D | null => {
    if (x === null) return null;
    const c = x.shape[1];
    const out = tf.tidy(() =>
      grouped === "position"
        ? tf.gather(x, positionIdx) as Tensor2D
        : tf.reshape(tf.gather(tf.reshape(x, [sequences, -1]), sequenceIdx), [-1, c]) as Tensor2D
    );
    x.dispose();
    return tf.keep(out);
  };
  for (const l of cache.layers) {
    l.self = { k: pick(l.self.k, "position"), v: pick(l.self.v, "position") };
    l.cross = { k: pick(l.cross.k, "sequence"), v: pick(l.cross.v, "sequence") };
  }
  tf.dispose([positionIdx, sequenceIdx]);
}

/**
 * The decoder's final hidden states (B·T, C) for decoder inputs `decoderIds` (B, T), before the output
 * projection (`seq2seqLogits`). Decoding projects only the last position of each row. With `cache`,
 * `decoderIds` are only the new positions: they attend to the cached earlier ones, and the cache is extended
 * in place.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { tf } from "../backend/tf.ts";
 * import { disposeParams } from "./params.ts";
 * import { initSeq2Seq, seq2seqDecoderStates, seq2seqEncode } from "./seq2seq.ts";
 * import { seq2seqConfig } from "./seq2seq_config.ts";
 * const config = seq2seqConfig({ vocabSize: 20, encoderLayers: 1, decoderLayers: 1, hiddenSize: 8, numHeads: 2, intermediateSize: 16 });
 * const params = initSeq2Seq(config, 0);
 * const source = { batchSize: 1, srcLen: 2, srcIds: new Int32Array([5, 2]), srcMask: new Uint8Array([1, 1]) };
 * const states = tf.tidy(() => {
 *   const memory = seq2seqEncode(params, source, config, { training: false });
 *   return seq2seqDecoderStates(params, { decoderIds: new Int32Array([0, 9, 4]), batchSize: 1, memory }, config, { training: false });
 * });
 * assert(states.shape.join() === "3,8"); // (B·T, C)
 * states.dispose();
 * disposeParams(params);
 * ```
 */
export function seq2seqDecoderStates(
  params: Params,
  input: DecoderInput,
  config: Seq2SeqConfig,
  options: DecoderOptions,
): Tensor2D {
  const { decoderIds, batchSize, memory } = input;
  const drop = options.dropout ?? makeDropout(options), cache = options.cache;
  const t = decoderIds.length / batchSize;
  if (!Number.isInteger(t)) {
    throw new Error(`seq2seq: ${decoderIds.length} decoder ids do not split into ${batchSize} rows`);
  }
  const past = cache?.length ?? 0;
  checkIds(decoderIds, "decoderInputIds", config, past + t);
  const settings = { ...config, batchSize, seqLen: t };
  // One new position sees every earlier one: no mask needed.
  const self = t === 1 ? null : causalBias(t, past);
  const before = cache ? cachedTensors(cache) : [];
  let x = embed(params, "decoder", decoderIds, batchSize, t, config, drop, past);
  for (let i = 0; i < config.decoderLayers; i++) {
    x = transformerBlock(params, x, {
      names: blockNames(`model.decoder.layers.${i}`, true),
      selfBias: self,
      memory,
      settings,
      dropout: drop,
      cache: cache?.layers[i],
    });
  }
  if (cache) {
    // The self-attention keys and values that were extended are replaced: free the old ones.
    const now = new Set(cachedTensors(cache));
    tf.dispose(before.filter((tensor) => !now.has(tensor)));
    cache.length = past + t;
  }
  if (config.layerNorm === "pre") x = layerNorm(params, "model.decoder.layer_norm", x, config.layerNormEps);
  return x;
}

/**
 * Logits (N, V) from decoder states (N, C): the tied output projection plus `final_logits_bias`.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { tf } from "../backend/tf.ts";
 * import { disposeParams } from "./params.ts";
 * import { initSeq2Seq, seq2seqLogits } from "./seq2seq.ts";
 * import { seq2seqConfig } from "./seq2seq_config.ts";
 * const config = seq2seqConfig({ vocabSize: 20, encoderLayers: 1, decoderLayers: 1, hiddenSize: 8, numHeads: 2, intermediateSize: 16 });
 * const params = initSeq2Seq(config, 0);
 * const logits = tf.tidy(() => seq2seqLogits(params, tf.zeros([3, 8]), config));
 * assert(logits.shape.join() === "3,20" && (await logits.data()).every((v) => v === 0)); // bias starts at 0
 * logits.dispose();
 * disposeParams(params);
 * ```
 */
export function seq2seqLogits(params: Params, states: Tensor2D, config: Seq2SeqConfig): Tensor2D {
  const table = param(params, embeddingName(config, "decoder"));
  // final_logits_bias is (1, V) as in BART's checkpoints: its one row is the bias vector.
  return affine(states, table as Tensor2D, tf.reshape(param(params, "final_logits_bias"), [-1]) as Tensor1D);
}

/** Options of `seq2seqLoss`. */
export interface Seq2SeqLossOptions extends ForwardOptions {
  /** Label smoothing ε (the paper's translation runs use 0.1). Default 0. */
  labelSmoothing?: number;
}

/**
 * Mean token cross-entropy over real target positions (teacher forcing). Synchronous; returns a scalar.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { tf } from "../backend/tf.ts";
 * import { disposeParams } from "./params.ts";
 * import { initSeq2Seq, seq2seqLoss } from "./seq2seq.ts";
 * import { seq2seqConfig } from "./seq2seq_config.ts";
 * const config = seq2seqConfig({ vocabSize: 40, encoderLayers: 1, decoderLayers: 1, hiddenSize: 8, numHeads: 2, intermediateSize: 16 });
 * const params = initSeq2Seq(config, 0);
 * const batch = { batchSize: 1, srcLen: 3, tgtLen: 2, srcIds: new Int32Array([5, 6, 2]), srcMask: new Uint8Array([1, 1, 1]),
 *   decoderInputIds: new Int32Array([0, 7]), targetIds: new Int32Array([7, 2]), targetMask: new Uint8Array([1, 1]) };
 * const loss = tf.tidy(() => seq2seqLoss(params, batch, config, { training: false }));
 * assert(Math.abs((await loss.data())[0] - Math.log(40)) < 0.5);
 * loss.dispose();
 * disposeParams(params);
 * ```
 */
export function seq2seqLoss(
  params: Params,
  batch: Seq2SeqBatch,
  config: Seq2SeqConfig,
  options: Seq2SeqLossOptions,
): Scalar {
  const n = batch.batchSize * batch.tgtLen;
  if (batch.decoderInputIds.length !== n || batch.targetIds.length !== n || batch.targetMask.length !== n) {
    throw new Error(
      `seq2seq: decoderInputIds/targetIds/targetMask must each have batchSize·tgtLen = ${n} entries`,
    );
  }
  const drop = makeDropout(options);
  const memory = seq2seqEncode(params, batch, config, options, drop);
  const logits = seq2seqDecode(
    params,
    { decoderIds: batch.decoderInputIds, batchSize: batch.batchSize, memory },
    config,
    { ...options, dropout: drop },
  );
  return crossEntropy(logits, batch.targetIds, {
    labelSmoothing: options.labelSmoothing,
    weights: batch.targetMask,
  });
}
