/**
 * Dropout masks from Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011),
 * a counter-based generator: element i's draw is a pure function of (seed, i), so any range of a mask can be
 * made on any thread, and every backend makes the same mask from the same seed. This file holds the
 * JavaScript version (the reference, and the composite path on `cpu`, `wasm` and `webgpu`); `simd/wat.ts`
 * splices the same rounds into the native `dropout` kernel, which tests compare bit for bit.
 *
 * Element i uses 32-bit word i mod 4 of Philox4x32-10(counter = (⌊i/4⌋, 0, 0, 0), key = (seed mod 2³²,
 * ⌊seed / 2³²⌋ mod 2³²)); it is kept when its top 24 bits are below ⌊(1 − rate)·2²⁴⌋, and a kept element is
 * scaled by float32(1 / (1 − rate)).
 *
 * @module
 */

/** Philox4x32's multipliers and Weyl key increments (Random123). */
export const PHILOX_M0 = 0xD2511F53, PHILOX_M1 = 0xCD9E8D57, PHILOX_W0 = 0x9E3779B9, PHILOX_W1 = 0xBB67AE85;

// The high 32 bits of the 64-bit product of two uint32 (16-bit halves keep every partial product exact).
function mulhi(a: number, b: number): number {
  const a0 = a & 0xffff, a1 = a >>> 16, b0 = b & 0xffff, b1 = b >>> 16;
  const t = a0 * b0, m1 = a1 * b0 + (t >>> 16), m2 = a0 * b1 + (m1 & 0xffff);
  return (a1 * b1 + Math.floor(m1 / 65536) + Math.floor(m2 / 65536)) >>> 0;
}

/**
 * Philox4x32-10 of one counter under one key: four uint32 words.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { philox4x32 } from "./philox.ts";
 * // Random123's first known-answer vector.
 * assertEquals(philox4x32([0, 0, 0, 0], [0, 0]), [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]);
 * ```
 */
export function philox4x32(counter: readonly number[], key: readonly number[]): number[] {
  let [c0, c1, c2, c3] = counter.map((v) => v >>> 0), [k0, k1] = key.map((v) => v >>> 0);
  for (let round = 0; round < 10; round++) {
    const hi0 = mulhi(PHILOX_M0, c0), lo0 = Math.imul(PHILOX_M0, c0) >>> 0;
    const hi1 = mulhi(PHILOX_M1, c2), lo1 = Math.imul(PHILOX_M1, c2) >>> 0;
    [c0, c1, c2, c3] = [(hi1 ^ c1 ^ k0) >>> 0, lo1, (hi0 ^ c3 ^ k1) >>> 0, lo0];
    k0 = (k0 + PHILOX_W0) >>> 0;
    k1 = (k1 + PHILOX_W1) >>> 0;
  }
  return [c0, c1, c2, c3];
}

/** The Philox key of a dropout seed (an integer; its low and high 32 bits). */
export function dropoutKey(seed: number): [number, number] {
  if (!Number.isSafeInteger(seed)) throw new Error(`dropout: seed must be an integer, got ${seed}`);
  return [seed >>> 0, Math.floor(seed / 2 ** 32) >>> 0];
}

/** Elements are kept when the top 24 bits of their word are below this. */
export function keepThreshold(rate: number): number {
  if (!(rate >= 0 && rate < 1)) throw new Error(`dropout: rate must be in [0, 1), got ${rate}`);
  return Math.floor((1 - rate) * 2 ** 24);
}

/**
 * Elements [first, first + n) of the inverted-dropout mask for `rate` and `seed` (0 for a dropped element,
 * float32(1 / (1 − rate)) for a kept one), written to `out`.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { dropoutMask } from "./philox.ts";
 * const mask = dropoutMask(new Float32Array(1000), 0.25, 7);
 * const kept = mask.filter((v) => v !== 0);
 * assert(kept.every((v) => v === Math.fround(4 / 3)) && Math.abs(kept.length - 750) < 60);
 * ```
 */
export function dropoutMask(out: Float32Array, rate: number, seed: number, first = 0): Float32Array {
  if (first % 4 !== 0) throw new Error(`dropoutMask: first must be a multiple of 4, got ${first}`);
  const key = dropoutKey(seed), threshold = keepThreshold(rate), scale = Math.fround(1 / (1 - rate));
  const counter = [0, 0, 0, 0];
  for (let i = 0; i < out.length; i += 4) {
    counter[0] = (first + i) / 4;
    const words = philox4x32(counter, key);
    for (let l = 0; l < 4 && i + l < out.length; l++) out[i + l] = words[l] >>> 8 < threshold ? scale : 0;
  }
  return out;
}
