/**
 * The native backend's output-array pool: freed outputs are reused, but never an array that was handed out
 * (`dataSync`/`data`) or that another tensor views (a contiguous `slice` is a subarray on cpu kernels).
 */
import { assert, assertEquals } from "@std/assert";
import { tf, useBackend } from "../../lib/backend/mod.ts";
import type { NativeBackend } from "../../lib/backend/native/native_backend.ts";
import { HAS_NATIVE } from "./_native.ts";
import { BufferPool } from "../../lib/backend/native/buffer_pool.ts";
import { Arena } from "../../lib/backend/native/simd/arena.ts";
import { onWarning, type Warning } from "../../lib/util/warnings.ts";

const N = 4096;

// Allocates and frees several same-size outputs, which would land in any recycled array.
function churn(x: tf.Tensor): void {
  for (let k = 0; k < 6; k++) tf.tidy(() => tf.mul(tf.add(x, k), 3));
}

Deno.test({ name: "native pool: a freed kernel output is kept for reuse", ignore: !HAS_NATIVE }, async () => {
  await useBackend("native");
  try {
    const pool = (tf.backend() as unknown as NativeBackend).pool;
    const x = tf.ones([N]);
    churn(x); // warm: the pool now holds arrays of this size
    const before = pool.idleBytes;
    const y = tf.add(x, 1);
    assertEquals(pool.idleBytes, before - 4 * N, "the output came from the pool");
    y.dispose();
    assertEquals(pool.idleBytes, before, "and went back when freed");
    x.dispose();
  } finally {
    await useBackend("cpu");
  }
});

Deno.test(
  { name: "native pool: arrays handed out by dataSync() are never reused", ignore: !HAS_NATIVE },
  async () => {
    await useBackend("native");
    try {
      const x = tf.ones([N]);
      churn(x);
      const y = tf.add(x, 41);
      const held = y.dataSync() as Float32Array; // cpu-style backends return the backing array itself
      y.dispose();
      churn(x);
      assert(held.every((v) => v === 42), "an array the caller holds was overwritten");
      x.dispose();
    } finally {
      await useBackend("cpu");
    }
  },
);

Deno.test(
  { name: "native pool: an array viewed by a slice is not reused", ignore: !HAS_NATIVE },
  async () => {
    await useBackend("native");
    try {
      const x = tf.ones([N]);
      churn(x);
      const y = tf.add(x, 6);
      const half = tf.slice(y, [0], [N / 2]); // a subarray of y's array
      y.dispose();
      churn(x);
      const v = await half.data();
      assert(v.every((e) => e === 7), "a slice's data changed after its source was freed");
      tf.dispose([half, x]);
    } finally {
      await useBackend("cpu");
    }
  },
);

Deno.test("native pool: a full arena warns once, through the warnings channel, and takes still succeed", () => {
  const seen: Warning[] = [];
  const stop = onWarning((w) => {
    if (w.source === "native backend") seen.push(w);
  });
  try {
    const pool = new BufferPool(2 ** 20, new Arena(2 * 65536)); // two 64 KiB pages
    const blocks = [0, 1, 2, 3].map(() => pool.take(16384)); // 64 KiB each: the last two do not fit
    assert(blocks.every((b) => b.length === 16384));
    assertEquals(seen.length, 1);
    assert(seen[0].message.includes("arena is full"), seen[0].message);
  } finally {
    stop();
  }
});
