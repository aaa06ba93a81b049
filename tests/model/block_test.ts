/**
 * `transformerBlock` (lib/model/block.ts) against a plain float64 loop written from the definitions:
 * post-LN encoder blocks with padding, pre-LN decoder blocks with causal self-attention and cross-attention
 * to a padded memory, and step-by-step decoding through the block's key/value cache.
 *
 * Shapes: B = batch, T = this stack's length, S = memory length, C = width, F = FFN width, H = heads.
 */
import { assert, assertEquals, assertThrows } from "@std/assert";
import { tf } from "../../lib/backend/tf.ts";
import { MASKED_SCORE } from "../../lib/model/attention.ts";
import { type BlockCache, type BlockNames, type Memory, transformerBlock } from "../../lib/model/block.ts";
import { makeDropout } from "../../lib/model/layers.ts";
import { disposeParams, ParamBuilder, type Params } from "../../lib/model/params.ts";
import { createRng } from "../../lib/util/random.ts";

const C = 8, F = 16, H = 2, EPS = 1e-5;
type Matrix = number[][]; // rows × columns, float64

const attn = (p: string) => ({ query: `${p}.q`, key: `${p}.k`, value: `${p}.v`, output: `${p}.o` });
const ENCODER: BlockNames = {
  selfAttention: attn("self"),
  selfAttentionNorm: "n1",
  ffnIn: "up",
  ffnOut: "down",
  ffnNorm: "n3",
};
const DECODER: BlockNames = { ...ENCODER, crossAttention: attn("cross"), crossAttentionNorm: "n2" };

/** Every weight, bias and LayerNorm gain random (std 0.5), so a misplaced bias or gain shows. */
function randomParams(seed: number): Params {
  const b = new ParamBuilder(createRng(seed), 0.5);
  for (const p of ["self", "cross"]) for (const n of ["q", "k", "v", "o"]) b.linear(`${p}.${n}`, C, C);
  b.linear("up", F, C);
  b.linear("down", C, F);
  for (const n of ["n1", "n2", "n3"]) b.layerNorm(n, C);
  let s = seed * 1000;
  for (const v of Object.values(b.params)) {
    v.assign(tf.tidy(() => tf.randomNormal(v.shape, 0, 0.5, "float32", s++)));
  }
  return b.params;
}

/** The rows of `t`, which is then disposed. */
async function matrix(t: tf.Tensor): Promise<Matrix> {
  const [rows, cols] = t.shape;
  const data = await t.data();
  t.dispose();
  return Array.from({ length: rows }, (_, r) => Array.from(data.subarray(r * cols!, (r + 1) * cols!)));
}

/** The reference, read from the same parameter values. */
async function reference(params: Params) {
  const w: Record<string, number[]> = {};
  for (const [name, v] of Object.entries(params)) w[name] = Array.from(await v.data());
  const linear = (x: Matrix, name: string): Matrix => {
    const weight = w[`${name}.weight`], bias = w[`${name}.bias`], inF = x[0].length;
    return x.map((row) => bias.map((b, o) => b + row.reduce((s, xi, i) => s + xi * weight[o * inF + i], 0)));
  };
  const layerNorm = (x: Matrix, name: string): Matrix =>
    x.map((row) => {
      const mean = row.reduce((s, v) => s + v, 0) / row.length;
      const variance = row.reduce((s, v) => s + (v - mean) ** 2, 0) / row.length; // biased, as PyTorch
      return row.map((v, i) =>
        ((v - mean) / Math.sqrt(variance + EPS)) * w[`${name}.weight`][i] + w[`${name}.bias`][i]
      );
    });
  const gelu = (x: number) => 0.5 * x * (1 + erf(x / Math.SQRT2));
  const add = (a: Matrix, b: Matrix): Matrix => a.map((row, r) => row.map((v, i) => v + b[r][i]));
  /** Query rows (B·T, C) attend to key rows (B·S, C); `allowed(b, t, s)` says which pairs may. */
  const attention = (
    xq: Matrix,
    xkv: Matrix,
    names: { query: string; key: string; value: string; output: string },
    batch: number,
    allowed: (b: number, t: number, s: number) => boolean,
  ): Matrix => {
    const q = linear(xq, names.query), k = linear(xkv, names.key), v = linear(xkv, names.value);
    const t = xq.length / batch, s = xkv.length / batch, hs = C / H;
    const out: Matrix = xq.map(() => new Array(C).fill(0));
    for (let b = 0; b < batch; b++) {
      for (let h = 0; h < H; h++) {
        for (let i = 0; i < t; i++) {
          const scores = Array.from({ length: s }, (_, j) => {
            if (!allowed(b, i, j)) return -Infinity;
            let dot = 0;
            for (let d = 0; d < hs; d++) dot += q[b * t + i][h * hs + d] * k[b * s + j][h * hs + d];
            return dot / Math.sqrt(hs);
          });
          const max = Math.max(...scores), e = scores.map((x) => Math.exp(x - max));
          const z = e.reduce((a, x) => a + x, 0);
          for (let j = 0; j < s; j++) {
            for (let d = 0; d < hs; d++) out[b * t + i][h * hs + d] += (e[j] / z) * v[b * s + j][h * hs + d];
          }
        }
      }
    }
    return linear(out, names.output);
  };
  const ffn = (x: Matrix) => linear(linear(x, "up").map((row) => row.map(gelu)), "down");
  return { linear, layerNorm, attention, ffn, add };
}

