/**
 * The WebAssembly SIMD kernels of the native backend: the committed module matches its source, every
 * SIMD path agrees with the JavaScript path of the same kernel (both are tested: the JavaScript one runs
 * where the arena is full or SIMD is missing), padding never leaks into neighbouring blocks, and the arena
 * falls back to ordinary arrays when it is full.
 */
import { assert, assertEquals, assertThrows } from "@std/assert";
import { tf, useBackend } from "../../lib/backend/mod.ts";
import type { NativeBackend } from "../../lib/backend/native/native_backend.ts";
import { adamwStep, gelu, layerNorm, logSoftmax, sumSquares } from "../../lib/backend/native/fused_ops.ts";
import { attentionCore } from "../../lib/backend/native/attention_op.ts";
import { compileWat, moduleBytesFile } from "../../lib/backend/native/simd/build.ts";
import { Arena, sizeClass } from "../../lib/backend/native/simd/arena.ts";
import { simdKernels } from "../../lib/backend/native/simd/simd.ts";
import { BufferPool } from "../../lib/backend/native/buffer_pool.ts";
import { HAS_BLAS, seeded } from "./_native.ts";
import { assertClose } from "../_support/close.ts";

Deno.test("the committed SIMD module is the compiled wat.ts (rebuild with simd/build.ts)", async () => {
  const committed = await Deno.readTextFile(
    new URL("../../lib/backend/native/simd/module_bytes.ts", import.meta.url),
  );
  assertEquals(
    committed,
    moduleBytesFile(await compileWat()),
    "run: deno run -A lib/backend/native/simd/build.ts",
  );
});

Deno.test("sizeClass() covers n, keeps 64-byte alignment and wastes at most 1/8 above 4096 floats", () => {
  for (const n of [1, 15, 16, 17, 4095, 4096, 4097, 5000, 123457, 2 ** 20, 2 ** 20 + 1]) {
    const c = sizeClass(n);
    assert(c >= n && c % 16 === 0, `sizeClass(${n}) = ${c}`);
    if (n > 4096) assert(c <= n * 1.125 + 16, `sizeClass(${n}) = ${c} wastes too much`);
  }
});

Deno.test("the arena grows past its first pages, reuses freed blocks and refuses beyond maxBytes", () => {
  const arena = new Arena(64 * 2 ** 20);
  const big = arena.take(5 * 2 ** 20)!; // 20 MB: past the 16 MB it starts with
  big.fill(3);
  assert(arena.contains(big) && big.every((v) => v === 3));
  assertEquals(arena.take(16 * 2 ** 20), undefined, "64 MB cap");
  arena.free(big);
  assertEquals(arena.idleBytes, sizeClass(5 * 2 ** 20) * 4);
  assertEquals(arena.take(5 * 2 ** 20)!.byteOffset, big.byteOffset);
  assertEquals(arena.idleBytes, 0);
});

Deno.test("Arena.free refuses a double free, a view into a block and a foreign array", () => {
  const arena = new Arena(), a = arena.take(100)!;
  assertThrows(() => arena.free(a.subarray(0, 50)), Error, "not in use");
  arena.free(a);
  assertThrows(() => arena.free(a), Error, "not in use");
  assertThrows(() => arena.free(new Float32Array(100)), Error, "not in use");
  assertEquals(arena.take(100)!.byteOffset, a.byteOffset, "the block was freed once, and is reused");
});

Deno.test("a block kept alive across an arena growth keeps its contents, and old and new views share them", () => {
  const arena = new Arena(256 * 2 ** 20);
  const kept = arena.take(1000)!;
  kept.set(seeded(1000, 9, 2));
  const before = kept.slice(), oldBuffer = arena.memory.buffer;
  arena.take(40 * 2 ** 20); // 160 MB: the memory grows
  assert(arena.memory.buffer.byteLength > oldBuffer.byteLength, "the memory grew");
  assertEquals(kept.length, 1000, "the old view is not detached");
  assertEquals(kept, before);
  const fresh = new Float32Array(arena.memory.buffer, kept.byteOffset, 1000);
  assertEquals(fresh, before);
  fresh[7] = 1234;
  assertEquals(kept[7], 1234, "a write through the new view shows through the old one");
  assert(arena.contains(kept) && arena.contains(fresh));
});

