/**
 * Uniform k-bit weight quantization with PyTorch's arithmetic, bit for bit.
 *
 * Quantization parameters follow `MinMaxObserver` / `PerChannelMinMaxObserver._calculate_qparams` (torch 1.13),
 * in float32: the range is widened to include 0, then
 * - symmetric (signed codes, quant range [-2^(k-1), 2^(k-1)-1], zero point 0):
 *   `scale = max(-min, max) / ((qmax - qmin) / 2)`;
 * - affine (unsigned codes [0, 2^k - 1]): `scale = (max - min) / (qmax - qmin)`,
 *   `zeroPoint = clamp(qmin - round(min / scale))`;
 * with `scale = max(scale, float32 eps)`. Fake quantization is torch's CPU kernel
 * (`fake_quantize_per_{tensor,channel}_affine`): `q = clamp(zp + nearbyint(x * float32(1/scale)))`,
 * `y = float32((q - zp) * scale)`, rounding halves to even. Every float32 operation is emulated with
 * `Math.fround` (a double result of one float32 op, rounded once, equals the float32 op).
 * Shape vocabulary: C = number of channels along `channelAxis` (1 for per-tensor).
 *
 * @module
 */
import { checkChoice, checkKeys, checkNumber, OptionError } from "../util/options.ts";
import { roundHalfEven } from "./select_k.ts";

/** How to quantize one tensor. */
export interface QuantizeOptions {
  /** Bits per weight, 2..8. */
  bits: number;
  /** "symmetric" (signed codes, zero point 0) or "affine" (unsigned codes, zero point from the minimum). */
  scheme?: "symmetric" | "affine";
  /** One scale for the tensor or one per slice along `channelAxis`. */
  granularity?: "per-tensor" | "per-channel";
  /** Output-channel axis for per-channel (torch Linear weight [out, in]: 0). Default 0. */
  channelAxis?: number;
}

/** Frozen defaults: symmetric per-channel along axis 0, the common choice for weights. */
export const QUANTIZE_DEFAULTS: Readonly<
  { scheme: "symmetric"; granularity: "per-channel"; channelAxis: number }
> = Object.freeze({
  scheme: "symmetric" as const,
  granularity: "per-channel" as const,
  channelAxis: 0,
});

/** Quantization parameters of one tensor (JSON-safe apart from the typed arrays). */
export interface QuantParams {
  /** Bits per quantized code. */
  bits: number;
  /** Symmetric (zero point 0) or affine (zero point chosen to fit [min, max]). */
  scheme: "symmetric" | "affine";
  /** -1 for per-tensor. */
  axis: number;
  /** Smallest integer code. */
  quantMin: number;
  /** Largest integer code. */
  quantMax: number;
  /** (C) float32 scales. */
  scale: Float32Array;
  /** (C) integer zero points. */
  zeroPoint: Int32Array;
}

/** torch.finfo(torch.float32).eps */
const F32_EPS = Math.fround(2 ** -23);
const f = Math.fround;
// Adding and subtracting 1.5·2^52 rounds a double to an integer, ties to even, exactly (|x| < 2^51): the hot
// loops' round-half-even without a call or branches. (Codes are bounded by the MinMax range anyway.)
const RHE = 6755399441055744;

/**
 * quant_min / quant_max of a k-bit scheme.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { quantRange } from "./quantize.ts";
 * assert(quantRange(4, "symmetric").join() === "-8,7" && quantRange(4, "affine").join() === "0,15");
 * ```
 */
export function quantRange(bits: number, scheme: "symmetric" | "affine"): [number, number] {
  if (!Number.isInteger(bits) || bits < 2 || bits > 8) {
    throw new Error(`quantize: bits must be 2..8, got ${bits}`);
  }
  return scheme === "symmetric" ? [-(2 ** (bits - 1)), 2 ** (bits - 1) - 1] : [0, 2 ** bits - 1];
}

/** Channel count and stride of `axis` in a row-major `shape`. */
function channelLayout(shape: readonly number[], axis: number): { channels: number; inner: number } {
  if (axis < 0) return { channels: 1, inner: shape.reduce((a, b) => a * b, 1) };
  if (axis >= shape.length) {
    throw new Error(`quantize: channelAxis ${axis} out of range for shape [${shape}]`);
  }
  return { channels: shape[axis], inner: shape.slice(axis + 1).reduce((a, b) => a * b, 1) };
}

