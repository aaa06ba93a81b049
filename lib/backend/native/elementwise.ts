/**
 * Element-wise kernels as single tight loops: binary ops with broadcasting (Add, Sub, Multiply, RealDiv,
 * …) and unary ops (Exp, Erf, Neg, …) on float32.
 *
 * tfjs-backend-cpu computes a broadcast element by element through index arithmetic (tens of ns each);
 * here the broadcast shape is first collapsed to a few runs of contiguous or constant operands, and each
 * op's inner loop is generated once from its expression so that V8 compiles a monomorphic loop without a
 * call per element (the expressions are constants of this file, never user input). Add, Sub and Multiply
 * of same-shape operands run the SIMD kernels of `simd/wat.ts` instead; no SIMD kernel broadcasts or does
 * the other ops, so those keep these loops. Other dtypes go to the cpu kernels unchanged.
 *
 * @module
 */
import { tf } from "../tf.ts";
import { type NativeArgs, nativeKernel, runKernel, valuesOf } from "./native_backend.ts";
import { fastExp } from "./fast_exp.ts";

type Inner = (
  av: Float32Array,
  ao: number,
  ia: number,
  bv: Float32Array,
  bo: number,
  ib: number,
  out: Float32Array,
  oo: number,
  n: number,
) => void;

function innerLoop(expr: string): Inner {
  const at = (a: string, b: string) => expr.replaceAll("A", a).replaceAll("B", b);
  return new Function(
    "av",
    "ao",
    "ia",
    "bv",
    "bo",
    "ib",
    "out",
    "oo",
    "n",
    `if (ia === 1 && ib === 1) { for (let i = 0; i < n; i++) out[oo + i] = ${
      at("av[ao + i]", "bv[bo + i]")
    }; }
     else if (ia === 1) { const b = bv[bo]; for (let i = 0; i < n; i++) out[oo + i] = ${
      at("av[ao + i]", "b")
    }; }
     else if (ib === 1) { const a = av[ao]; for (let i = 0; i < n; i++) out[oo + i] = ${
      at("a", "bv[bo + i]")
    }; }
     else { out.fill(${at("av[ao]", "bv[bo]")}, oo, oo + n); }`,
  ) as Inner;
}

/** Broadcast `aShape` and `bShape` to `out` and collapse it into (dims, a strides, b strides), innermost last. */
export function collapseBroadcast(
  aShape: number[],
  bShape: number[],
  out: number[],
): { dims: number[]; sa: number[]; sb: number[] } {
  const r = out.length;
  const strides = (shape: number[]) => {
    const padded = [...Array(r - shape.length).fill(1), ...shape];
    const s = new Array<number>(r);
    let acc = 1;
    for (let d = r - 1; d >= 0; d--) {
      s[d] = padded[d] === 1 ? 0 : acc;
      acc *= padded[d];
    }
    return s;
  };
  const fa = strides(aShape), fb = strides(bShape);
  const dims: number[] = [], sa: number[] = [], sb: number[] = [];
  for (let d = 0; d < r; d++) {
    if (out[d] === 1) continue;
    const last = dims.length - 1;
    if (last >= 0 && sa[last] === fa[d] * out[d] && sb[last] === fb[d] * out[d]) {
      dims[last] *= out[d];
      sa[last] = fa[d];
      sb[last] = fb[d];
    } else {
      dims.push(out[d]);
      sa.push(fa[d]);
      sb.push(fb[d]);
    }
  }
  if (dims.length === 0) return { dims: [1], sa: [1], sb: [1] };
  return { dims, sa, sb };
}

function binary(name: string, expr: string, simdOp?: "add" | "sub" | "mul"): tf.KernelConfig {
  const inner = innerLoop(expr);
  return nativeKernel(name, ({ inputs, backend, attrs }: NativeArgs) => {
    const { a, b } = inputs;
    if (a.dtype !== "float32" || b.dtype !== "float32") return runKernel(name, backend, inputs, attrs, "cpu");
    const shape = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
    const av = valuesOf(backend, a) as Float32Array, bv = valuesOf(backend, b) as Float32Array;
    const out = backend.pool.take(tf.util.sizeFromShape(shape));
    const collapsed = collapseBroadcast(a.shape, b.shape, shape);
    if (simdOp && av.length === out.length && bv.length === out.length) {
      // Same shapes: the SIMD kernel. The loops below do broadcasts, which it does not, and the ops it lacks.
      backend.inArena((at) => backend.simd[simdOp](at.read(av), at.read(bv), at.write(out), out.length));
    } else if (simdOp && av.length === out.length && repeatsRow(collapsed)) {
      // b is one row repeated down a (a bias, position embeddings): the SIMD kernel once per row of a.
      const n = collapsed.dims[1];
      backend.inArena((at) => {
        const pa = at.read(av), pb = at.read(bv), po = at.write(out);
        for (let r = 0; r < out.length / n; r++) backend.simd[simdOp](pa + r * n * 4, pb, po + r * n * 4, n);
      });
    } else if (out.length > 0) broadcastLoop(inner, av, bv, out, collapsed);
    return backend.makeTensorInfo(shape, "float32", out);
  });
}

