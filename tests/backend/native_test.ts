/**
 * The native backend against the cpu backend (the reference): every kernel it replaces, on shapes that
 * exercise its fast paths and fallbacks, forward and gradients, within 1e-4 relative to the largest
 * magnitude of each result; plus its BLAS loading and error messages.
 */
import { assert, assertEquals, assertThrows } from "@std/assert";
import { tf, useBackend } from "../../lib/backend/mod.ts";
import { HAS_BLAS, HAS_NATIVE, seeded } from "./_native.ts";
import { assertClose } from "../_support/close.ts";
import { tryLoadBlas } from "../../lib/backend/native/provider.ts";
import { checkGemmOperands, loadBlas } from "../../lib/backend/native/blas.ts";
import { collapseBroadcast } from "../../lib/backend/native/elementwise.ts";
import { collapsePerm } from "../../lib/backend/native/transpose.ts";
import { fastExp } from "../../lib/backend/native/fast_exp.ts";
import { kernelProfile, profileKernels } from "../../lib/backend/native/profile.ts";

// forwardOnly: tfjs 4.22's BatchMatMul gradient rejects broadcast batch dims on every backend.
type Case = [name: string, shapes: number[][], f: (...xs: tf.Tensor[]) => tf.Tensor, forwardOnly?: boolean];

// Each case runs forward and the gradient of sum(f(xs) · w) for a fixed random w, on cpu and on native.
const CASES: Case[] = [
  ["matMul 2-D", [[5, 7], [7, 3]], (a, b) => tf.matMul(a, b)],
  ["matMul transposeA/B", [[7, 5], [3, 7]], (a, b) => tf.matMul(a, b, true, true)],
  ["batched matMul, b transposed", [[2, 3, 4, 6], [2, 3, 5, 6]], (a, b) => tf.matMul(a, b, false, true)],
  ["batched matMul, b shared", [[2, 4, 6], [6, 5]], (a, b) => tf.matMul(a, b), true],
  ["batched matMul, a broadcast", [[1, 4, 6], [3, 6, 5]], (a, b) => tf.matMul(a, b), true],
  [
    "fused matMul + bias + relu",
    [[4, 6], [6, 5], [5]],
    (a, b, c) => tf.fused.matMul({ a, b, bias: c, activation: "relu" }),
  ],
  ["add row bias", [[6, 5], [5]], (a, b) => tf.add(a, b)],
  [
    "add/sub/mul of a repeated row of 20 (SIMD per row)",
    [[7, 20], [20]],
    (a, b) => tf.add(tf.add(tf.sub(a, b), tf.mul(a, b)), tf.add(a, b)),
  ],
  ["add position rows (T, C) to (B, T, C) (SIMD per row)", [[3, 4, 24], [4, 24]], (a, b) => tf.add(a, b)],
  ["sub column", [[6, 5], [6, 1]], (a, b) => tf.sub(a, b)],
  ["mul scalar", [[3, 4, 5], []], (a, b) => tf.mul(a, b)],
  ["div outer broadcast", [[2, 1, 5], [1, 4, 1]], (a, b) => tf.div(a, tf.add(tf.abs(b), 1))],
  ["mask bias (B,1,1,T) + scores", [[2, 3, 4, 4], [2, 1, 1, 4]], (a, b) => tf.add(a, b)],
  [
    "maximum / minimum / squaredDifference",
    [[4, 5], [4, 5]],
    (a, b) => tf.add(tf.maximum(a, b), tf.add(tf.minimum(a, b), tf.squaredDifference(a, b))),
  ],
  [
    "unary chain",
    [[7, 9]],
    (a) => tf.addN([tf.exp(a), tf.erf(a), tf.neg(a), tf.square(a), tf.tanh(a), tf.sigmoid(a), tf.relu(a)]),
  ],
  ["log / sqrt / rsqrt of positives", [[7, 9]], (a) => {
    const p = tf.add(tf.abs(a), 0.5);
    return tf.addN([tf.log(p), tf.sqrt(p), tf.rsqrt(p)]);
  }],
  ["sum/mean over rows, columns, middle", [[3, 4, 5]], (a) =>
    [
      tf.sum(a, -1, true),
      tf.reshape(tf.mean(a, 0), [1, 4, 5]),
      tf.reshape(tf.sum(a, 1), [3, 1, 5]),
      tf.reshape(tf.mean(a, [1, 2]), [3, 1, 1]),
    ].reduce((x, y) => tf.add(x, y))],
  [
    "sum/mean of large blocks over rows (BLAS ones·X)",
    [[2, 300, 250]],
    (a) => tf.add(tf.reshape(tf.sum(a, 1), [2, 1, 250]), tf.mean(a, [0, 1], true)),
  ],
  ["sum over non-contiguous axes (cpu fallback)", [[3, 4, 5]], (a) => tf.sum(a, [0, 2])],
  ["max over last axis, log-softmax", [[6, 11]], (a) => tf.add(tf.logSoftmax(a), tf.max(a, -1, true))],
  ["softmax (B, H, T, T)", [[2, 3, 4, 4]], (a) => tf.softmax(tf.mul(a, 3))],
  ["transpose heads", [[2, 5, 3, 4]], (a) => tf.transpose(a, [0, 2, 1, 3])],
  [
    "transpose 2-D and rank 3",
    [[4, 6]],
    (a) => tf.add(tf.transpose(a), tf.reshape(tf.transpose(tf.reshape(a, [2, 2, 6]), [2, 0, 1]), [6, 4])),
  ],
  ["gather rows", [[7, 3]], (a) => tf.gather(a, tf.tensor1d([0, 6, 2, 2, 5], "int32"))],
  ["gather on axis 1 (cpu fallback)", [[4, 5]], (a) => tf.gather(a, tf.tensor1d([4, 0, 0], "int32"), 1)],
  ["pad rank 3, constant 0 (a slice's gradient)", [[2, 3, 4]], (a) => tf.pad(a, [[1, 0], [0, 2], [3, 1]])],
  ["pad rank 1 and 2 with a constant", [[3, 5]], (a) =>
    tf.add(
      tf.pad(a, [[2, 1], [0, 0]], -1.5),
      tf.reshape(tf.pad(tf.reshape(a, [15]), [[0, 15]], 2), [6, 5]),
    )],
  ["slice of a table (gradient pads)", [[9, 4]], (a) => tf.slice(a, [2, 1], [5, 3])],
  ["concat on the first, a middle and the last axis, with an empty part", [[2, 3, 4], [1, 3, 4], [2, 5, 4]], (
    a,
    b,
    c,
  ) => {
    const first = tf.concat([a, b], 0), middle = tf.concat([a, c], 1);
    const last = tf.concat([a, tf.zeros([2, 3, 0]), tf.mul(a, 2)], -1);
    return tf.concat([first, middle, last].map((x) => tf.reshape(x, [-1])));
  }],
  [
    "scatterND rows, duplicates summed (embedding gradient)",
    [[5, 3]],
    (a) => tf.scatterND(tf.tensor2d([[1], [4], [1], [0], [1]], [5, 1], "int32"), a, [6, 3]),
    true, // tfjs has no ScatterNd gradient
  ],
  [
    "scatterND with 2-D indices into rank 3",
    [[3, 4]],
    (a) => tf.scatterND(tf.tensor2d([[0, 1], [2, 0], [0, 1]], [3, 2], "int32"), a, [3, 2, 4]),
    true,
  ],
];

