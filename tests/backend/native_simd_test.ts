/**
 * The WebAssembly SIMD kernels of the native backend: the committed module matches its source, every
 * kernel gives the same bits whether its arrays live in the arena or are copied in (as for tensors under 16
 * floats, or arrays made while the arena was full), padding never leaks into neighbouring blocks, copies
 * are freed, and the arena falls back to ordinary arrays when it is full.
 */
import { assert, assertEquals, assertThrows } from "@std/assert";
import { tf, useBackend } from "../../lib/backend/mod.ts";
import type { NativeBackend } from "../../lib/backend/native/native_backend.ts";
import {
  adamwStep,
  dropout,
  gelu,
  layerNorm,
  logSoftmax,
  sumSquares,
} from "../../lib/backend/native/fused_ops.ts";
import { attentionCore } from "../../lib/backend/native/attention_op.ts";
import { compileWat, moduleBytesFile } from "../../lib/backend/native/simd/build.ts";
import { Arena, sizeClass } from "../../lib/backend/native/simd/arena.ts";
import { simdKernels, simdUnavailable } from "../../lib/backend/native/simd/simd.ts";
import { inArena } from "../../lib/backend/native/simd/arena_operands.ts";
import { BufferPool } from "../../lib/backend/native/buffer_pool.ts";
import { HAS_NATIVE, seeded } from "./_native.ts";
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
  const arena = new Arena(), k = simdKernels(arena);
  const x = arena.take(5)!, y = arena.take(5)!, next = arena.take(16)!;
  x.set([-2, -1, 0, 1, 2]);
  next.fill(7);
  k.gelu(x.byteOffset, y.byteOffset, 5);
  k.add(x.byteOffset, x.byteOffset, y.byteOffset, 5);
  assertEquals(Array.from(y), [-4, -2, 0, 2, 4]);
  assert(next.every((v) => v === 7));
});

Deno.test("inArena() copies arrays outside the arena in and written ones back, and frees every copy", () => {
  const arena = new Arena(), k = simdKernels(arena);
  const a = new Float32Array([1, 2, 3, 4, 5]), inside = arena.take(5)!, out = new Float32Array(5);
  inside.set([10, 20, 30, 40, 50]);
  const idle = arena.idleBytes;
  inArena(arena, (at) => k.add(at.read(a), at.read(inside), at.write(out), 5));
  assertEquals(Array.from(out), [11, 22, 33, 44, 55]);
  assertEquals(Array.from(a), [1, 2, 3, 4, 5], "a read-only operand is not written back");
  assertEquals(arena.idleBytes, idle + 2 * sizeClass(5) * 4, "the two copies went back to the arena");
  assertThrows(
    () =>
      inArena(arena, (at) => {
        at.read(a);
        at.scratch(3);
        throw new Error("kernel failed");
      }),
    Error,
    "kernel failed",
  );
  assertEquals(arena.idleBytes, idle + 2 * sizeClass(5) * 4, "copies are freed when the call throws");
});

Deno.test("inArena() on a full arena says so and what to do, and frees what it took", () => {
  const arena = new Arena(65536), k = simdKernels(arena); // one page: room for one 10000-float copy
  const x = new Float32Array(10000), y = new Float32Array(10000);
  const error = assertThrows(
    () => inArena(arena, (at) => k.gelu(at.read(x), at.write(y), 10000)),
    Error,
    "tensor arena is full",
  );
  assert(error.message.includes("dispose tensors"), error.message);
  assertEquals(arena.idleBytes, sizeClass(10000) * 4, "the copy of x went back");
});

Deno.test("simdUnavailable() names the compile error of a module this runtime cannot build", () => {
  assertEquals(simdUnavailable(), undefined);
  const why = simdUnavailable(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 99]));
  assert(why?.startsWith("this runtime cannot compile the WebAssembly SIMD kernels ("), why);
});

// Runs `f` on native twice, first as usual, then with every array a tensor stores and every array a kernel
// takes from the pool outside the arena (as while the arena is full), so that each kernel copies them in.
async function inPlaceAndCopied(f: () => tf.Tensor[]): Promise<[Float32Array[], Float32Array[]]> {
  const pool = (tf.backend() as unknown as NativeBackend).pool;
  const run = async () => {
    const ts = f();
    const out = await Promise.all(ts.map(async (t) => await t.data() as Float32Array));
    tf.dispose(ts);
    return out;
  };
  const inPlace = await run();
  Object.assign(pool, { take: (n: number) => new Float32Array(n), storable: <T>(v: T) => v });
  try {
    return [inPlace, await run()];
  } finally {
    const own = pool as { take?: unknown; storable?: unknown };
    delete own.take; // the prototype's methods again
    delete own.storable;
  }
}

function assertSameBits(what: string, got: Float32Array[], want: Float32Array[]): void {
  assertEquals(got.length, want.length);
  for (let t = 0; t < want.length; t++) {
    assertEquals(new Uint32Array(got[t].buffer), new Uint32Array(want[t].buffer), `${what}[${t}]`);
  }
}

