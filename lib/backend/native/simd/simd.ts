/**
 * The SIMD kernels (`wat.ts`), instantiated on an arena's memory, with typed entry points.
 *
 * @module
 */
import type { Arena } from "./arena.ts";
import { kernelsModule } from "./modules.ts";

/**
 * The kernels' exports (documented in `wat.ts`). Every pointer is a byte offset into the arena's memory
 * (`inArena` places arrays there); element-wise kernels run over whole vectors of 4 (arena blocks are padded
 * for it); row kernels take rows of any length.
 */
export interface SimdKernels {
  /** y = GELU(x) over n elements. */
  gelu(x: number, y: number, n: number): void;
  /** dx = dy·GELU'(x) over n elements. */
  gelu_grad(dy: number, x: number, dx: number, n: number): void;
  /** out = a + b over n elements. */
  add(a: number, b: number, out: number, n: number): void;
  /** out = a − b over n elements. */
  sub(a: number, b: number, out: number, n: number): void;
  /** out = a · b over n elements. */
  mul(a: number, b: number, out: number, n: number): void;
  /** LayerNorm of rows of c: y = (x − mean)·rstd·γ + β. */
  layer_norm(x: number, g: number, b: number, y: number, rows: number, c: number, eps: number): void;
  /** LayerNorm backward: writes dx; adds dγ and dβ into dg and db. */
  layer_norm_grad(
    dy: number,
    x: number,
    g: number,
    dx: number,
    dg: number,
    db: number,
    rows: number,
    c: number,
    eps: number,
  ): void;
  /**
   * In-place softmax of rows of n after adding a bias row (stride in bytes, 0: one row for all); bias 0 is
   * none, and then the stride must be 0 too (the pointer moves on by it every row).
   */
  softmax_rows(p: number, bias: number, biasStride: number, rows: number, n: number): void;
  /** In-place softmax backward: dp ← p·(dp − Σ dp·p) per row. */
  softmax_grad_rows(dp: number, p: number, rows: number, n: number): void;
  /** Per row: max and Σ e^(x − max), two floats per row at out. */
  row_max_sumexp(x: number, out: number, rows: number, n: number): void;
  /** y = x − shift[row]. */
  sub_rows(x: number, shift: number, y: number, rows: number, n: number): void;
  /** Log-softmax backward: dx = dy − e^y·Σ dy per row. */
  log_softmax_grad_rows(dy: number, y: number, dx: number, rows: number, n: number): void;
  /** out = scale·(column sums of a (rows, q) block). */
  col_sum(x: number, out: number, rows: number, q: number, scale: number): void;
  /**
   * Inverted dropout of n elements with Philox masks (`../philox.ts`): writes mask and y = x·mask; `first`
   * (a multiple of 4) is the index of x's first element in the whole tensor, `k0`, `k1` the key.
   */
  dropout(
    x: number,
    y: number,
    mask: number,
    n: number,
    threshold: number,
    scale: number,
    k0: number,
    k1: number,
    first: number,
  ): void;
  /** Σ x² over n elements (float32 runs added in float64). */
  sum_squares(x: number, n: number): number;
  /** One AdamW update (PyTorch's order) of n parameters into p2, m2, v2. */
  adamw(
    p: number,
    g: number,
    m: number,
    v: number,
    p2: number,
    m2: number,
    v2: number,
    n: number,
    beta1: number,
    beta2: number,
    shrink: number,
    step: number,
    invSqrtC2: number,
    eps: number,
  ): void;
}

/**
 * Why this runtime cannot run the SIMD kernels (the error compiling `bytes`, by default the kernels'
 * module), or `undefined` where it can. `native` checks this before it starts.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { simdUnavailable } from "./simd.ts";
 * assert(simdUnavailable() === undefined); // Deno has WebAssembly SIMD
 * assert(simdUnavailable(new Uint8Array([0, 97, 115, 109, 9, 9, 9, 9])) !== undefined);
 * ```
 */
export function simdUnavailable(bytes?: Uint8Array<ArrayBuffer>): string | undefined {
  try {
    if (bytes) new WebAssembly.Module(bytes);
    else kernelsModule();
    return undefined;
  } catch (e) {
    return `this runtime cannot compile the WebAssembly SIMD kernels (${(e as Error).message})`;
  }
}

/**
 * The SIMD kernels bound to `arena`'s memory. Throws where this runtime lacks WebAssembly SIMD (see
 * `simdUnavailable`).
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { Arena } from "./arena.ts";
 * import { simdKernels } from "./simd.ts";
 * const arena = new Arena(), k = simdKernels(arena);
 * const x = arena.take(3)!, y = arena.take(3)!;
 * x.set([-1, 0, 2]);
 * k.gelu(x.byteOffset, y.byteOffset, 3);
 * assert(Math.abs(y[2] - 1.9545) < 1e-4 && y[1] === 0);
 * ```
 */
export function simdKernels(arena: Arena): SimdKernels {
  const missing = simdUnavailable();
  if (missing !== undefined) throw new Error(`native backend: ${missing}`);
  const instance = new WebAssembly.Instance(kernelsModule(), { env: { memory: arena.memory } });
  return instance.exports as unknown as SimdKernels;
}