async function run(backend: string, c: Case): Promise<Float32Array[]> {
  await useBackend(backend);
  const [, shapes, f, forwardOnly] = c;
  const xs = shapes.map((s, i) => tf.tensor(seeded(tf.util.sizeFromShape(s), 17 * i + 3, 2), s));
  const outShape = tf.tidy(() => f(...xs).shape);
  const w = tf.tensor(seeded(tf.util.sizeFromShape(outShape), 99, 2), outShape);
  const y = tf.tidy(() => f(...xs));
  const grads = forwardOnly ? [] : tf.grads((...ins: tf.Tensor[]) => tf.sum(tf.mul(f(...ins), w)))(xs);
  const out = [
    await y.data() as Float32Array,
    ...await Promise.all(grads.map((g) => g.data() as Promise<Float32Array>)),
  ];
  tf.dispose([...xs, w, y, ...grads]);
  return out;
}

Deno.test(
  { name: "native kernels and their gradients match the cpu backend within 1e-4", ignore: !HAS_NATIVE },
  async () => {
    for (const c of CASES) {
      const want = await run("cpu", c);
      const got = await run("native", c);
      want.forEach((w, i) => assertClose(`${c[0]} ${i === 0 ? "forward" : `grad ${i - 1}`}`, got[i], w));
    }
    await useBackend("cpu");
  },
);

Deno.test(
  { name: "native scatterND rejects an index outside the shape as cpu does", ignore: !HAS_NATIVE },
  async () => {
    for (const backend of ["cpu", "native"]) {
      await useBackend(backend);
      const idx = tf.tensor2d([[0], [3]], [2, 1], "int32"), upd = tf.ones([2, 2]);
      assertThrows(() => tf.scatterND(idx, upd, [3, 2]), Error, "Invalid indices: 3 does not index into 3,2");
      tf.dispose([idx, upd]);
    }
    await useBackend("cpu");
  },
);

Deno.test(
  { name: "native matMul matches a hand-computed product and handles K = 0", ignore: !HAS_NATIVE },
  async () => {
    await useBackend("native");
    const y = tf.matMul(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[5, 6], [7, 8]]));
    assertEquals(await y.array(), [[19, 22], [43, 50]]);
    const z = tf.matMul(tf.zeros([2, 0]), tf.zeros([0, 3]));
    assertEquals(await z.array(), [[0, 0, 0], [0, 0, 0]]);
    const i = tf.matMul(tf.tensor2d([[1, 2]], [1, 2], "int32"), tf.tensor2d([[3], [4]], [2, 1], "int32"));
    assertEquals([i.dtype, ...(await i.data())], ["int32", 11]);
    const c = tf.concat([tf.tensor1d([1, 2], "int32"), tf.tensor1d([3], "int32")]); // the cpu kernel's
    assertEquals([c.dtype, ...(await c.data())], ["int32", 1, 2, 3]);
    tf.dispose([y, z, i, c]);
    await useBackend("cpu");
  },
);

