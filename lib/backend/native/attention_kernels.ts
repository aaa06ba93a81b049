/**
 * Multi-head attention's core as two native kernels: softmax(scale·QKᵀ + bias)·V forward, and its
 * gradients with respect to Q, K and V.
 *
 * Q (B·Tq, C), K and V (B·Tk, C) stay in the projections' layout: head h of sequence b is the column block
 * [h·D, (h+1)·D) of rows [b·T, (b+1)·T), which the GEMM addresses with a leading dimension of C. So there is
 * no head split or merge (4 transposes forward and 4 backward per layer in the composite version), and the
 * scale, bias, softmax, dropout and the softmax gradient are each one pass inside the per-head loop
 * (`simd/attention_pairs.ts`): the SIMD kernels of `simd/wat.ts` (`softmax_rows`, `mul`,
 * `softmax_grad_rows`) between products. The probabilities (B, H, Tq, Tk) are the second output, which the
 * backward pass reads.
 *
 * One (sequence, head) pair's products are too small for the GEMM to split over threads, so where they are
 * (and there is enough work to repay a dispatch) the kernels split the pairs instead: each thread of the pool
 * runs a range of pairs with its own one-thread GEMM (the system BLAS, which every worker opens, or the
 * built-in GEMM) and kernels. Otherwise the loop runs here, and the GEMM threads each product as usual.
 *
 * Inputs: `q`, `k`, `v`, or for self-attention one packed `qkv` (B·T, 3C) = [Q | K | V] (one projection
 * GEMM instead of three; the gradient is then one (B·T, 3C) tensor too); optional `bias` of shape (1 or B,
 * 1, 1 or Tq, Tk) added to the scores (padding and causal masks); optional `mask` (B, H, Tq, Tk),
 * multiplied into the probabilities after the softmax (inverted dropout). Attributes: `batchSize`,
 * `numHeads`, `scale`.
 *
 * @module
 */
import type { tf } from "../tf.ts";
import { float32Values, type NativeArgs, type NativeBackend, nativeKernel } from "./native_backend.ts";
import { offsetSgemm } from "./blas.ts";
import { SPLIT_MIN_FLOPS, type WasmBlas } from "./simd/gemm.ts";
import { pairFunctions, type PairKernels } from "./simd/attention_pairs.ts";
import type { PoolTask } from "./simd/thread_pool.ts";
import type { ArenaOperands } from "./simd/arena_operands.ts";
import { memoryViews } from "./memory_views.ts";

import { ATTENTION, ATTENTION_GRAD } from "./names.ts";

function f32(backend: NativeArgs["backend"], t: tf.TensorInfo | undefined): Float32Array | null {
  return t === undefined ? null : float32Values(backend, t, "attention");
}

/**
 * Sizes shared by both kernels, checked against the inputs; and where Q, K and V start and how far apart
 * their rows are (`ld`): three tensors `q`, `k`, `v` (rows C apart), or one packed `qkv` (B·T, 3C) of
 * self-attention, whose column blocks [Q | K | V] have rows 3C apart.
 */
function layout(inputs: Record<string, tf.TensorInfo>, attrs: Record<string, unknown>) {
  const b = attrs.batchSize as number, h = attrs.numHeads as number, scale = attrs.scale as number;
  const { q, k, qkv } = inputs;
  const packed = qkv !== undefined;
  const c = packed ? qkv.shape[1] / 3 : q.shape[1];
  const tq = (packed ? qkv : q).shape[0] / b, tk = packed ? tq : k.shape[0] / b, d = c / h;
  if (
    !(Number.isInteger(c) && Number.isInteger(tq) && Number.isInteger(tk) && Number.isInteger(d) &&
      (packed || k.shape[1] === c))
  ) {
    const what = packed ? `qkv ${qkv.shape}` : `q ${q.shape} and k ${k.shape}`;
    throw new Error(`native attention: ${what} do not split into ${b} sequences of ${h} heads`);
  }
  return { b, h, scale, c, tq, tk, d, packed, ld: packed ? 3 * c : c };
}

