/**
 * The SIMD kernels split over worker threads (`simd/parallel.ts`): every split kernel gives exactly the
 * result of the same kernel on one thread (each part runs the same per-element or per-row arithmetic on a
 * disjoint slice), for sizes that split into uneven parts.
 */
import { assert } from "@std/assert";
import { Arena } from "../../lib/backend/native/simd/arena.ts";
import { simdKernels } from "../../lib/backend/native/simd/simd.ts";
import { ThreadPool } from "../../lib/backend/native/simd/thread_pool.ts";
import { parallelKernels, SPLIT_MIN_ELEMENTS } from "../../lib/backend/native/simd/parallel.ts";
import { seeded, threadsReady } from "./_native.ts";

// Bit-for-bit equality, reporting the first difference (a diff of 100k floats would not fit in memory).
function assertSame(got: Float32Array, want: Float32Array, what: string): void {
  const i = got.findIndex((v, j) => !Object.is(v, want[j]));
  assert(i < 0, `${what}: element ${i} is ${got[i]}, one thread gives ${want[i]}`);
}

Deno.test("parallelKernels() on 3 threads equal the one-thread kernels exactly", async () => {
  const arena = new Arena(), one = simdKernels(arena);
  const pool = new ThreadPool({ memory: arena.memory, relaxed: false }, 3);
  const split = parallelKernels(one, pool);
  try {
    await threadsReady(pool, 3);
    const rows = 3 * SPLIT_MIN_ELEMENTS / 64 + 5, c = 64, n = rows * c; // splits 3 ways, unevenly
    const block = (seed: number) => {
      const a = arena.take(n)!;
      a.set(seeded(n, seed, 4));
      return a;
    };
    const x = block(1), y = block(2), z = block(3), w = block(4), g = block(5), b = block(6);
    const out1 = arena.take(n)!, out2 = arena.take(n)!;
    const o = (a: Float32Array) => a.byteOffset;
    const both = (what: string, run: (k: typeof one, out: Float32Array) => void) => {
      out1.fill(NaN);
      out2.fill(NaN);
      run(one, out1);
      run(split, out2);
      assertSame(out2, out1, what);
      assert(!Number.isNaN(out1[n - 1]), `${what}: the last element was written`);
    };
    both("gelu", (k, out) => k.gelu(o(x), o(out), n));
    both("gelu_grad", (k, out) => k.gelu_grad(o(y), o(x), o(out), n));
    both("add", (k, out) => k.add(o(x), o(y), o(out), n));
    both("sub", (k, out) => k.sub(o(x), o(y), o(out), n));
    both("mul", (k, out) => k.mul(o(x), o(y), o(out), n));
    both("layer_norm", (k, out) => k.layer_norm(o(x), o(g), o(b), o(out), rows, c, 1e-5));
    both("softmax_rows (bias per row)", (k, out) => {
      out.set(x);
      k.softmax_rows(o(out), o(z), c * 4, rows, c);
    });
    both("softmax_rows (one bias row)", (k, out) => {
      out.set(x);
      k.softmax_rows(o(out), o(z), 0, rows, c);
    });
    both("softmax_grad_rows", (k, out) => {
      out.set(y);
      k.softmax_grad_rows(o(out), o(w), rows, c);
    });
    both("log_softmax_grad_rows", (k, out) => k.log_softmax_grad_rows(o(y), o(x), o(out), rows, c));
    // Two floats (max, Σ exp) per row at the start of out; the rest stays NaN in both runs.
    both("row_max_sumexp", (k, out) => {
      out[n - 1] = 0;
      k.row_max_sumexp(o(x), o(out), rows, c);
    });
    both("sub_rows", (k, out) => k.sub_rows(o(x), o(z), o(out), rows, c));
    const m1 = arena.take(n)!, v1 = arena.take(n)!, m2 = arena.take(n)!, v2 = arena.take(n)!;
    const second = arena.take(n)!; // the second moment is never negative
    second.set(w.map(Math.abs));
    both("adamw", (k, out) => {
      const [m, v] = out === out1 ? [m1, v1] : [m2, v2];
      k.adamw(o(x), o(y), o(z), o(second), o(out), o(m), o(v), n, 0.9, 0.98, 0.999, 1e-3, 1.2, 1e-6);
    });
    assertSame(m2, m1, "adamw m");
    assertSame(v2, v1, "adamw v");
  } finally {
    pool.close();
  }
});
