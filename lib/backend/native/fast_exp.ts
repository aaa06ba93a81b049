/**
 * `fastExp`: e^x to float32 accuracy in about a quarter of `Math.exp`'s time, for the JavaScript element-wise
 * kernels of `elementwise.ts` (Exp, Sigmoid; the fused ops' exp is the SIMD one in `simd/wat.ts`).
 *
 * With k = round(64·x/ln 2), e^x = 2^(k>>6) · 2^((k&63)/64) · e^r with |r| ≤ ln 2/128, and e^r is a cubic
 * (error < 4e-11); both powers of two come from tables. Relative error stays below 2e-7 (float32's own rounding is 6e-8); inputs are
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
