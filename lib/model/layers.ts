/**
 * The building blocks shared by every model: linear, LayerNorm, dropout and embedding lookup over a named
 * parameter record (GELU is the op `gelu` of `../backend/native/mod.ts`).
 *
 * All functions are synchronous tensor math meant to run inside a caller's `tf.tidy`; activations are 2-D
 * `(N, C)` with N = B·T rows, which keeps every linear a single matMul.
 *
 * @module
 */
import { tf } from "../backend/tf.ts";
import type { Tensor, Tensor1D, Tensor2D, Variable } from "../backend/tf.ts";
import type { Params } from "./params.ts";
import { affine, dropout as fusedDropout, layerNorm as fusedLayerNorm } from "../backend/native/mod.ts";

/**
 * `x · Wᵀ + b` with `W = params[name.weight]` in PyTorch's (out, in) layout.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { tf } from "../backend/tf.ts";
 * import { linear } from "./layers.ts";
 * const p = { "d.weight": tf.variable(tf.tensor2d([[1, 2]])), "d.bias": tf.variable(tf.tensor1d([1])) };
 * const y = tf.tidy(() => linear(p, "d", tf.tensor2d([[3, 4]])));
 * assert((await y.data())[0] === 12);
 * ```
 */
export function linear(params: Params, name: string, x: Tensor2D): Tensor2D {
  return affine(x, param(params, `${name}.weight`) as Tensor2D, param(params, `${name}.bias`) as Tensor1D);
}

/**
 * LayerNorm over the last axis with `params[name.weight]` (gain) and `params[name.bias]`; biased variance,
 * as PyTorch.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { tf } from "../backend/tf.ts";
 * import { layerNorm } from "./layers.ts";
 * const p = { "ln.weight": tf.variable(tf.ones([2])), "ln.bias": tf.variable(tf.zeros([2])) };
 * const y = tf.tidy(() => layerNorm(p, "ln", tf.tensor2d([[1, 3]]), 0));
 * assert(Math.abs((await y.data())[1] - 1) < 1e-6);
 * ```
 */
export function layerNorm<T extends Tensor>(params: Params, name: string, x: T, eps: number): T {
  return fusedLayerNorm(x, param(params, `${name}.weight`), param(params, `${name}.bias`), eps);
}

/**
 * Rows of `table` (V, C) at `ids` (N), (N, C): embedding lookups and masked-position picks. Same values as
 * `tf.gather`, but the gradient is a scatter-add, O(N·C); tfjs's own gather gradient (UnsortedSegmentSum)
 * costs O(V·N·C) on the cpu backend, which made it 80% of a training step.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { tf } from "../backend/tf.ts";
 * import { gatherRows } from "./layers.ts";
 * const table = tf.variable(tf.tensor2d([[1, 2], [3, 4], [5, 6]]));
 * const g = tf.tidy(() => tf.grad((t: tf.Tensor) => tf.sum(gatherRows(t as tf.Tensor2D, new Int32Array([2, 0, 2]))))(table));
 * assert((await g.data()).join() === "1,1,0,0,2,2");
 * ```
 */
export function gatherRows(table: Tensor, ids: Int32Array): Tensor2D {
  if (table.rank !== 2) throw new Error(`gatherRows: table must be 2-D, got shape [${table.shape}]`);
  const [v, c] = table.shape;
  // The index tensor is made and saved inside the custom-grad function: gradients run after the forward
  // pass's own tidy, which would have disposed a tensor merely closed over.
  const lookup = tf.customGrad(
    ((t: Tensor, save: tf.GradSaveFunc) => {
      const index = tf.tensor2d(ids, [ids.length, 1], "int32");
      save([index]);
      return {
        value: tf.gather(t, tf.reshape(index, [ids.length])) as Tensor2D,
        gradFunc: (dy: Tensor, saved: Tensor[]) => [tf.scatterND(saved[0], dy, [v, c])],
      };
    }) as unknown as Parameters<typeof tf.customGrad>[0],
  );
  return lookup(table) as Tensor2D;
}

/** Whether a forward pass trains (dropout on) and the seed its dropout masks derive from. */
export interface ForwardOptions {
  /** Dropout is applied only when true. */
  training: boolean;
  /**
   * Seed for this pass's dropout masks; vary it per step (the training loop draws one per step from its
   * seeded generator, `TrainOptions.seed`). Default 0.
   */
  seed?: number;
}

/** A dropout function for one forward pass: each call draws a fresh mask, reproducibly from the seed. */
export type Dropout = (<T extends Tensor>(x: T, rate: number) => T) & {
  /** False for the identity (evaluation); true when calls with a rate above 0 drop units. */
  readonly active: boolean;
};

/**
 * Makes the dropout function one forward pass uses: identity when not training; otherwise inverted dropout
 * whose k-th call (k = 1, 2, …) is seeded with `seed + k·104729` (a prime stride, so the masks of one pass
 * and those of a pass seeded a little later do not share seeds), so a pass is repeatable given its seed.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { tf } from "../backend/tf.ts";
 * import { makeDropout } from "./layers.ts";
 * const drop = makeDropout({ training: false });
 * const x = tf.ones([4]);
 * assert(drop(x, 0.5) === x);
 * x.dispose();
 * ```
 */
export function makeDropout(options: ForwardOptions): Dropout {
  if (!options.training) return Object.assign(<T extends Tensor>(x: T) => x, { active: false });
  let calls = 0;
  const base = options.seed ?? 0;
  const drop = <T extends Tensor>(x: T, rate: number): T => {
    calls++;
    return rate > 0 ? fusedDropout(x, rate, base + calls * 104729) : x;
  };
  return Object.assign(drop, { active: true });
}

/**
 * The variable named `name`, with an error listing near names when it is missing.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { tf } from "../backend/tf.ts";
 * import { param } from "./layers.ts";
 * const p = { a: tf.variable(tf.zeros([1])) };
 * assert(param(p, "a") === p.a);
 * ```
 */
export function param(params: Params, name: string): Variable {
  const v = params[name];
  if (v === undefined) {
    const prefix = name.split(".").slice(0, -1).join(".");
    const near = Object.keys(params).filter((k) => k.startsWith(prefix)).slice(0, 5);
    throw new Error(
      `missing parameter "${name}"` +
        (near.length ? `; parameters under "${prefix}": ${near.join(", ")}` : "") +
        ` (was the record built by the matching init function and config?)`,
    );
  }
  return v;
}