Deno.test("a full arena merges idle blocks to serve other sizes, and never hands out live memory", () => {
  const mb = 2 ** 18; // floats in 1 MB (its own size class)
  const arena = new Arena(16 * 2 ** 20);
  const blocks = Array.from({ length: 12 }, () => arena.take(mb)!);
  const live = blocks[5];
  live.fill(42);
  for (const b of blocks) if (b !== live) arena.free(b);
  // 6 MB: no idle block of its class, and the arena cannot grow that far; merged idle runs hold it.
  const big = arena.take(6 * mb);
  if (big === undefined) throw new Error("6 MB was not served from the merged runs");
  const [a0, a1] = [big.byteOffset, big.byteOffset + big.byteLength];
  const [l0, l1] = [live.byteOffset, live.byteOffset + live.byteLength];
  assert(a1 <= l0 || l1 <= a0, "the new block overlaps a live one");
  big.fill(-1);
  assert(live.every((v) => v === 42));
  // What is left (5 MB below the live block, 1 MB after it, the rest above) still serves 1 MB blocks.
  const more = Array.from({ length: 5 }, () => arena.take(mb));
  assert(more.every((b) => b !== undefined));
  assertEquals(arena.take(8 * mb), undefined, "nothing left for 8 MB");
});

Deno.test("a full arena: the pool hands out ordinary arrays, and copies keep tensors apart", () => {
  const pool = new BufferPool(2 ** 20, new Arena(2 ** 20));
  const inArena = pool.take(1000);
  assert(pool.inArena(inArena));
  const plain = pool.take(2 ** 19); // 2 MB: more than the arena holds
  assert(!pool.inArena(plain) && plain.length === 2 ** 19);
  assert(pool.storable(inArena) === inArena, "the first store owns the block");
  const second = pool.storable(inArena);
  assert(second !== inArena && pool.inArena(second), "a second store gets its own copy");
  const out = pool.exposed(inArena);
  assert(out !== inArena && !pool.inArena(out), "arena arrays leave the backend as copies");
});

Deno.test("element-wise SIMD kernels stop at their block: the next block is untouched", () => {
  const arena = new Arena(), k = simdKernels(arena)!;
  const x = arena.take(5)!, y = arena.take(5)!, next = arena.take(16)!;
  x.set([-2, -1, 0, 1, 2]);
  next.fill(7);
  k.gelu(x.byteOffset, y.byteOffset, 5);
  k.add(x.byteOffset, x.byteOffset, y.byteOffset, 5);
  assertEquals(Array.from(y), [-4, -2, 0, 2, 4]);
  assert(next.every((v) => v === 7));
});

// Runs `f` on native with the SIMD kernels and again with the JavaScript ones; returns both results.
async function bothPaths(f: () => tf.Tensor[]): Promise<[Float32Array[], Float32Array[]]> {
  const backend = tf.backend() as unknown as NativeBackend;
  assert(backend.simd !== undefined, "this runtime has WebAssembly SIMD");
  const run = async () => {
    const ts = f();
    const out = await Promise.all(ts.map(async (t) => await t.data() as Float32Array));
    tf.dispose(ts);
    return out;
  };
  const simd = await run();
  const saved = backend.simd;
  backend.simd = undefined;
  try {
    return [simd, await run()];
  } finally {
    backend.simd = saved;
  }
}

function assertAllClose(what: string, got: Float32Array[], want: Float32Array[], rtol = 2e-5): void {
  assertEquals(got.length, want.length);
  for (let t = 0; t < want.length; t++) assertClose(`${what}[${t}]`, got[t], want[t], rtol);
}

