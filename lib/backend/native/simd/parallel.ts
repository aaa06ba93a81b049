/**
 * The SIMD kernels split over a `ThreadPool`: element-wise kernels by ranges of elements, row kernels by
 * ranges of rows, each part a call of the same WebAssembly export on a disjoint slice of the arena. Calls
 * too small to repay a dispatch (about 10 µs) run on the calling thread; kernels that accumulate across
 * rows (`layer_norm_grad`, `col_sum`, `sum_squares`) always do here (LayerNorm's backward is split by
 * chunks of rows in `../fused_kernels.ts` instead, see `layer_norm_chunks.ts`; splitting `col_sum` by
 * columns measured 4× slower than one thread).
 *
 * @module
 */
import type { SimdKernels } from "./simd.ts";
import type { PoolTask, ThreadPool } from "./thread_pool.ts";

/** Elements per part below which an element-wise call is not split. */
export const SPLIT_MIN_ELEMENTS = 1 << 15;

type Fn = (...args: number[]) => unknown;

/**
 * `kernels` with the splittable exports dispatched over `pool` when they are large enough. Element ranges
 * start at multiples of 16 floats, so every part keeps the arena's 64-byte alignment and whole vectors.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { Arena } from "./arena.ts";
 * import { simdKernels } from "./simd.ts";
 * import { ThreadPool } from "./thread_pool.ts";
 * import { parallelKernels } from "./parallel.ts";
 * const arena = new Arena(), k = simdKernels(arena);
 * const pool = new ThreadPool({ memory: arena.memory, relaxed: false }, 1);
 * const p = parallelKernels(k, pool);
 * const x = arena.take(3)!, y = arena.take(3)!;
 * x.set([1, 2, 3]);
 * p.add(x.byteOffset, x.byteOffset, y.byteOffset, 3);
 * assert(y.join() === "2,4,6");
 * ```
 */
export function parallelKernels(kernels: SimdKernels, pool: ThreadPool): SimdKernels {
  const own = kernels as unknown as Record<string, Fn>;
  pool.provide(own);
  const parts = (work: number) => Math.min(pool.ready, Math.floor(work / SPLIT_MIN_ELEMENTS)) || 1;
  const run = (fn: string, tasks: PoolTask[]): unknown =>
    tasks.length === 1 ? own[fn](...tasks[0].args) : pool.run(tasks);
  // Element-wise: `pointers` leading pointer arguments, then n, then any scalars.
  const elementwise = (fn: string, pointers: number): Fn => (...args: number[]) => {
    const n = args[pointers], count = parts(n);
    if (count === 1) return own[fn](...args);
    const per = Math.ceil(n / count / 16) * 16, tasks: PoolTask[] = [];
    for (let start = 0; start < n; start += per) {
      const a = args.slice();
      for (let i = 0; i < pointers; i++) a[i] += start * 4;
      a[pointers] = Math.min(per, n - start);
      tasks.push({ fn, args: a });
    }
    return run(fn, tasks);
  };
  // Row kernels: `advance(args, row)` returns the arguments of the part starting at `row`, `rowsAt` the
  // index of the row-count argument, `width` the elements per row.
  const byRows = (
    fn: string,
    rowsAt: number,
    width: (args: number[]) => number,
    advance: (args: number[], row: number) => number[],
  ): Fn =>
  (...args: number[]) => {
    const rows = args[rowsAt], count = parts(rows * width(args));
    if (count === 1) return own[fn](...args);
    const per = Math.ceil(rows / count), tasks: PoolTask[] = [];
    for (let row = 0; row < rows; row += per) {
      const a = advance(args.slice(), row);
      a[rowsAt] = Math.min(per, rows - row);
      tasks.push({ fn, args: a });
    }
    return run(fn, tasks);
  };
  const shift = (a: number[], indices: number[], bytes: number) => {
    for (const i of indices) a[i] += bytes;
    return a;
  };
  return {
    ...kernels,
    gelu: elementwise("gelu", 2),
    gelu_grad: elementwise("gelu_grad", 3),
    add: elementwise("add", 3),
    sub: elementwise("sub", 3),
    mul: elementwise("mul", 3),
    adamw: elementwise("adamw", 7),
    // (x, y, mask, n, threshold, scale, k0, k1, first): a part's first element moves on with its pointers
    dropout: (...args: number[]) => {
      const n = args[3], count = parts(n);
      if (count === 1) return own.dropout(...args);
      const per = Math.ceil(n / count / 16) * 16, tasks: PoolTask[] = [];
      for (let start = 0; start < n; start += per) {
        const a = shift(args.slice(), [0, 1, 2], start * 4);
        a[3] = Math.min(per, n - start);
        a[8] += start;
        tasks.push({ fn: "dropout", args: a });
      }
      return run("dropout", tasks);
    },
    // (x, g, b, y, rows, c, eps)
    layer_norm: byRows("layer_norm", 4, (a) => a[5], (a, r) => shift(a, [0, 3], r * a[5] * 4)),
    // (p, bias, biasStride, rows, n): a bias row moves on only with a stride
    softmax_rows: byRows("softmax_rows", 3, (a) => a[4], (a, r) => {
      a[0] += r * a[4] * 4;
      if (a[1] !== 0) a[1] += r * a[2];
      return a;
    }),
    // (dp, p, rows, n)
    softmax_grad_rows: byRows("softmax_grad_rows", 2, (a) => a[3], (a, r) => shift(a, [0, 1], r * a[3] * 4)),
    // (x, out, rows, n): two floats of out per row
    row_max_sumexp: byRows("row_max_sumexp", 2, (a) => a[3], (a, r) => {
      a[0] += r * a[3] * 4;
      a[1] += r * 8;
      return a;
    }),
    // (x, shift, y, rows, n): one float of shift per row
    sub_rows: byRows("sub_rows", 3, (a) => a[4], (a, r) => {
      shift(a, [0, 2], r * a[4] * 4);
      a[1] += r * 4;
      return a;
    }),
    // (dy, y, dx, rows, n)
    log_softmax_grad_rows: byRows(
      "log_softmax_grad_rows",
      3,
      (a) => a[4],
      (a, r) => shift(a, [0, 1, 2], r * a[4] * 4),
    ),
  } as SimdKernels;
}