// One weight's integer code: zero point plus round-half-even of v·(1/scale) in float32, clamped.
function codeOf(v: number, invScale: number, zp: number, quantMin: number, quantMax: number): number {
  const q = zp + ((f(v * invScale) + RHE) - RHE);
  return q < quantMin ? quantMin : q > quantMax ? quantMax : q;
}

// Calls visit(start, end, c) for each contiguous run of elements of channel c (the whole array for
// per-tensor), so the hot loops carry no per-element index arithmetic.
function channelRuns(
  n: number,
  channels: number,
  inner: number,
  visit: (start: number, end: number, c: number) => void,
): void {
  if (channels === 1) return visit(0, n, 0);
  for (let start = 0, c = 0; start < n; start += inner, c = c + 1 === channels ? 0 : c + 1) {
    visit(start, start + inner, c);
  }
}

/** The option names of `QuantizeOptions`. */
export const QUANTIZE_KEYS: readonly string[] = ["bits", "scheme", "granularity", "channelAxis"];

/**
 * Validates quantization options (names, bits 2..8, scheme, granularity, and a per-channel `channelAxis`
 * in [0, rank) of `shape`, when given) with `OptionError`s naming the option.
 *
 * @example
 * ```ts
 * import { assertThrows } from "@std/assert";
 * import { checkQuantizeOptions } from "./quantize.ts";
 * checkQuantizeOptions({ bits: 4 }, [3, 4]);
 * assertThrows(() => checkQuantizeOptions({ bits: 4, channelAxis: -1 }, [3, 4]), Error, "channelAxis");
 * ```
 */
export function checkQuantizeOptions(options: QuantizeOptions, shape?: readonly number[]): void {
  const w = "quantize";
  checkKeys(w, options, QUANTIZE_KEYS);
  if (options.bits === undefined) throw new OptionError(w, "bits", "`bits` (2..8) is required");
  checkNumber(w, "bits", options.bits, { min: 2, max: 8, integer: true });
  checkChoice(w, "scheme", options.scheme, ["symmetric", "affine"]);
  checkChoice(w, "granularity", options.granularity, ["per-tensor", "per-channel"]);
  const perChannel = (options.granularity ?? QUANTIZE_DEFAULTS.granularity) === "per-channel";
  const axis = options.channelAxis ?? QUANTIZE_DEFAULTS.channelAxis;
  // -1 is how QuantParams spells per-tensor; as an option it is an error, never a silent per-tensor.
  checkNumber(w, "channelAxis", axis, {
    min: 0,
    integer: true,
    ...(shape && perChannel ? { below: shape.length } : {}),
  });
}

/**
 * MinMax-observer quantization parameters of `values` (row-major, `shape`).
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { quantParams } from "./quantize.ts";
 * const q = quantParams(new Float32Array([-1, 0.5, 2]), [3], { bits: 8, scheme: "affine", granularity: "per-tensor" });
 * assert(q.scale[0] === Math.fround(3 / 255) && q.zeroPoint[0] === 85);
 * ```
 */
export function quantParams(
  values: Float32Array,
  shape: readonly number[],
  options: QuantizeOptions,
): QuantParams {
  checkQuantizeOptions(options, shape);
  const o = { ...QUANTIZE_DEFAULTS, ...options };
  const [quantMin, quantMax] = quantRange(o.bits, o.scheme);
  const axis = o.granularity === "per-tensor" ? -1 : o.channelAxis;
  const { channels, inner } = channelLayout(shape, axis);
  const min = new Float32Array(channels).fill(Infinity), max = new Float32Array(channels).fill(-Infinity);
  channelRuns(values.length, channels, inner, (start, end, c) => {
    let lo = min[c], hi = max[c], bad = 0;
    for (let i = start; i < end; i++) {
      const v = values[i];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
      bad += v * 0; // NaN once any value is NaN or infinite
    }
    if (bad !== 0) {
      for (let i = start; i < end; i++) {
        if (!Number.isFinite(values[i])) {
          throw new Error(`quantize: non-finite value ${values[i]} at flat index ${i}`);
        }
      }
    }
    min[c] = lo;
    max[c] = hi;
  });
  const scale = new Float32Array(channels), zeroPoint = new Int32Array(channels);
  for (let c = 0; c < channels; c++) {
    const minNeg = Math.min(min[c], 0), maxPos = Math.max(max[c], 0);
    if (o.scheme === "symmetric") {
      const m = Math.max(-minNeg, maxPos);
      scale[c] = Math.max(f(m / f((quantMax - quantMin) / 2)), F32_EPS);
      zeroPoint[c] = 0;
    } else {
      const s = Math.max(f(f(maxPos - minNeg) / (quantMax - quantMin)), F32_EPS);
      scale[c] = s;
      const zp = quantMin - roundHalfEven(f(minNeg / s));
      zeroPoint[c] = Math.min(Math.max(zp, quantMin), quantMax);
    }
  }
  return { bits: o.bits, scheme: o.scheme, axis, quantMin, quantMax, scale, zeroPoint };
}