Deno.test({ name: "native kernels leak no tensors", ignore: !HAS_NATIVE }, async () => {
  await useBackend("native");
  const x = tf.tensor(seeded(24, 5, 2), [2, 3, 4]);
  const before = tf.memory().numTensors;
  const g = tf.grad((t: tf.Tensor) =>
    tf.sum(tf.softmax(tf.add(tf.matMul(t, t, false, true), tf.sum(tf.transpose(t, [0, 2, 1]), 1, true))))
  )(x);
  g.dispose();
  assertEquals(tf.memory().numTensors, before);
  x.dispose();
  await useBackend("cpu");
});

Deno.test("collapseBroadcast() merges runs of contiguous and constant axes", () => {
  assertEquals(collapseBroadcast([4, 5], [5], [4, 5]), { dims: [4, 5], sa: [5, 1], sb: [0, 1] });
  assertEquals(collapseBroadcast([2, 3, 4], [2, 3, 4], [2, 3, 4]), { dims: [24], sa: [1], sb: [1] });
  assertEquals(collapseBroadcast([2, 3, 4, 4], [2, 1, 1, 4], [2, 3, 4, 4]), {
    dims: [2, 12, 4],
    sa: [48, 4, 1],
    sb: [4, 0, 1],
  });
  assertEquals(collapseBroadcast([], [], []), { dims: [1], sa: [1], sb: [1] });
});

Deno.test("collapsePerm() merges axes that stay neighbours", () => {
  assertEquals(collapsePerm([2, 5, 3, 4], [0, 2, 1, 3]), { shape: [2, 5, 3, 4], perm: [0, 2, 1, 3] });
  assertEquals(collapsePerm([2, 3, 4], [2, 0, 1]), { shape: [6, 4], perm: [1, 0] });
  assertEquals(collapsePerm([1, 3, 1, 4], [2, 0, 1, 3]), { shape: [12], perm: [0] });
});

Deno.test("fastExp() is within 2e-7 relative of Math.exp and saturates like float32", () => {
  for (let x = -87; x <= 88; x += 0.0137) {
    const rel = Math.abs(fastExp(x) / Math.exp(x) - 1);
    assert(rel < 2e-7, `fastExp(${x}): relative error ${rel}`);
  }
  assertEquals(Math.fround(fastExp(-200)), 0);
  assertEquals(Math.fround(fastExp(100)), Infinity);
  assert(Number.isNaN(fastExp(NaN)));
});

Deno.test("loadBlas() with no loadable library names every candidate it tried", () => {
  const error = assertThrows(() => loadBlas(["/nonexistent/libnothing.so", "libalsonothing.so.9"]), Error);
  assert(
    error.message.includes("/nonexistent/libnothing.so") && error.message.includes("libalsonothing.so.9"),
  );
  const unavailable = tryLoadBlas(["/nonexistent/libnothing.so"]);
  if (!("missing" in unavailable)) throw new Error("a nonexistent library loaded");
  assert(/libopenblas0|Accelerate/.test(unavailable.install), unavailable.install);
});

Deno.test(
  { name: "useBackend('native') describes its BLAS and threads; auto prefers it", ignore: !HAS_BLAS },
  async () => {
    const d = await useBackend("native");
    assertEquals([d.name, d.tfjsBackend, tf.getBackend()], ["native", "native", "native"]);
    assert(d.threads >= 1 && d.versions.blas.length > 0);
    const auto = await useBackend("auto");
    assertEquals(auto.name, "native");
    await useBackend("cpu");
  },
);

Deno.test({ name: "the kernel profiler counts native kernel calls", ignore: !HAS_NATIVE }, async () => {
  await useBackend("native");
  profileKernels(true);
  const y = tf.tidy(() => tf.matMul(tf.ones([3, 3]), tf.ones([3, 3])));
  profileKernels(false);
  const mm = kernelProfile().find((k) => k.kernel === "BatchMatMul");
  assertEquals(mm?.calls, 1);
  y.dispose();
  await useBackend("cpu");
});

Deno.test("checkGemmOperands() names a size that is negative, fractional or past 32 bits, and a short array", () => {
  const a = new Float32Array(6);
  for (const [m, n, k, name] of [[-1, 2, 3, "m"], [2, 2.5, 3, "n"], [2, 2, 2 ** 31, "k"]] as const) {
    assertThrows(
      () => checkGemmOperands(false, false, m, n, k, a, a, a),
      Error,
      `${name} must be a non-negative`,
    );
  }
  assertThrows(() => checkGemmOperands(false, false, 2, 2, 4, a, a, a), Error, "A has 6 floats");
});
