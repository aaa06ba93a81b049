/**
 * The fused ops (GELU, LayerNorm, log-softmax, AdamW, sum of squares, dropout) on `native` against the same
 * math composed from tfjs ops on the cpu backend, forward and gradients, within 1e-4 relative, on rows and
 * sizes that are and are not multiples of 4; and the composite fallback on cpu against hand-computed values.
 */
import { assert, assertEquals } from "@std/assert";
import { tf, useBackend } from "../../lib/backend/mod.ts";
import { HAS_NATIVE, seeded, threadsReady } from "./_native.ts";
import { dropoutKey, dropoutMask, keepThreshold, philox4x32 } from "../../lib/backend/native/philox.ts";
import { Arena } from "../../lib/backend/native/simd/arena.ts";
import { simdKernels } from "../../lib/backend/native/simd/simd.ts";
import { ThreadPool } from "../../lib/backend/native/simd/thread_pool.ts";
import { parallelKernels, SPLIT_MIN_ELEMENTS } from "../../lib/backend/native/simd/parallel.ts";
import { assertClose } from "../_support/close.ts";
import { setNativeThreads } from "../../lib/backend/native/threads.ts";
import type { NativeBackend } from "../../lib/backend/native/native_backend.ts";
import {
  adamwStep,
  affine,
  dropout,
  gelu,
  layerNorm,
  logSoftmax,
  sumSquares,
} from "../../lib/backend/native/fused_ops.ts";

// The reference: the composite formulas, written out here independently of fused_ops.ts.
const refGelu = (x: tf.Tensor) => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2))));
const refLayerNorm = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor, eps: number) => {
  const mean = tf.mean(x, -1, true);
  const c = tf.sub(x, mean);
  return tf.add(tf.mul(tf.div(c, tf.sqrt(tf.add(tf.mean(tf.square(c), -1, true), eps))), g), b);
};

async function valueAndGrads(
  f: (...xs: tf.Tensor[]) => tf.Tensor,
  xs: tf.Tensor[],
  w: tf.Tensor,
): Promise<Float32Array[]> {
  const y = tf.tidy(() => f(...xs));
  const grads = tf.grads((...ins: tf.Tensor[]) => tf.sum(tf.mul(f(...ins), w)))(xs);
  const out = [await y.data() as Float32Array];
  for (const g of grads) out.push(await g.data() as Float32Array);
  tf.dispose([y, ...grads]);
  return out;
}