/** Byte offsets of Q, K and V (or of their gradients): three arrays, or the column blocks of one. */
function blocks(packed: boolean, c: number, place: (name: "q" | "k" | "v" | "qkv") => number): number[] {
  if (!packed) return [place("q"), place("k"), place("v")];
  const base = place("qkv");
  return [base, base + c * 4, base + 2 * c * 4];
}

type PairFunctions = ReturnType<typeof pairFunctions>;

/** A backend's pair loops: on this thread through its `blas` and `simd`, or as one part of a split. */
interface PairRunner {
  /** The whole loop here: the GEMM and the SIMD kernels split their own calls as they see fit. */
  serial: PairFunctions;
  /** Whether pairs of m·n·k can be split over threads, each thread multiplying on its own. */
  splits(mnk: number): boolean;
  /** Thread t's GEMM packing block (0 for a system BLAS). */
  gemmScratch(t: number): number;
  /** Called before a split: a system BLAS is switched to one thread per call. */
  beforeSplit(): void;
}

const runners = new WeakMap<NativeBackend, PairRunner>();

/** With a system BLAS, pairs whose products have m·n·k below this are split over the threads. */
const PAIRS_SPLIT_BELOW = 2 ** 22;

function runnerOf(backend: NativeBackend): PairRunner {
  let runner = runners.get(backend);
  if (runner) return runner;
  const { blas, arena } = backend;
  const view = memoryViews(arena.memory); // the `Blas` interface takes arrays
  const serial = pairFunctions({
    ...backend.simd,
    sgemm: (ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) =>
      blas.sgemm(ta === 1, tb === 1, m, n, k, alpha, view(a), view(b), beta, view(c), lda, ldb, ldc),
  });
  const builtin = "sgemmHere" in blas ? blas as WasmBlas : undefined;
  // The calling thread's part of a split: its own one-thread GEMM and the unsplit kernels.
  let here: PairKernels | undefined;
  if (builtin) here = { ...backend.simdHere, sgemm: builtin.sgemmHere };
  else if (blas.concurrentCalls) here = { ...backend.simdHere, sgemm: offsetSgemm(blas.path, arena.memory) };
  if (here) backend.threads.provide(pairFunctions(here));
  runner = {
    serial,
    // The pairs are split where the GEMM would not split each product itself (the built-in GEMM), or gains
    // less from it than from running whole pairs on each thread (a system BLAS: 128 × 128 × 64 is 1.3×
    // faster on two OpenBLAS threads, the pairs split over two threads nearly 2×).
    splits: (mnk) =>
      here !== undefined && (builtin ? 2 * mnk < 2 * SPLIT_MIN_FLOPS : mnk < PAIRS_SPLIT_BELOW),
    gemmScratch: (t) => builtin ? builtin.scratch(t) : 0,
    beforeSplit: () => blas.concurrentCalls?.(),
  };
  runners.set(backend, runner);
  return runner;
}

/**
 * Runs pair loop `fn` over `pairs` pairs of `flops` each: here in one piece, or split into ranges over the
 * pool's ready threads. `args(work, gemmScratch, from, to)` gives a part's arguments; `workFloats` is the
 * scratch each part needs.
 */
function runPairs(
  backend: NativeBackend,
  at: ArenaOperands,
  fn: keyof PairFunctions,
  pairs: number,
  mnk: number,
  flops: number,
  workFloats: number,
  args: (work: number, gemmScratch: number, from: number, to: number) => number[],
): void {
  const runner = runnerOf(backend);
  const parts = runner.splits(mnk)
    ? Math.min(backend.threads.ready, pairs, Math.floor((pairs * flops) / SPLIT_MIN_FLOPS))
    : 1;
  if (parts <= 1) {
    runner.serial[fn](...args(at.scratch(workFloats).byteOffset, 0, 0, pairs));
    return;
  }
  runner.beforeSplit();
  const per = Math.ceil(pairs / parts), tasks: PoolTask[] = [];
  for (let from = 0, t = 0; from < pairs; from += per, t++) {
    const work = at.scratch(workFloats).byteOffset;
    tasks.push({ fn, args: args(work, runner.gemmScratch(t), from, Math.min(pairs, from + per)) });
  }
  backend.threads.run(tasks);
}