// Whether a collapsed broadcast is (rows, n) with b one row of n read again for every row of a.
function repeatsRow({ dims, sa, sb }: { dims: number[]; sa: number[]; sb: number[] }): boolean {
  return dims.length === 2 && sa[0] === dims[1] && sa[1] === 1 && sb[0] === 0 && sb[1] === 1 && dims[1] >= 16;
}

function broadcastLoop(
  inner: Inner,
  av: Float32Array,
  bv: Float32Array,
  out: Float32Array,
  { dims, sa, sb }: { dims: number[]; sa: number[]; sb: number[] },
): void {
  const r = dims.length, n = dims[r - 1];
  const ia = sa[r - 1], ib = sb[r - 1];
  const rows = out.length / n;
  const idx = new Array<number>(r).fill(0);
  let ao = 0, bo = 0;
  for (let row = 0; row < rows; row++) {
    inner(av, ao, ia, bv, bo, ib, out, row * n, n);
    // Odometer over the outer dims, moving the operand offsets along.
    for (let d = r - 2; d >= 0; d--) {
      ao += sa[d];
      bo += sb[d];
      if (++idx[d] < dims[d]) break;
      ao -= sa[d] * dims[d];
      bo -= sb[d] * dims[d];
      idx[d] = 0;
    }
  }
}

function unary(name: string, expr: string, prelude = ""): tf.KernelConfig {
  const loop = new Function(
    "x",
    "out",
    "E",
    `${prelude}\nfor (let i = 0; i < x.length; i++) { const v = x[i]; ${
      expr.includes("out[i]") ? expr : `out[i] = ${expr};`
    } }`,
  ) as (
    x: Float32Array,
    out: Float32Array,
    e: (v: number) => number,
  ) => void;
  return nativeKernel(name, ({ inputs, backend, attrs }: NativeArgs) => {
    const x = inputs.x;
    if (x.dtype !== "float32") return runKernel(name, backend, inputs, attrs, "cpu");
    const xv = valuesOf(backend, x) as Float32Array;
    const out = backend.pool.take(xv.length);
    loop(xv, out, fastExp);
    return backend.makeTensorInfo(x.shape, "float32", out);
  });
}

const ERF = tf.backend_util;
const erfPrelude = `const p = ${ERF.ERF_P}, a1 = ${ERF.ERF_A1}, a2 = ${ERF.ERF_A2}, a3 = ${ERF.ERF_A3}, ` +
  `a4 = ${ERF.ERF_A4}, a5 = ${ERF.ERF_A5};`;
// tfjs-backend-cpu's Erf (Abramowitz & Stegun 7.1.26, |error| < 1.5e-7), so results match it.
const erfExpr = "const w = v < 0 ? -v : v, t = 1 / (1 + p * w); " +
  "const y = 1 - ((((a5 * t + a4) * t + a3) * t + a2) * t + a1) * t * E(-w * w); out[i] = v < 0 ? -y : y;";

/** The element-wise kernels. */
export const ELEMENTWISE_KERNELS: tf.KernelConfig[] = [
  binary("Add", "A + B", "add"),
  binary("Sub", "A - B", "sub"),
  binary("Multiply", "A * B", "mul"),
  binary("RealDiv", "A / B"),
  binary("Maximum", "Math.max(A, B)"),
  binary("Minimum", "Math.min(A, B)"),
  binary("SquaredDifference", "(A - B) * (A - B)"),
  unary("Exp", "E(v)"),
  unary("Log", "Math.log(v)"),
  unary("Neg", "-v"),
  unary("Sqrt", "Math.sqrt(v)"),
  unary("Rsqrt", "1 / Math.sqrt(v)"),
  unary("Square", "v * v"),
  unary("Abs", "Math.abs(v)"),
  unary("Tanh", "Math.tanh(v)"),
  unary("Sigmoid", "1 / (1 + E(-v))"),
  unary("Relu", "v < 0 ? 0 : v"),
  unary("Erf", erfExpr, erfPrelude),
];