/**
 * Integer codes `q` in [quantMin, quantMax] of `values` under `qp` (torch's fake-quant rounding).
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { quantizeCodes, quantParams } from "./quantize.ts";
 * const v = new Float32Array([7.5, -1, 2.5]);
 * const qp = quantParams(v, [3], { bits: 4, granularity: "per-tensor" }); // scale 7.5 / 7.5 = 1
 * assert(quantizeCodes(v, [3], qp).join() === "7,-1,2"); // 7.5 rounds to 8, clamped; 2.5 to even
 * ```
 */
export function quantizeCodes(values: Float32Array, shape: readonly number[], qp: QuantParams): Int32Array {
  const { channels, inner } = channelLayout(shape, qp.axis);
  const inv = Float32Array.from(qp.scale, (s) => f(1 / s));
  const codes = new Int32Array(values.length);
  const { quantMin, quantMax } = qp;
  channelRuns(values.length, channels, inner, (start, end, c) => {
    const zp = qp.zeroPoint[c], ic = inv[c];
    for (let i = start; i < end; i++) {
      codes[i] = codeOf(values[i], ic, zp, quantMin, quantMax);
    }
  });
  return codes;
}

/**
 * Effective float32 weights `(q - zeroPoint) × scale` of integer codes.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { dequantizeCodes, quantParams } from "./quantize.ts";
 * const qp = quantParams(new Float32Array([-1, 2]), [2], { bits: 2, scheme: "affine", granularity: "per-tensor" });
 * assert(dequantizeCodes(new Int32Array([0, 3]), [2], qp).join() === "-1,2"); // scale 1, zero point 1
 * ```
 */
export function dequantizeCodes(codes: Int32Array, shape: readonly number[], qp: QuantParams): Float32Array {
  const { channels, inner } = channelLayout(shape, qp.axis);
  const out = new Float32Array(codes.length);
  channelRuns(codes.length, channels, inner, (start, end, c) => {
    const zp = qp.zeroPoint[c], sc = qp.scale[c];
    for (let i = start; i < end; i++) out[i] = (codes[i] - zp) * sc;
  });
  return out;
}

/**
 * Fake-quantized values (quantize then dequantize) and their parameters, as torch computes them.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { fakeQuantizeValues } from "./quantize.ts";
 * const { values } = fakeQuantizeValues(new Float32Array([0.3, -1]), [2], { bits: 2, granularity: "per-tensor" });
 * // symmetric 2-bit: scale = 1 / 1.5, codes round(0.45) = 0 and round(-1.5) = -2
 * assert(values[0] === 0 && values[1] === Math.fround(-2 * Math.fround(1 / 1.5)));
 * ```
 */
export function fakeQuantizeValues(
  values: Float32Array,
  shape: readonly number[],
  options: QuantizeOptions,
): { values: Float32Array; params: QuantParams } {
  const params = quantParams(values, shape, options);
  // quantizeCodes then dequantizeCodes, in one pass and without the codes array.
  const { channels, inner } = channelLayout(shape, params.axis);
  const { quantMin, quantMax } = params;
  const out = new Float32Array(values.length);
  channelRuns(values.length, channels, inner, (start, end, c) => {
    const zp = params.zeroPoint[c], sc = params.scale[c], ic = f(1 / sc);
    for (let i = start; i < end; i++) {
      out[i] = (codeOf(values[i], ic, zp, quantMin, quantMax) - zp) * sc;
    }
  });
  return { values: out, params };
}

/**
 * Bits needed to store a tensor of `numel` weights quantized with `qp`: codes plus float32 scale and int32 zero point per channel.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { quantizedBits, quantParams } from "./quantize.ts";
 * const qp = quantParams(new Float32Array(12).fill(1), [3, 4], { bits: 4 }); // per-channel: 3 channels
 * assert(quantizedBits(12, qp) === 12 * 4 + 3 * 64);
 * ```
 */
export function quantizedBits(numel: number, qp: QuantParams): number {
  return numel * qp.bits + qp.scale.length * 64;
}