type Fn = (...xs: tf.Tensor[]) => tf.Tensor;
// Rows of 1, 3, 5, 7 and 130: whole vectors of 4 and a scalar tail in the SIMD row kernels; the smallest
// tensors (under 16 floats) stay outside the arena and are copied in for each call.
const ODD = [1, 3, 5, 7, 130];
const FUSED_CASES: { name: string; fused: Fn; ref: Fn; shapes: number[][] }[] = [
  { name: "gelu", fused: (x) => gelu(x), ref: refGelu, shapes: [[6, 10]] },
  ...ODD.map((c) => ({ name: `gelu (${c})`, fused: (x: tf.Tensor) => gelu(x), ref: refGelu, shapes: [[c]] })),
  ...[9, ...ODD].map((c) => ({
    name: `logSoftmax (rows of ${c})`,
    fused: (x: tf.Tensor) => logSoftmax(x),
    ref: (x: tf.Tensor) => tf.logSoftmax(tf.mul(x, 1)),
    shapes: [[5, c]],
  })),
  ...[10, ...ODD].map((c) => ({
    name: `layerNorm (rows of ${c})`,
    fused: (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => layerNorm(x, g, b, 1e-5),
    ref: (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => refLayerNorm(x, g, b, 1e-5),
    shapes: [[2, 3, c], [c], [c]],
  })),
];

Deno.test({
  name: "gelu(), logSoftmax() and layerNorm() on native match the composite ops on cpu, with gradients",
  ignore: !HAS_NATIVE,
}, async () => {
  for (const { name, fused, ref, shapes } of FUSED_CASES) {
    const make = () => shapes.map((s, i) => tf.tensor(seeded(tf.util.sizeFromShape(s), 7 + i, 4), s));
    const weights = () => tf.tensor(seeded(tf.util.sizeFromShape(shapes[0]), 3, 4), shapes[0]);
    await useBackend("cpu");
    let xs = make(), w = weights();
    const want = await valueAndGrads(ref, xs, w);
    tf.dispose([...xs, w]);
    await useBackend("native");
    xs = make();
    w = weights();
    const before = tf.memory().numTensors;
    const got = await valueAndGrads(fused, xs, w);
    assertEquals(tf.memory().numTensors, before, `${name} leaks`);
    tf.dispose([...xs, w]);
    want.forEach((wv, i) => assertClose(`${name} ${i === 0 ? "forward" : `grad ${i - 1}`}`, got[i], wv));
  }
  await useBackend("cpu");
});

Deno.test({ name: "layerNorm() gradient for x alone leaks nothing", ignore: !HAS_NATIVE }, async () => {
  await useBackend("native");
  const x = tf.tensor(seeded(20, 1, 4), [4, 5]), g = tf.ones([5]), b = tf.zeros([5]);
  const before = tf.memory().numTensors;
  const dx = tf.grad((t: tf.Tensor) => tf.sum(tf.square(layerNorm(t, g, b, 1e-5))))(x);
  dx.dispose();
  assertEquals(tf.memory().numTensors, before);
  tf.dispose([x, g, b]);
  await useBackend("cpu");
});

Deno.test({
  name: "adamwStep() on native matches the composite update and a hand-computed step",
  ignore: !HAS_NATIVE,
}, async () => {
  const step = { lr: 0.01, beta1: 0.9, beta2: 0.98, epsilon: 1e-6, weightDecay: 0.01, c1: 0.1, c2: 0.02 };
  const run = async (n: number) => {
    const ts = [1, 2, 3, 4].map((s) => tf.tensor(seeded(n, s, 4), [n]));
    const [p, g, m, v] = ts;
    const vAbs = tf.abs(v);
    const out = adamwStep(p, g, m, vAbs, step);
    const data = await Promise.all(out.map((t) => t.data() as Promise<Float32Array>));
    tf.dispose([...ts, vAbs, ...out]);
    return data;
  };
  for (const n of [12, ...ODD]) {
    await useBackend("cpu");
    const want = await run(n);
    await useBackend("native");
    const got = await run(n);
    want.forEach((w, i) => assertClose(`adamw (${n}) output ${i}`, got[i], w));
  }
  // By hand: p = 1, g = 1, m = v = 0, c1 = 0.1, c2 = 0.02: m' = 0.1, v' = 0.02, m'/c1 = 1, √(v'/c2) = 1,
  // p' = 1 − 0.01·(1/(1 + 1e-6) + 0.01·1).
  const [p] = adamwStep(tf.ones([1]), tf.ones([1]), tf.zeros([1]), tf.zeros([1]), step);
  assert(Math.abs((await p.data())[0] - (1 - 0.01 * (1 / (1 + 1e-6) + 0.01))) < 1e-6);
  p.dispose();
  await useBackend("cpu");
});

Deno.test({
  name: "sumSquares() and dropout() on native match cpu on sizes 1, 3, 5, 7 and 130",
  ignore: !HAS_NATIVE,
}, async () => {
  const run = async (backend: string, n: number) => {
    await useBackend(backend);
    const x = tf.tensor1d(seeded(n, n, 4));
    const out = [sumSquares(x), dropout(x, 0.4, n)];
    const data = await Promise.all(out.map((t) => t.data() as Promise<Float32Array>));
    tf.dispose([x, ...out]);
    return data;
  };
  for (const n of ODD) {
    const [want, got] = [await run("cpu", n), await run("native", n)];
    assertClose(`sumSquares (${n})`, got[0], want[0], 1e-6);
    assertEquals(Array.from(got[1]), Array.from(want[1]), `dropout (${n})`);
  }
  await useBackend("cpu");
});

// erf in float64, independent of both implementations: Maclaurin series for |x| < 3, the erfc continued
// fraction beyond.
function erf64(x: number): number {
  const ax = Math.abs(x);
  if (ax < 3) {
    let sum = 0, term = ax;
    for (let k = 0; k < 200 && Math.abs(term) > 1e-18; k++) {
      sum += term / (2 * k + 1);
      term *= (-ax * ax) / (k + 1);
    }
    return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum;
  }
  let f = 0;
  for (let k = 60; k >= 1; k--) f = k / 2 / (ax + f);
  return Math.sign(x) * (1 - Math.exp(-ax * ax) / Math.sqrt(Math.PI) / (ax + f));
}

Deno.test({
  name:
    "gelu() on native: value within 2e-7·max(1,|x|), derivative within 3 float32 ulps of 1, of float64 on [-12, 12]",
  ignore: !HAS_NATIVE,
}, async () => {
  await useBackend("native");
  const xs = Float32Array.from({ length: 24001 }, (_, i) => -12 + i / 1000);
  const x = tf.tensor1d(xs);
  const y = gelu(x);
  const dx = tf.grad((t: tf.Tensor) => tf.sum(gelu(t)))(x);
  const [yv, dv] = [await y.data(), await dx.data()];
  tf.dispose([x, y, dx]);
  await useBackend("cpu");
  let worstY = 0, worstD = 0;
  for (let i = 0; i < xs.length; i++) {
    const v = xs[i], cdf = 0.5 * (1 + erf64(v / Math.SQRT2));
    const pdf = Math.exp(-v * v / 2) / Math.sqrt(2 * Math.PI);
    worstY = Math.max(worstY, Math.abs(yv[i] - v * cdf) / Math.max(1, Math.abs(v)));
    worstD = Math.max(worstD, Math.abs(dv[i] - (cdf + v * pdf)));
  }
  assert(worstY < 2e-7, `GELU value error ${worstY}`);
  assert(worstD < 3 * 2 ** -23, `GELU derivative error ${worstD}`); // float32 arithmetic: a few ulps
});

Deno.test({
  name:
    "_FusedMatMul on native: bias inside the GEMM (and an Add for other broadcasts) matches cpu, with gradients",
  ignore: !HAS_NATIVE,
}, async () => {
  // [a shape, b shape, transposeB, bias shape]; the last bias is a column, which must not go into the GEMM.
  const cases: [number[], number[], boolean, number[]][] = [
    [[5, 3], [4, 3], true, [4]],
    [[5, 3], [3, 4], false, [4]],
    [[5, 3], [4, 3], true, [1, 4]],
    [[4, 3], [3, 4], false, [4, 1]],
  ];
  for (const [sa, sb, transposeB, sBias] of cases) {
    const make = () =>
      [sa, sb, sBias].map((s, i) => tf.tensor(seeded(tf.util.sizeFromShape(s), 11 + i, 4), s));
    const f = (a: tf.Tensor, b: tf.Tensor, bias: tf.Tensor) =>
      tf.fused.matMul({ a: a as tf.Tensor3D, b: b as tf.Tensor3D, transposeB, bias });
    const outShape = [...sa.slice(0, -1), transposeB ? sb[0] : sb[1]];
    const w = () => tf.tensor(seeded(tf.util.sizeFromShape(outShape), 5, 4), outShape);
    await useBackend("cpu");
    let xs = make(), wt = w();
    const want = await valueAndGrads(f as Fn, xs, wt);
    tf.dispose([...xs, wt]);
    await useBackend("native");
    xs = make();
    wt = w();
    const got = await valueAndGrads(f as Fn, xs, wt);
    tf.dispose([...xs, wt]);
    want.forEach((wv, i) => assertClose(`${sa}·${sb} + ${sBias} output ${i}`, got[i], wv));
  }
  await useBackend("cpu");
});

Deno.test("affine() agrees on cpu and wasm (tfjs-wasm's own _FusedMatMul mis-broadcasts this bias)", async () => {
  const run = async () => {
    const x = tf.tensor2d(seeded(12, 1, 4), [4, 3]), w = tf.tensor2d(seeded(6, 2, 4), [2, 3]);
    const b = tf.tensor1d([0.5, -0.25]);
    const y = affine(x, w, b);
    const out = await y.data() as Float32Array;
    tf.dispose([x, w, b, y]);
    return out;
  };
  await useBackend("cpu");
  const want = await run();
  await useBackend("wasm");
  const got = await run();
  await useBackend("cpu");
  assertClose("affine wasm", got, want, 1e-6);
});

Deno.test(
  { name: "sumSquares() on native and on cpu equal Σx² summed in float64", ignore: !HAS_NATIVE },
  async () => {
    const xs = seeded(100_003, 17, 6);
    let want = 0;
    for (const x of xs) want += x * x;
    try {
      for (const backend of ["native", "cpu"]) {
        await useBackend(backend);
        const x = tf.tensor1d(xs), s = sumSquares(x);
        const got = (await s.data())[0];
        tf.dispose([x, s]);
        assert(Math.abs(got - want) <= 1e-5 * want, `${backend}: ${got} vs ${want}`);
      }
    } finally {
      await useBackend("cpu");
    }
  },
);

Deno.test({
  name: "dropout() makes the same Philox masks and values on native and cpu, forward and gradient",
  ignore: !HAS_NATIVE,
}, async () => {
  const xs = seeded(3 * 1001, 21, 4), ws = seeded(3 * 1001, 22, 2);
  const run = async (backend: string, rate: number, seed: number) => {
    await useBackend(backend);
    const x = tf.tensor2d(xs, [3, 1001]), w = tf.tensor2d(ws, [3, 1001]);
    const f = (t: tf.Tensor) => dropout(t, rate, seed);
    const y = f(x), g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(f(t), w)))(x);
    const out = [await y.data(), await g.data()] as Float32Array[];
    tf.dispose([x, w, y, g]);
    return out;
  };
  for (const [rate, seed] of [[0.1, 104729], [0.5, 3], [0.9, 2 ** 40 + 209458]]) {
    const [want, got] = [await run("cpu", rate, seed), await run("native", rate, seed)];
    assertEquals(Array.from(got[0]), Array.from(want[0]), `forward, rate ${rate}`);
    assertEquals(Array.from(got[1]), Array.from(want[1]), `gradient, rate ${rate}`);
    // Independently: element i is kept iff word i mod 4 of Philox(⌊i/4⌋; seed) is below the threshold.
    const [k0, k1] = [seed >>> 0, Math.floor(seed / 2 ** 32)];
    const scale = Math.fround(1 / (1 - rate));
    for (const i of [0, 1, 2, 3, 4, 1000, 3002]) {
      const word = philox4x32([Math.floor(i / 4), 0, 0, 0], [k0, k1])[i % 4];
      const keep = word / 2 ** 8 < Math.floor((1 - rate) * 2 ** 24);
      assertEquals(want[0][i], keep ? Math.fround(xs[i] * scale) : 0, `element ${i}, rate ${rate}`);
    }
    const kept = want[0].filter((v) => v !== 0).length / want[0].length;
    assert(Math.abs(kept - (1 - rate)) < 0.05, `kept ${kept} at rate ${rate}`);
  }
  await useBackend("cpu");
});