function attention({ inputs, backend, attrs }: NativeArgs): tf.TensorInfo[] {
  const { bias, mask } = inputs;
  const { b, h, scale, c, tq, tk, d, packed, ld } = layout(inputs, attrs);
  const bv = f32(backend, bias), mv = f32(backend, mask);
  const biasBatch = bias ? bias.shape[0] : 0, biasRows = bias ? bias.shape[2] : 0;
  const probs = backend.pool.take(b * h * tq * tk), ctx = backend.pool.take(b * tq * c);
  backend.inArena((at) => {
    const [pq, pk, pv] = blocks(packed, c, (name) => at.read(f32(backend, inputs[name])!));
    const pCtx = at.write(ctx), pProbs = at.write(probs);
    // No bias is pointer 0; a bias shared by the batch does not move on per sequence, one row not per query.
    const pBias = bv ? at.read(bv) : 0, pMask = mv ? at.read(mv) : 0;
    const biasSeq = bv && biasBatch !== 1 ? biasRows * tk * 4 : 0,
      biasRow = bv && biasRows !== 1 ? tk * 4 : 0;
    const args = [pq, pk, pv, pCtx, pProbs, pBias, biasSeq, biasRow, pMask];
    runPairs(
      backend,
      at,
      "attention_pairs",
      b * h,
      tq * tk * d,
      4 * tq * tk * d,
      tq * tk,
      (work, g, from, to) => [
        ...args,
        work,
        g,
        h,
        tq,
        tk,
        d,
        c,
        ld,
        scale,
        from,
        to,
      ],
    );
  });
  return [
    backend.makeTensorInfo([b * tq, c], "float32", ctx),
    backend.makeTensorInfo([b, h, tq, tk], "float32", probs),
  ];
}

function attentionGrad({ inputs, backend, attrs }: NativeArgs): tf.TensorInfo[] {
  const { dy, probs, mask } = inputs;
  const { b, h, scale, c, tq, tk, d, packed, ld } = layout(inputs, attrs);
  const dyv = f32(backend, dy)!, pv = f32(backend, probs)!, mv = f32(backend, mask);
  // Every element of the outputs is written: each (sequence, head) block covers its rows' D columns.
  const grads = packed ? { qkv: backend.pool.take(b * tq * 3 * c) } : {
    q: backend.pool.take(b * tq * c),
    k: backend.pool.take(b * tk * c),
    v: backend.pool.take(b * tk * c),
  };
  backend.inArena((at) => {
    const [pq, pk, pv2] = blocks(packed, c, (name) => at.read(f32(backend, inputs[name])!));
    const [pdq, pdk, pdv] = blocks(packed, c, (name) => at.write(grads[name as keyof typeof grads]!));
    const args = [at.read(dyv), pq, pk, pv2, at.read(pv), mv ? at.read(mv) : 0, pdq, pdk, pdv];
    runPairs(
      backend,
      at,
      "attention_grad_pairs",
      b * h,
      tq * tk * d,
      8 * tq * tk * d,
      2 * tq * tk,
      (work, g, from, to) => [...args, work, g, h, tq, tk, d, c, ld, scale, from, to],
    );
  });
  return Object.entries(grads).map(([name, values]) =>
    backend.makeTensorInfo(inputs[name].shape, "float32", values!)
  );
}

/** The attention kernels. */
export const ATTENTION_KERNELS: tf.KernelConfig[] = [
  nativeKernel(ATTENTION, attention),
  nativeKernel(ATTENTION_GRAD, attentionGrad),
];