Deno.test({ name: "every SIMD kernel agrees with its JavaScript path", ignore: !HAS_BLAS }, async () => {
  await useBackend("native");
  try {
    const rows = 37, c = 96; // rows not a multiple of the 32-row LayerNorm chunk
    const x = tf.tensor2d(seeded(rows * c, 1, 6), [rows, c]);
    const w = tf.tensor2d(seeded(rows * c, 2, 2), [rows, c]);
    const g = tf.tensor1d(seeded(c, 3, 2)), b = tf.tensor1d(seeded(c, 4, 1));
    const odd = tf.tensor1d(seeded(4 * 7 + 3, 5, 8)); // a length that is not a multiple of 4

    const grads = (f: (...a: tf.Tensor[]) => tf.Tensor, xs: tf.Tensor[]) => () => {
      const y = f(...xs);
      return [y, ...tf.grads((...a: tf.Tensor[]) => tf.sum(tf.mul(f(...a), w)))(xs)];
    };
    assertAllClose("gelu", ...await bothPaths(grads((a) => gelu(a), [x])));
    assertAllClose(
      "gelu (odd length)",
      ...await bothPaths(() => [gelu(odd), tf.add(odd, odd), tf.mul(odd, odd)]),
    );
    assertAllClose(
      "layerNorm",
      ...await bothPaths(grads((a, gg, bb) => layerNorm(a, gg, bb, 1e-5), [x, g, b])),
    );
    assertAllClose("logSoftmax", ...await bothPaths(grads((a) => logSoftmax(a), [x])));
    const long = tf.tensor1d(seeded(3 * 4096 + 7, 11, 2)); // several float32 runs, and a tail
    assertAllClose(
      "sumSquares",
      ...await bothPaths(() => [sumSquares(x), sumSquares(odd), sumSquares(long)]),
      1e-6,
    );
    long.dispose();
    assertAllClose("add, sub, mul", ...await bothPaths(() => [tf.add(x, w), tf.sub(x, w), tf.mul(x, w)]));
    assertAllClose(
      "sum over rows",
      ...await bothPaths(() => [tf.sum(x, 0), tf.mean(tf.reshape(x, [1, rows, c]), 1)]),
    );
    const step = {
      lr: 0.01,
      beta1: 0.9,
      beta2: 0.999,
      epsilon: 1e-8,
      weightDecay: 0.01,
      c1: 0.19,
      c2: 0.002,
    };
    const m = tf.mul(w, 0.1), v = tf.square(tf.mul(w, 0.1));
    assertAllClose("adamw", ...await bothPaths(() => adamwStep(x, w, m, v, step)));

    // Attention: 2 sequences of 8 queries and 12 keys, 2 heads of 16, with a per-sequence padding bias.
    const [bs, tq, tk, h, cc] = [2, 8, 12, 2, 32];
    const q = tf.tensor2d(seeded(bs * tq * cc, 6, 2), [bs * tq, cc]);
    const k = tf.tensor2d(seeded(bs * tk * cc, 7, 2), [bs * tk, cc]);
    const vv = tf.tensor2d(seeded(bs * tk * cc, 8, 2), [bs * tk, cc]);
    const bias = tf.tensor4d(seeded(bs * tk, 9, 4), [bs, 1, 1, tk]);
    const wy = tf.tensor2d(seeded(bs * tq * cc, 10, 2), [bs * tq, cc]);
    const att = (qq: tf.Tensor, kk: tf.Tensor, vx: tf.Tensor) =>
      attentionCore(qq as tf.Tensor2D, kk as tf.Tensor2D, vx as tf.Tensor2D, bias, null, {
        batchSize: bs,
        numHeads: h,
      });
    assertAllClose(
      "attention",
      ...await bothPaths(() => [
        att(q, k, vv),
        ...tf.grads((...a: tf.Tensor[]) => tf.sum(tf.mul(att(a[0], a[1], a[2]), wy)))([q, k, vv]),
      ]),
    );
    tf.dispose([x, w, g, b, odd, m, v, q, k, vv, bias, wy]);
  } finally {
    await useBackend("cpu");
  }
});