Deno.test("philox4x32() reproduces Random123's known-answer vectors for Philox4x32-10", () => {
  assertEquals(philox4x32([0, 0, 0, 0], [0, 0]), [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]);
  assertEquals(
    philox4x32([0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff]),
    [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd],
  );
  assertEquals(
    philox4x32([0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0]),
    [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1],
  );
});

Deno.test("the SIMD dropout kernel, split over 3 threads or not, equals the JavaScript Philox mask", async () => {
  const arena = new Arena(), one = simdKernels(arena);
  const pool = new ThreadPool({ memory: arena.memory, relaxed: false }, 3);
  const split = parallelKernels(one, pool);
  try {
    await threadsReady(pool, 3);
    for (const n of [1, 7, 4 * SPLIT_MIN_ELEMENTS + 13]) {
      const x = arena.take(n)!, y = arena.take(n)!, mask = arena.take(n)!;
      x.set(seeded(n, n, 4));
      const want = dropoutMask(new Float32Array(n), 0.3, 2 ** 33 + 5);
      for (const k of [one, split]) {
        mask.fill(NaN);
        k.dropout(
          x.byteOffset,
          y.byteOffset,
          mask.byteOffset,
          n,
          keepThreshold(0.3),
          Math.fround(1 / 0.7),
          5,
          2,
          0,
        );
        const bad = want.findIndex((v, i) =>
          !Object.is(mask[i], v) || !Object.is(y[i], Math.fround(x[i] * v))
        );
        assert(bad < 0, `n ${n}, ${k === one ? "one thread" : "split"}: element ${bad}`);
      }
    }
  } finally {
    pool.close();
  }
});

