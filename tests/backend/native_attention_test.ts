/**
 * `attentionCore` on native (two kernels, heads addressed in place by BLAS) against the composite tfjs
 * version on cpu, forward and gradients, within 1e-4 relative; a plain-loop reference for one case; and the
 * (sequence, head) pairs split over worker threads against the same kernels on one thread.
 */
import { assert, assertEquals } from "@std/assert";
import { tf, useBackend } from "../../lib/backend/mod.ts";
import { attentionCore, selfAttentionCore } from "../../lib/backend/native/attention_op.ts";
import { assertClose } from "../_support/close.ts";
import { HAS_NATIVE, seeded, threadsReady } from "./_native.ts";
import { setNativeThreads } from "../../lib/backend/native/threads.ts";
import type { NativeBackend } from "../../lib/backend/native/native_backend.ts";

interface Case {
  name: string;
  b: number;
  h: number;
  tq: number;
  tk: number;
  d: number;
  bias: number[] | null; // bias shape
  dropout: boolean;
}

// Large enough that the kernels split the pairs over three threads (more than 2²² flops forward).
const SPLIT: Case[] = [
  {
    name: "split: self, per-row bias, dropout",
    b: 5,
    h: 4,
    tq: 64,
    tk: 64,
    d: 16,
    bias: [5, 1, 64, 64],
    dropout: true,
  },
  {
    name: "split: cross, Tq ≠ Tk, shared bias",
    b: 7,
    h: 3,
    tq: 40,
    tk: 72,
    d: 24,
    bias: [1, 1, 1, 72],
    dropout: false,
  },
];

const CASES: Case[] = [
  { name: "self, no bias", b: 2, h: 2, tq: 5, tk: 5, d: 3, bias: null, dropout: false },
  // Rows of 8 floats: past the arena's first 64 bytes by the third row (a no-bias pointer must stay 0).
  { name: "self, no bias, rows of 8", b: 2, h: 2, tq: 8, tk: 8, d: 4, bias: null, dropout: false },
  { name: "self, padding bias", b: 3, h: 2, tq: 4, tk: 4, d: 4, bias: [3, 1, 1, 4], dropout: false },
  { name: "self, causal + padding bias", b: 2, h: 3, tq: 4, tk: 4, d: 2, bias: [2, 1, 4, 4], dropout: false },
  {
    name: "causal bias shared by the batch",
    b: 2,
    h: 1,
    tq: 3,
    tk: 3,
    d: 5,
    bias: [1, 1, 3, 3],
    dropout: false,
  },
  { name: "cross, Tq ≠ Tk, dropout mask", b: 2, h: 2, tq: 3, tk: 6, d: 4, bias: [2, 1, 1, 6], dropout: true },
];

function biasValues(shape: number[]): Float32Array {
  const out = seeded(tf.util.sizeFromShape(shape), 31, 2);
  for (let i = 0; i < out.length; i += 3) out[i] = -1e9; // some masked positions, as padding makes
  for (let i = 0; i < shape[3]; i++) out[i * (shape[3] + 1) % out.length] = 0; // never a fully masked row
  return out;
}

// The case's bias and dropout keep mask (or null where it has none).
function constants(c: Case): { bias: tf.Tensor | null; mask: tf.Tensor | null } {
  const bias = c.bias ? tf.tensor(biasValues(c.bias), c.bias) : null;
  const mask = c.dropout
    ? tf.tensor(
      seeded(c.b * c.h * c.tq * c.tk, 5, 2).map((x) => (x > -0.2 ? 1 / 0.6 : 0)),
      [c.b, c.h, c.tq, c.tk],
    )
    : null;
  return { bias, mask };
}

