/**
 * A model's parameters: a record of named `tf.Variable`s, plus seeded initialisers.
 *
 * Names follow Hugging Face (RoBERTa / BART) where a counterpart exists, and linear weights use PyTorch's
 * `(out, in)` layout, so a checkpoint loads into `torch.nn.Linear` without transposing.
 *
 * @module
 */
import { tf } from "../backend/tf.ts";
import type { Tensor, Variable } from "../backend/tf.ts";
import type { Rng } from "../util/random.ts";

/** Named parameters. Owned by whoever called the `init*` function: free them with `disposeParams`. */
export type Params = Record<string, Variable>;

/**
 * Disposes every variable in `params`.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { tf } from "../backend/tf.ts";
 * import { disposeParams } from "./params.ts";
 * const before = tf.memory().numTensors;
 * const params = { w: tf.tidy(() => tf.variable(tf.ones([2]))) };
 * assert(tf.memory().numTensors === before + 1);
 * disposeParams(params);
 * assert(tf.memory().numTensors === before);
 * ```
 */
export function disposeParams(params: Params): void {
  for (const v of Object.values(params)) v.dispose();
}

/**
 * Builds parameters one by one with seeded values; each normal draw gets its own seed from `rng`, so
 * adding a parameter at the end never changes the earlier ones.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { createRng } from "../util/random.ts";
 * import { disposeParams, ParamBuilder } from "./params.ts";
 * const b = new ParamBuilder(createRng(0), 0.02);
 * b.linear("dense", 3, 2);
 * assert(b.params["dense.weight"].shape.join() === "3,2");
 * disposeParams(b.params);
 * ```
 */
export class ParamBuilder {
  /** The parameters built so far. */
  readonly params: Params = {};
  /** Draws initial values from `rng` with standard deviation `std` (0.02 in BERT/RoBERTa). */
  constructor(private readonly rng: Rng, private readonly std: number) {}

  /** A parameter drawn from N(0, std²). */
  normal(name: string, shape: number[]): void {
    const seed = this.rng.int(2 ** 31);
    this.#add(name, tf.tidy(() => tf.randomNormal(shape, 0, this.std, "float32", seed)));
  }

  /** A parameter filled with `value`. */
  fill(name: string, shape: number[], value: number): void {
    this.#add(name, tf.fill(shape, value));
  }

  /** `name.weight` (out, in) ~ N(0, std²) and `name.bias` (out) = 0, as `torch.nn.Linear` in HF init. */
  linear(name: string, outFeatures: number, inFeatures: number): void {
    this.normal(`${name}.weight`, [outFeatures, inFeatures]);
    this.fill(`${name}.bias`, [outFeatures], 0);
  }

  /** `name.weight` = 1 and `name.bias` = 0, as `torch.nn.LayerNorm`. */
  layerNorm(name: string, size: number): void {
    this.fill(`${name}.weight`, [size], 1);
    this.fill(`${name}.bias`, [size], 0);
  }

  #add(name: string, value: Tensor): void {
    if (name in this.params) throw new Error(`ParamBuilder: duplicate parameter name "${name}"`);
    // Unnamed variables: tfjs names must be globally unique, and two models may share HF names.
    this.params[name] = tf.variable(value, true);
    value.dispose();
  }
}
