/**
 * Adam and AdamW (decoupled weight decay, Loshchilov & Hutter), written out so the moments are named,
 * saved in checkpoints and restored exactly.
 *
 * The update matches `torch.optim.AdamW` / `torch.optim.Adam`:
 *   m ← β1·m + (1-β1)·g;  v ← β2·v + (1-β2)·g²;  m̂ = m/(1-β1ᵗ);  v̂ = v/(1-β2ᵗ)
 *   AdamW: p ← p - lr·(m̂/(√v̂+ε) + λ·p)        Adam: g ← g + λ·p before the moments (L2 penalty)
 *
 * @module
 */
import { checkKeys } from "../util/options.ts";
import { tf } from "../backend/tf.ts";
import type { Tensor, Variable } from "../backend/tf.ts";
import { adamwStep } from "../backend/native/mod.ts";
import type { Params } from "../model/params.ts";

/** Optimizer hyper-parameters (the learning rate comes from the schedule, per step). */
export interface AdamWConfig {
  /** β1: decay of the first moment. */
  beta1: number;
  /** β2: decay of the second moment. */
  beta2: number;
  /** ε added to √v̂. */
  epsilon: number;
  /** λ: weight decay. */
  weightDecay: number;
  /** true: AdamW (decay applied to the weights); false: Adam with L2 (decay added to the gradient). */
  decoupled: boolean;
  /** Decay only parameters whose name passes; default: all but biases and LayerNorms. */
  decay: (name: string) => boolean;
}

/**
 * No weight decay on biases and LayerNorm gains, as RoBERTa/fairseq/HF do.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { decayAllButBiasAndNorm } from "./adamw.ts";
 * assert(decayAllButBiasAndNorm("roberta.encoder.layer.0.output.dense.weight"));
 * assert(!decayAllButBiasAndNorm("roberta.encoder.layer.0.output.LayerNorm.weight"));
 * assert(!decayAllButBiasAndNorm("lm_head.bias"));
 * ```
 */
export function decayAllButBiasAndNorm(name: string): boolean {
  return !(name.endsWith("bias") || /layer_?norm/i.test(name));
}

/** RoBERTa's pretraining values (Liu et al. 2019, table 9). */
export const ADAMW_DEFAULTS: Readonly<AdamWConfig> = Object.freeze({
  beta1: 0.9,
  beta2: 0.98, // RoBERTa: 0.98 is more stable than 0.999 with large batches
  epsilon: 1e-6, // RoBERTa's value
  weightDecay: 0.01, // RoBERTa's value
  decoupled: true,
  decay: decayAllButBiasAndNorm,
});

/** Optimizer state: hyper-parameters, step count and per-parameter moments (owned; see `disposeAdamW`). */
export interface AdamW {
  /** Hyper-parameters (fixed for the run). */
  readonly config: AdamWConfig;
  /** Number of updates applied so far (t in the bias corrections). */
  step: number;
  /** First moments, keyed like the parameters (non-trainable variables). */
  readonly m: Record<string, Variable>;
  /** Second moments, keyed like the parameters. */
  readonly v: Record<string, Variable>;
}

/**
 * Zero-initialised optimizer state for `params`.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { tf } from "../backend/tf.ts";
 * import { createAdamW, disposeAdamW } from "./adamw.ts";
 * const opt = createAdamW({ w: tf.variable(tf.ones([3])) }, { weightDecay: 0 });
 * assert(opt.step === 0 && opt.m.w.shape[0] === 3);
 * disposeAdamW(opt);
 * ```
 */
export function createAdamW(params: Params, overrides: Partial<AdamWConfig> = {}): AdamW {
  checkKeys("createAdamW", overrides, ["beta1", "beta2", "epsilon", "weightDecay", "decoupled", "decay"]);
  const config = { ...ADAMW_DEFAULTS, ...overrides };
  if (!(config.beta1 >= 0 && config.beta1 < 1 && config.beta2 >= 0 && config.beta2 < 1)) {
    throw new Error(`AdamW: beta1 and beta2 must be in [0, 1), got ${config.beta1}, ${config.beta2}`);
  }
  if (!(config.epsilon > 0)) throw new Error(`AdamW: epsilon must be > 0, got ${config.epsilon}`);
  if (!(config.weightDecay >= 0)) {
    throw new Error(`AdamW: weightDecay must be ≥ 0, got ${config.weightDecay}`);
  }
  const m: Record<string, Variable> = {}, v: Record<string, Variable> = {};
  for (const [name, p] of Object.entries(params)) {
    // tf.variable keeps its own reference to the data; tidy disposes the zerosLike temporaries.
    m[name] = tf.tidy(() => tf.variable(tf.zerosLike(p), false));
    v[name] = tf.tidy(() => tf.variable(tf.zerosLike(p), false));
  }
  return { config, step: 0, m, v };
}

/**
 * Frees the moments.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { tf } from "../backend/tf.ts";
 * import { createAdamW, disposeAdamW } from "./adamw.ts";
 * const w = tf.variable(tf.zeros([2]));
 * const before = tf.memory().numTensors;
 * disposeAdamW(createAdamW({ w }));
 * assert(tf.memory().numTensors === before);
 * w.dispose();
 * ```
 */
export function disposeAdamW(opt: AdamW): void {
  for (const t of [...Object.values(opt.m), ...Object.values(opt.v)]) t.dispose();
}

/**
 * Applies one update with learning rate `lr` given `grads` keyed like `params` (parameters with no
 * gradient are skipped, as PyTorch skips `grad is None`). Synchronous: call inside `tf.tidy`.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { tf } from "../backend/tf.ts";
 * import { adamwUpdate, createAdamW, disposeAdamW } from "./adamw.ts";
 * const params = { w: tf.variable(tf.tensor1d([1])) };
 * const opt = createAdamW(params, { weightDecay: 0 });
 * tf.tidy(() => adamwUpdate(params, opt, { w: tf.tensor1d([5]) }, 0.1));
 * // First Adam step moves each weight by lr·sign(g) (up to ε).
 * assert(Math.abs((await params.w.data())[0] - 0.9) < 1e-6);
 * disposeAdamW(opt);
 * params.w.dispose();
 * ```
 */
export function adamwUpdate(params: Params, opt: AdamW, grads: Record<string, Tensor>, lr: number): void {
  const { beta1, beta2, epsilon, weightDecay, decoupled, decay } = opt.config;
  opt.step++;
  const c1 = 1 - beta1 ** opt.step, c2 = 1 - beta2 ** opt.step;
  for (const [name, p] of Object.entries(params)) {
    let g = grads[name];
    if (g === undefined) continue;
    const m = opt.m[name], v = opt.v[name];
    if (m === undefined) throw new Error(`AdamW: no optimizer state for parameter "${name}"`);
    const lambda = decay(name) ? weightDecay : 0;
    // Adam + L2 is Adam on g + λp; AdamW decays p itself. One fused kernel on `native`, the same composite
    // math (in PyTorch's operation order) on every other backend.
    if (!decoupled && lambda > 0) g = tf.add(g, tf.mul(p, lambda));
    const step = { lr, beta1, beta2, epsilon, weightDecay: decoupled ? lambda : 0, c1, c2 };
    const [p2, m2, v2] = adamwStep(p, g, m, v, step);
    m.assign(m2);
    v.assign(v2);
    p.assign(p2);
    tf.dispose([p2, m2, v2]);
  }
}
