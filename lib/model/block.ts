/**
 * One Transformer block: self-attention, optional cross-attention, GELU feed-forward, each a residual
 * sublayer with LayerNorm after (post-LN, BERT/BART) or before (pre-LN). Parameter names are passed in,
 * so the RoBERTa encoder and the BART-style encoder-decoder share this code.
 *
 * Shapes: B = batch, T = this stack's length, S = the attended (source) length, C = width, F = FFN width.
 * Activations are 2-D (B·T, C).
 *
 * @module
 */
import { tf } from "../backend/tf.ts";
import type { Tensor, Tensor2D } from "../backend/tf.ts";
import { type AttentionNames, type KeyValues, multiHeadAttention } from "./attention.ts";
import { gelu } from "../backend/native/mod.ts";
import { type Dropout, layerNorm, linear } from "./layers.ts";
import type { Params } from "./params.ts";

/** Parameter-name prefixes of one block. */
export interface BlockNames {
  /** Self-attention projections. */
  selfAttention: AttentionNames;
  /** LayerNorm after (post-LN) or before (pre-LN) self-attention. */
  selfAttentionNorm: string;
  /** Present in decoder blocks only. */
  crossAttention?: AttentionNames;
  /** LayerNorm around cross-attention (decoder blocks only). */
  crossAttentionNorm?: string;
  /** Feed-forward up projection (C → F). */
  ffnIn: string;
  /** Feed-forward down projection (F → C). */
  ffnOut: string;
  /** LayerNorm around the feed-forward sublayer. */
  ffnNorm: string;
}

/** Sizes and settings a block needs. */
export interface BlockSettings {
  /** Sequences in the batch, B. */
  batchSize: number;
  /** T. */
  seqLen: number;
  /** Attention heads; the width must divide evenly by it. */
  numHeads: number;
  /** Post-LN (BERT/RoBERTa) or pre-LN placement. */
  layerNorm: "post" | "pre";
  /** ε inside each LayerNorm. */
  layerNormEps: number;
  /** Dropout on sublayer outputs (0 at evaluation). */
  dropout: number;
  /** Dropout on attention probabilities (0 at evaluation). */
  attentionDropout: number;
}

/** Cross-attention input: the encoder output and its key bias. */
export interface Memory {
  /** (B·S, C). */
  states: Tensor2D;
  /** S. */
  length: number;
  /** Broadcastable to (B, H, T, S). */
  bias: Tensor | null;
}

/** What a decoder block keeps between decoding steps: its self-attention and cross-attention keys and values. */
export interface BlockCache {
  /** Self-attention: grows by the new positions each step. */
  self: KeyValues;
  /** Cross-attention over the encoder memory: computed on the first step. */
  cross: KeyValues;
}

/** How `transformerBlock` applies a block (everything but the parameters and the input). */
export interface BlockOptions {
  /** Parameter names of the block. */
  names: BlockNames;
  /** Additive self-attention bias (padding, causal), or null (default). */
  selfBias?: Tensor | null;
  /** Encoder memory for cross-attention (decoder blocks), or null (default). */
  memory?: Memory | null;
  /** Shape and regularisation. */
  settings: BlockSettings;
  /** The step's dropout (`makeDropout`). */
  dropout: Dropout;
  /** Decoding cache, updated in place. */
  cache?: BlockCache;
}

/**
 * Applies one block to `x` (B·T, C). `selfBias` masks self-attention (padding, causal). With `cache`
 * (decoding), `x` holds only the new positions and self-attention also sees the cached earlier ones;
 * `cache` is updated in place. Synchronous.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { tf } from "../backend/tf.ts";
 * import { createRng } from "../util/random.ts";
 * import { transformerBlock } from "./block.ts";
 * import { makeDropout } from "./layers.ts";
 * import { disposeParams, ParamBuilder } from "./params.ts";
 * const b = new ParamBuilder(createRng(0), 0.02);
 * for (const n of ["q", "k", "v", "o"]) b.linear(n, 8, 8);
 * b.linear("up", 16, 8); b.linear("down", 8, 16); b.layerNorm("n1", 8); b.layerNorm("n2", 8);
 * const names = { selfAttention: { query: "q", key: "k", value: "v", output: "o" }, selfAttentionNorm: "n1",
 *   ffnIn: "up", ffnOut: "down", ffnNorm: "n2" };
 * const settings = { batchSize: 1, seqLen: 3, numHeads: 2, layerNorm: "post" as const, layerNormEps: 1e-5, dropout: 0, attentionDropout: 0 };
 * const y = tf.tidy(() => transformerBlock(b.params, tf.ones([3, 8]), { names, settings, dropout: makeDropout({ training: false }) }));
 * assert(y.shape.join() === "3,8");
 * y.dispose();
 * disposeParams(b.params);
 * ```
 */
export function transformerBlock(params: Params, x: Tensor2D, options: BlockOptions): Tensor2D {
  const { names, selfBias = null, memory = null, settings: s, dropout: drop, cache } = options;
  const eps = s.layerNormEps, pre = s.layerNorm === "pre";
  const residual = (input: Tensor2D, norm: string, f: (y: Tensor2D) => Tensor2D): Tensor2D => {
    const out = tf.add(
      input,
      drop(f(pre ? layerNorm(params, norm, input, eps) : input), s.dropout),
    ) as Tensor2D;
    return pre ? out : layerNorm(params, norm, out, eps);
  };
  const selfDims = { batchSize: s.batchSize, queryLen: s.seqLen, keyLen: s.seqLen, numHeads: s.numHeads };
  let h = residual(
    x,
    names.selfAttentionNorm,
    (y) =>
      multiHeadAttention(params, {
        names: names.selfAttention,
        query: y,
        keyValue: y,
        dims: selfDims,
        bias: selfBias,
        dropout: drop,
        dropoutRate: s.attentionDropout,
        cache: cache && { kv: cache.self, mode: "append" },
      }),
  );
  if (names.crossAttention) {
    if (memory === null) throw new Error("transformerBlock: a cross-attention block needs encoder memory");
    const dims = { batchSize: s.batchSize, queryLen: s.seqLen, keyLen: memory.length, numHeads: s.numHeads };
    h = residual(
      h,
      names.crossAttentionNorm!,
      (y) =>
        multiHeadAttention(params, {
          names: names.crossAttention!,
          query: y,
          keyValue: memory.states,
          dims,
          bias: memory.bias,
          dropout: drop,
          dropoutRate: s.attentionDropout,
          cache: cache && { kv: cache.cross, mode: "reuse" },
        }),
    );
  }
  return residual(
    h,
    names.ffnNorm,
    (y) => linear(params, names.ffnOut, gelu(linear(params, names.ffnIn, y))),
  );
}