async function run(c: Case): Promise<Float32Array[]> {
  const width = c.h * c.d;
  const q = tf.tensor2d(seeded(c.b * c.tq * width, 1, 2), [c.b * c.tq, width]);
  const k = tf.tensor2d(seeded(c.b * c.tk * width, 2, 2), [c.b * c.tk, width]);
  const v = tf.tensor2d(seeded(c.b * c.tk * width, 3, 2), [c.b * c.tk, width]);
  const w = tf.tensor2d(seeded(c.b * c.tq * width, 4, 2), [c.b * c.tq, width]);
  const { bias, mask } = constants(c);
  const dims = { batchSize: c.b, numHeads: c.h };
  const before = tf.memory().numTensors;
  const y = attentionCore(q, k, v, bias, mask, dims);
  const grads = tf.grads((a: tf.Tensor, b: tf.Tensor, d: tf.Tensor) =>
    tf.sum(tf.mul(attentionCore(a as tf.Tensor2D, b as tf.Tensor2D, d as tf.Tensor2D, bias, mask, dims), w))
  )([q, k, v]);
  const out = [await y.data() as Float32Array];
  for (const g of grads) out.push(await g.data() as Float32Array);
  tf.dispose([y, ...grads]);
  assertEquals(tf.memory().numTensors, before, `${c.name}: attentionCore leaks on ${tf.getBackend()}`);
  tf.dispose([q, k, v, w, ...(bias ? [bias] : []), ...(mask ? [mask] : [])]);
  return out;
}

Deno.test({
  name: "attentionCore() on native matches the composite ops on cpu, with gradients",
  ignore: !HAS_NATIVE,
}, async () => {
  try {
    for (const c of CASES) {
      await useBackend("cpu");
      const want = await run(c);
      await useBackend("native");
      const got = await run(c);
      want.forEach((wv, i) => {
        assert(wv.some((x) => x !== 0), `${c.name}, output ${i}: the reference is all zeros`);
        assertClose(`${c.name}, output ${i}`, got[i], wv, 1e-4);
      });
    }
  } finally {
    await useBackend("cpu");
  }
});

Deno.test({
  name: "attentionCore() on native equals a plain-loop softmax(QKᵀ/√D + bias)·V",
  ignore: !HAS_NATIVE,
}, async () => {
  const b = 2, h = 2, t = 3, d = 2, c = h * d;
  const qv = seeded(b * t * c, 7, 2), kv = seeded(b * t * c, 8, 2), vv = seeded(b * t * c, 9, 2);
  const pad = [1, 1, 1, 1, 1, 0]; // sequence 1's last token is padding
  await useBackend("native");
  const bias = tf.tensor4d(pad.map((m) => (m ? 0 : -1e9)), [b, 1, 1, t]);
  const [q, k, v] = [qv, kv, vv].map((x) => tf.tensor2d(x, [b * t, c]));
  const y = attentionCore(q, k, v, bias, null, { batchSize: b, numHeads: h });
  const got = await y.data();
  tf.dispose([q, k, v, bias, y]);
  await useBackend("cpu");
  for (let bi = 0; bi < b; bi++) {
    for (let hi = 0; hi < h; hi++) {
      for (let i = 0; i < t; i++) {
        const at = (x: Float32Array, row: number, j: number) => x[(bi * t + row) * c + hi * d + j];
        const s = Array.from({ length: t }, (_, jj) => {
          let dot = 0;
          for (let x = 0; x < d; x++) dot += at(qv, i, x) * at(kv, jj, x);
          return pad[bi * t + jj] ? dot / Math.sqrt(d) : -Infinity;
        });
        const max = Math.max(...s), e = s.map((x) => Math.exp(x - max)), z = e.reduce((a, x) => a + x);
        for (let x = 0; x < d; x++) {
          let want = 0;
          for (let jj = 0; jj < t; jj++) want += (e[jj] / z) * at(vv, jj, x);
          const g = got[(bi * t + i) * c + hi * d + x];
          assert(Math.abs(g - want) < 1e-5, `b${bi} h${hi} row ${i} col ${x}: ${g} vs ${want}`);
        }
      }
    }
  }
});