Deno.test("the SIMD dropout kernel matches the JavaScript Philox mask for every n and offset, and writes only its blocks of 4", () => {
  // The kernel runs 8 blocks of 4 at a time, then 4, then single blocks: n from 1 to 80 reaches every mix,
  // and offsets that are not multiples of 16 start the vector lanes mid-way through the counters.
  const arena = new Arena(), k = simdKernels(arena);
  const sizes = [...Array.from({ length: 80 }, (_, i) => i + 1), 1000, 4099];
  for (const [rate, seed] of [[0.3, 2 ** 33 + 5], [0.5, 2 ** 40 + 7], [0, 11]]) {
    const [k0, k1] = dropoutKey(seed), threshold = keepThreshold(rate), scale = Math.fround(1 / (1 - rate));
    for (const first of [0, 4, 8, 12, 36, 4 * 12345677]) {
      for (const n of sizes) {
        // Room past n: everything from the end of n's last block of 4 on must stay untouched.
        const written = Math.ceil(n / 4) * 4, room = written + 20;
        const x = arena.take(room)!, y = arena.take(room)!, mask = arena.take(room)!;
        x.set(seeded(room, n + first, 4));
        y.fill(NaN);
        mask.fill(NaN);
        k.dropout(x.byteOffset, y.byteOffset, mask.byteOffset, n, threshold, scale, k0, k1, first);
        const want = dropoutMask(new Float32Array(written), rate, seed, first);
        const where = `rate ${rate}, first ${first}, n ${n}`;
        for (let i = 0; i < written; i++) {
          if (!Object.is(mask[i], want[i]) || !Object.is(y[i], Math.fround(x[i] * want[i]))) {
            throw new Error(`${where}: element ${i}: mask ${mask[i]}, y ${y[i]}; want ${want[i]}`);
          }
        }
        for (let i = written; i < room; i++) {
          assert(Number.isNaN(mask[i]) && Number.isNaN(y[i]), `${where}: wrote element ${i}`);
        }
        for (const a of [x, y, mask]) arena.free(a);
      }
    }
  }
});