Deno.test({
  name: "every SIMD kernel gives the same bits on arrays copied into the arena as in place, on odd sizes too",
  ignore: !HAS_NATIVE,
}, async () => {
  await useBackend("native");
  try {
    for (const [rows, c] of [[37, 96], [9, 130], [3, 7]]) { // 37 rows: not a multiple of the 32-row chunk
      const inputs = () => {
        const t = (n: number, seed: number, scale: number, shape: number[]) =>
          tf.tensor(seeded(n, seed, scale), shape);
        return {
          x: t(rows * c, 1, 6, [rows, c]),
          w: t(rows * c, 2, 2, [rows, c]),
          g: t(c, 3, 2, [c]),
          b: t(c, 4, 1, [c]),
        };
      };
      const grads =
        (f: (...a: tf.Tensor[]) => tf.Tensor, xs: (i: ReturnType<typeof inputs>) => tf.Tensor[]) => () => {
          const i = inputs(), a = xs(i), y = f(...a);
          const out = [y, ...tf.grads((...v: tf.Tensor[]) => tf.sum(tf.mul(f(...v), i.w)))(a)];
          tf.dispose(Object.values(i));
          return out;
        };
      const size = `${rows}×${c}`;
      assertSameBits(`gelu ${size}`, ...await inPlaceAndCopied(grads((a) => gelu(a), (i) => [i.x])));
      assertSameBits(
        `layerNorm ${size}`,
        ...await inPlaceAndCopied(grads((a, g, b) => layerNorm(a, g, b, 1e-5), (i) => [i.x, i.g, i.b])),
      );
      assertSameBits(
        `logSoftmax ${size}`,
        ...await inPlaceAndCopied(grads((a) => logSoftmax(a), (i) => [i.x])),
      );
      assertSameBits(
        `softmax ${size}`,
        ...await inPlaceAndCopied(grads((a) => tf.softmax(a), (i) => [i.x])),
      );
      const once = (f: (i: ReturnType<typeof inputs>) => tf.Tensor[]) => () => {
        const i = inputs(), out = f(i);
        tf.dispose(Object.values(i));
        return out;
      };
      assertSameBits(
        `sumSquares, add, sub, mul, column sums, dropout ${size}`,
        ...await inPlaceAndCopied(once((i) => [
          sumSquares(i.x),
          tf.add(i.x, i.w),
          tf.sub(i.x, i.w),
          tf.mul(i.x, i.w),
          tf.sum(i.x, 0),
          tf.mean(tf.reshape(i.x, [1, rows, c]), 1),
          dropout(i.x, 0.3, 17),
        ])),
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
      assertSameBits(
        `adamw ${size}`,
        ...await inPlaceAndCopied(once((i) => {
          const [m, v] = [tf.mul(i.w, 0.1), tf.square(tf.mul(i.w, 0.1))];
          const out = adamwStep(i.x, i.w, m, v, step);
          tf.dispose([m, v]);
          return out;
        })),
      );
    }

    // Attention: 2 sequences of 8 queries and 13 keys (rows of an odd length), 2 heads of 16, a padding
    // bias and a dropout mask. BLAS reads its operands where they are, so within float32 rounding here.
    const [bs, tq, tk, h, cc] = [2, 8, 13, 2, 32];
    const att = () => {
      const q = tf.tensor2d(seeded(bs * tq * cc, 6, 2), [bs * tq, cc]);
      const k = tf.tensor2d(seeded(bs * tk * cc, 7, 2), [bs * tk, cc]);
      const vv = tf.tensor2d(seeded(bs * tk * cc, 8, 2), [bs * tk, cc]);
      const bias = tf.tensor4d(seeded(bs * tk, 9, 4), [bs, 1, 1, tk]);
      const mask = tf.tensor4d(seeded(bs * h * tq * tk, 11, 2).map((x) => x > -0.2 ? 1 / 0.6 : 0), [
        bs,
        h,
        tq,
        tk,
      ]);
      const wy = tf.tensor2d(seeded(bs * tq * cc, 10, 2), [bs * tq, cc]);
      const f = (qq: tf.Tensor, kk: tf.Tensor, vx: tf.Tensor) =>
        attentionCore(qq as tf.Tensor2D, kk as tf.Tensor2D, vx as tf.Tensor2D, bias, mask, {
          batchSize: bs,
          numHeads: h,
        });
      const out = [
        f(q, k, vv),
        ...tf.grads((...a: tf.Tensor[]) => tf.sum(tf.mul(f(a[0], a[1], a[2]), wy)))([q, k, vv]),
      ];
      tf.dispose([q, k, vv, bias, mask, wy]);
      return out;
    };
    const [inPlace, copied] = await inPlaceAndCopied(att);
    inPlace.forEach((want, i) => assertClose(`attention[${i}]`, copied[i], want, 1e-6));
  } finally {
    await useBackend("cpu");
  }
});