/** erf to ~1e-15 (Taylor series for |x| < 3, the asymptotic continued fraction beyond). */
function erf(x: number): number {
  if (Math.abs(x) >= 3) {
    // erfc(x) = exp(-x²)/(x√π) · 1/(1 + 1/(2x²)/(1 + 2/(2x²)/(1 + …))) — 60 terms is plenty at |x| ≥ 3.
    const a = Math.abs(x);
    let f = 0;
    for (let n = 60; n >= 1; n--) f = (n / 2) / (a + f);
    return Math.sign(x) * (1 - Math.exp(-a * a) / Math.sqrt(Math.PI) / (a + f));
  }
  let sum = 0, term = x;
  for (let n = 0; n < 200; n++) {
    sum += term / (2 * n + 1);
    term *= -x * x / (n + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

const settings = (batchSize: number, seqLen: number, layerNorm: "post" | "pre") => ({
  batchSize,
  seqLen,
  numHeads: H,
  layerNorm,
  layerNormEps: EPS,
  dropout: 0,
  attentionDropout: 0,
});

/** One call site, so a change of the block's signature is one edit here. */
function block(
  params: Params,
  names: BlockNames,
  x: tf.Tensor2D,
  selfBias: tf.Tensor | null,
  memory: Memory | null,
  s: ReturnType<typeof settings>,
  cache?: BlockCache,
): tf.Tensor2D {
  return transformerBlock(params, x, {
    names,
    selfBias,
    memory,
    settings: s,
    dropout: makeDropout({ training: false }),
    cache,
  });
}

function assertMatrixClose(got: Matrix, want: Matrix, tol: number, what: string): void {
  assertEquals([got.length, got[0].length], [want.length, want[0].length], what);
  let worst = 0;
  for (let r = 0; r < want.length; r++) {
    for (let i = 0; i < want[r].length; i++) worst = Math.max(worst, Math.abs(got[r][i] - want[r][i]));
  }
  assert(worst <= tol, `${what}: max |difference| ${worst} > ${tol}`);
}

function randomRows(rows: number, seed: number): Matrix {
  const rng = createRng(`rows:${seed}`);
  return Array.from({ length: rows }, () => Array.from({ length: C }, () => 2 * rng.next() - 1));
}

Deno.test("transformerBlock() post-LN encoder block with padding equals the float64 loop within 1e-4", async () => {
  const params = randomParams(1);
  const ref = await reference(params);
  const B = 2, T = 4, lengths = [4, 2];
  const x = randomRows(B * T, 1);
  const padding = new Float32Array(B * T).map((_, i) =>
    (i % T) < lengths[Math.floor(i / T)] ? 0 : MASKED_SCORE
  );
  const got = await matrix(
    tf.tidy(() =>
      block(params, ENCODER, tf.tensor2d(x), tf.tensor4d(padding, [B, 1, 1, T]), null, settings(B, T, "post"))
    ),
  );
  // Post-LN: LayerNorm after each residual sum.
  const allowed = (b: number, _t: number, s: number) => s < lengths[b];
  const h = ref.layerNorm(ref.add(x, ref.attention(x, x, ENCODER.selfAttention, B, allowed)), "n1");
  const want = ref.layerNorm(ref.add(h, ref.ffn(h)), "n3");
  assertMatrixClose(got, want, 1e-4, "post-LN encoder block");
  disposeParams(params);
});

Deno.test("transformerBlock() pre-LN decoder block (causal, cross-attention to a padded memory) equals the float64 loop", async () => {
  const params = randomParams(2);
  const ref = await reference(params);
  const B = 2, T = 3, S = 4, memoryLengths = [4, 1];
  const x = randomRows(B * T, 2), mem = randomRows(B * S, 3);
  const causal = new Float32Array(T * T).map((_, i) => (i % T) > Math.floor(i / T) ? MASKED_SCORE : 0);
  const memoryBias = new Float32Array(B * S).map((_, i) =>
    (i % S) < memoryLengths[Math.floor(i / S)] ? 0 : MASKED_SCORE
  );
  const got = await matrix(tf.tidy(() =>
    block(
      params,
      DECODER,
      tf.tensor2d(x),
      tf.tensor4d(causal, [1, 1, T, T]),
      { states: tf.tensor2d(mem), length: S, bias: tf.tensor4d(memoryBias, [B, 1, 1, S]) },
      settings(B, T, "pre"),
    )
  ));
  // Pre-LN: LayerNorm on each sublayer's input; the residual stream itself is not normalized.
  const h1 = ref.add(
    x,
    ref.attention(
      ref.layerNorm(x, "n1"),
      ref.layerNorm(x, "n1"),
      DECODER.selfAttention,
      B,
      (_b, t, s) => s <= t,
    ),
  );
  const h2 = ref.add(
    h1,
    ref.attention(
      ref.layerNorm(h1, "n2"),
      mem,
      DECODER.crossAttention!,
      B,
      (b, _t, s) => s < memoryLengths[b],
    ),
  );
  const want = ref.add(h2, ref.ffn(ref.layerNorm(h2, "n3")));
  assertMatrixClose(got, want, 1e-4, "pre-LN decoder block");
  disposeParams(params);
});

Deno.test("transformerBlock() decoding one position at a time through its cache equals the causal full pass", async () => {
  for (const layerNorm of ["post", "pre"] as const) {
    const params = randomParams(3);
    const B = 2, T = 4, S = 3;
    const x = randomRows(B * T, 4), mem = randomRows(B * S, 5);
    const memory: Memory = { states: tf.tensor2d(mem), length: S, bias: null };
    const causal = new Float32Array(T * T).map((_, i) => (i % T) > Math.floor(i / T) ? MASKED_SCORE : 0);
    const full = await matrix(
      tf.tidy(() =>
        block(
          params,
          DECODER,
          tf.tensor2d(x),
          tf.tensor4d(causal, [1, 1, T, T]),
          memory,
          settings(B, T, layerNorm),
        )
      ),
    );
    const cache: BlockCache = { self: { k: null, v: null }, cross: { k: null, v: null } };
    const before = tf.memory().numTensors;
    for (let t = 0; t < T; t++) {
      const rows = [x[t], x[T + t]]; // position t of each sequence
      const kept = [cache.self.k, cache.self.v];
      const step = await matrix(
        tf.tidy(() =>
          block(params, DECODER, tf.tensor2d(rows), null, memory, settings(B, 1, layerNorm), cache)
        ),
      );
      tf.dispose(kept.filter((k) => k !== null && k !== cache.self.k && k !== cache.self.v) as tf.Tensor[]);
      assertMatrixClose(step, [full[t], full[T + t]], 1e-4, `${layerNorm}-LN position ${t}`);
    }
    assertEquals(cache.self.k!.shape, [B * T, C]);
    assertEquals(cache.cross.k!.shape, [B * S, C]);
    tf.dispose([cache.self.k!, cache.self.v!, cache.cross.k!, cache.cross.v!]);
    assertEquals(tf.memory().numTensors, before, "the cached steps leaked tensors");
    tf.dispose(memory.states);
    disposeParams(params);
  }
});

Deno.test("transformerBlock() refuses a cross-attention block without memory", () => {
  const params = randomParams(4);
  assertThrows(
    () =>
      tf.tidy(() =>
        block(params, DECODER, tf.zeros([2, C]) as tf.Tensor2D, null, null, settings(1, 2, "post"))
      ),
    Error,
    "needs encoder memory",
  );
  disposeParams(params);
});