Deno.test({
  name:
    "layerNorm() gradients on native: chunks of rows split over worker threads equal one thread bit for bit",
  ignore: !HAS_NATIVE,
}, async () => {
  const rows = 1000, c = 96; // 32 chunks of 32 rows (the last one short), enough to split
  const run = async () => {
    const x = tf.tensor2d(seeded(rows * c, 3, 4), [rows, c]),
      w = tf.tensor2d(seeded(rows * c, 4, 2), [rows, c]);
    const g = tf.tensor1d(seeded(c, 5, 2)), b = tf.tensor1d(seeded(c, 6, 2));
    const grads = tf.grads((xx: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) =>
      tf.sum(tf.mul(layerNorm(xx, gg, bb, 1e-5), w))
    )([x, g, b]);
    const out = await Promise.all(grads.map((t) => t.data() as Promise<Float32Array>));
    tf.dispose([x, w, g, b, ...grads]);
    return out;
  };
  try {
    await useBackend("cpu");
    const want = await run();
    await useBackend("native");
    setNativeThreads(1);
    const one = await run();
    setNativeThreads(3);
    const pool = (tf.findBackend("native") as unknown as NativeBackend).threads;
    await threadsReady(pool, 3);
    const split = await run();
    ["dx", "dγ", "dβ"].forEach((name, i) => {
      assertEquals(split[i], one[i], `${name}: split differs from one thread`);
      assertClose(name, one[i], want[i], 1e-4);
    });
  } finally {
    setNativeThreads(navigator.hardwareConcurrency);
    await useBackend("cpu");
  }
});