Deno.test({
  name: "attentionCore() on native: pairs split over worker threads equal the one-thread loop bit for bit",
  ignore: !HAS_NATIVE,
}, async () => {
  try {
    for (const c of SPLIT) {
      await useBackend("cpu");
      const want = await run(c);
      await useBackend("native");
      setNativeThreads(1);
      const serial = await run(c);
      setNativeThreads(3);
      const pool = (tf.findBackend("native") as unknown as NativeBackend).threads;
      await threadsReady(pool, 3);
      const split = await run(c);
      serial.forEach((s, i) => {
        assertEquals(split[i], s, `${c.name}, output ${i}: split differs from one thread`);
        assertClose(`${c.name}, output ${i}`, s, want[i], 1e-4);
      });
    }
  } finally {
    setNativeThreads(navigator.hardwareConcurrency);
    await useBackend("cpu");
  }
});

Deno.test({
  name: "attentionCore() on native after the arena has grown past its size at the first call",
  ignore: !HAS_NATIVE,
}, async () => {
  const c = CASES[CASES.length - 1];
  try {
    await useBackend("cpu");
    const want = await run(c);
    await useBackend("native");
    await run(c); // the kernels' views of the arena are made here
    const arena = (tf.findBackend("native") as unknown as NativeBackend).arena;
    const grownFrom = arena.memory.buffer.byteLength;
    const filler = tf.fill([grownFrom / 4 + 1024], 1); // the operands below land past the old end
    const got = await run(c);
    assert(arena.memory.buffer.byteLength > grownFrom, "the arena did not grow");
    filler.dispose();
    got.forEach((g, i) => assertClose(`${c.name}, output ${i}`, g, want[i], 1e-4));
  } finally {
    await useBackend("cpu");
  }
});

// The same self-attention as `run` from one packed (B·T, 3C) projection: [y, dqkv].
async function runPacked(c: Case): Promise<Float32Array[]> {
  const width = c.h * c.d, rows = c.b * c.tq;
  const qkv = tf.tidy(() =>
    tf.concat([1, 2, 3].map((seed) => tf.tensor2d(seeded(rows * width, seed, 2), [rows, width])), 1)
  );
  const w = tf.tensor2d(seeded(rows * width, 4, 2), [rows, width]);
  const { bias, mask } = constants(c);
  const dims = { batchSize: c.b, numHeads: c.h };
  const before = tf.memory().numTensors;
  const y = selfAttentionCore(qkv as tf.Tensor2D, bias, mask, dims);
  const g = tf.grad((x: tf.Tensor) =>
    tf.sum(tf.mul(selfAttentionCore(x as tf.Tensor2D, bias, mask, dims), w))
  )(qkv);
  const out = [await y.data() as Float32Array, await g.data() as Float32Array];
  tf.dispose([y, g]);
  assertEquals(tf.memory().numTensors, before, `${c.name}: selfAttentionCore leaks on ${tf.getBackend()}`);
  tf.dispose([qkv, w, ...(bias ? [bias] : []), ...(mask ? [mask] : [])]);
  return out;
}

// dQ, dK, dV (B·T, C) each, side by side as one (B·T, 3C).
function sideBySide(parts: Float32Array[], rows: number, width: number): Float32Array {
  const out = new Float32Array(rows * 3 * width);
  for (let r = 0; r < rows; r++) {
    parts.forEach((p, i) => out.set(p.subarray(r * width, (r + 1) * width), (3 * r + i) * width));
  }
  return out;
}

Deno.test({
  name: "selfAttentionCore() of a packed [Q | K | V] equals attentionCore() of the three, on cpu and native",
  ignore: !HAS_NATIVE,
}, async () => {
  try {
    for (const c of [...CASES, ...SPLIT].filter((c) => c.tq === c.tk)) {
      for (const backend of ["cpu", "native"]) {
        await useBackend(backend);
        const [y, dq, dk, dv] = await run(c);
        const [py, dqkv] = await runPacked(c);
        assertClose(`${c.name} on ${backend}, output`, py, y, 1e-6);
        assertClose(
          `${c.name} on ${backend}, gradient`,
          dqkv,
          sideBySide([dq, dk, dv], c.b * c.tq, c.h * c.d),
          1e-6,
        );
      }
    }
  } finally {
    await useBackend("cpu");
  }
});
