/**
 * The WebAssembly text of the native backend's SIMD kernels (the source of `module_bytes.ts`).
 *
 * Each kernel works on float32 data in a shared `WebAssembly.Memory` (the arena, `arena.ts`) addressed by
 * byte offsets, four lanes at a time (`f32x4`). Element-wise kernels run over whole vectors: arena blocks
 * are padded to 16 floats, so the last vector stays inside the block. Row kernels take rows of any length:
 * the whole vectors of a row, then its last n mod 4 elements one at a time through the same loop body
 * (`forElements`), so each kernel's math is written once. Math shared by several kernels (erf, exp,
 * horizontal sums) is spliced in as text, so each loop is one straight-line function.
 *
 * Rebuild `module_bytes.ts` after editing: `deno run -A lib/backend/native/simd/build.ts`.
 *
 * @module
 */

import { ERF_P, ERF_Q } from "../erf.ts";
import { PHILOX_M0, PHILOX_M1, PHILOX_W0, PHILOX_W1 } from "../philox.ts";

const num = (c: number) => (c === -Infinity ? "-inf" : Number.isInteger(c) ? `${c}.0` : String(c));
// The vector constants of the function being generated: each becomes a local set once before the loops
// (V8 would otherwise rebuild every constant on every iteration).
let constants = new Map<number, string>();
/** A vector of four copies of `c` (a local of the current function). */
const v = (c: number) => {
  let name = constants.get(c);
  if (name === undefined) constants.set(c, name = `$k${constants.size}`);
  return `(local.get ${name})`;
};
/** A function: `signature` is its export and parameters, `body()` its locals and code (called once). */
function func(signature: string, body: () => string): string {
  constants = new Map();
  const code = body();
  const decls = [...constants.values()].map((name) => `(local ${name} v128)`).join(" ");
  const sets = [...constants].map(([c, name]) =>
    `(local.set ${name} (v128.const f32x4 ${num(c)} ${num(c)} ${num(c)} ${num(c)}))`
  ).join("\n  ");
  // The body starts with its local declarations; the constants are declared and set after them.
  const split = code.match(/^\s*(\(local \$\w+ \w+\)\s*)*/)![0].length;
  return `(func ${signature}\n  ${code.slice(0, split)} ${decls}\n  ${sets}\n  ${code.slice(split)})`;
}
const get = (name: string) => `(local.get $${name})`;
const mul = (a: string, b: string) => `(f32x4.mul ${a} ${b})`;
const add = (a: string, b: string) => `(f32x4.add ${a} ${b})`;
const sub = (a: string, b: string) => `(f32x4.sub ${a} ${b})`;
const load = (ptr: string) => `(v128.load ${ptr})`;
/** Horner's rule in vector `x`, coefficients from the highest power down. */
const horner = (x: string, coeffs: readonly number[]) =>
  coeffs.slice(1).reduce((acc, c) => add(mul(acc, x), v(c)), v(coeffs[0]));

// erf(x) = x·P(x²)/Q(x²) on [−4, 4]: the coefficients of `../erf.ts` (Eigen's and XLA's float32 erf).
const ERF_LOCALS = "(local $ex v128) (local $ex2 v128)";
/** Statements that set local `dst` to erf(`x`). */
const erfInto = (dst: string, x: string) =>
  `(local.set $ex (f32x4.pmin (f32x4.pmax ${x} ${v(-4)}) ${v(4)}))
   (local.set $ex2 ${mul(get("ex"), get("ex"))})
   (local.set $${dst} (f32x4.div ${mul(get("ex"), horner(get("ex2"), ERF_P))} ${horner(get("ex2"), ERF_Q)}))`;

// e^x (Cephes expf): x = k·ln2 + r, |r| ≤ ln2/2, e^r = 1 + r + r²·P(r), 2^k from the exponent bits.
// Inputs are clamped to [−87.3, 88], so results stay normal (e^−87.3 ≈ 1e-38 stands in for 0). k is
// rounded by adding 1.5·2²³, which leaves k in the low mantissa bits (cheaper than nearest + truncate).
const EXP_P = [
  1.9875691500e-4,
  1.3981999507e-3,
  8.3334519073e-3,
  4.1665795894e-2,
  1.6666665459e-1,
  5.0000001201e-1,
];
const EXP_LOCALS = "(local $qx v128) (local $qm v128) (local $qk v128) (local $qr v128)";
const ROUNDER = 12582912; // 1.5·2²³, whose bits are 0x4b400000
/** Statements that set local `dst` to e^`x`. */
const expInto = (dst: string, x: string) =>
  `(local.set $qx (f32x4.pmin (f32x4.pmax ${x} ${v(-87.3)}) ${v(88)}))
   (local.set $qm ${add(mul(get("qx"), v(1.4426950408889634)), v(ROUNDER))})
   (local.set $qk ${sub(get("qm"), v(ROUNDER))})
   (local.set $qr ${add(sub(get("qx"), mul(get("qk"), v(0.693359375))), mul(get("qk"), v(2.12194440e-4)))})
   (local.set $${dst} (f32x4.mul
     ${add(add(mul(mul(horner(get("qr"), EXP_P), get("qr")), get("qr")), get("qr")), v(1))}
     (i32x4.shl (i32x4.sub ${get("qm")} (v128.const i32x4 0x4b3fff81 0x4b3fff81 0x4b3fff81 0x4b3fff81))
       (i32.const 23))))`;

/** f32: the sum of the four lanes of `x`. */
const hsum = (x: string) =>
  `(f32.add (f32.add (f32x4.extract_lane 0 ${x}) (f32x4.extract_lane 1 ${x}))
     (f32.add (f32x4.extract_lane 2 ${x}) (f32x4.extract_lane 3 ${x})))`;
/** f32: the largest of the four lanes of `x`. */
const hmax = (x: string) =>
  `(f32.max (f32.max (f32x4.extract_lane 0 ${x}) (f32x4.extract_lane 1 ${x}))
     (f32.max (f32x4.extract_lane 2 ${x}) (f32x4.extract_lane 3 ${x})))`;

/**
 * A loop over `count` vectors: `body` sees `$i` as the byte offset of the current vector (0, 16, …).
 * Nested loops pass their own index name.
 */
const forVectors = (count: string, body: string, i = "i") =>
  `(local.set $${i} (i32.const 0))
   (block $done_${i} (loop $next_${i}
     (br_if $done_${i} (i32.ge_u ${get(i)} (i32.shl ${count} (i32.const 4))))
     ${body}
     (local.set $${i} (i32.add ${get(i)} (i32.const 16)))
     (br $next_${i})))`;
/** Byte address `base + $i`. */
const at = (base: string, i = "i") => `(i32.add ${get(base)} ${get(i)})`;
/** Vectors in n elements, rounded up. */
const vectorsUp = (n: string) => `(i32.shr_u (i32.add ${n} (i32.const 3)) (i32.const 2))`;
/** Whole vectors in a row of n elements (rounded down). */
const vectorsIn = (n: string) => `(i32.shr_u ${n} (i32.const 2))`;

/**
 * How a row loop's body reads and writes: `VECTOR` four lanes at a time; `SCALAR` (the last n mod 4
 * elements of a row) one float, splat over the lanes, of which lane 0 is stored or accumulated.
 */
interface Lanes {
  /** The vector at byte address `ptr` (scalar: the float there, in every lane). */
  load(ptr: string): string;
  /** Statement: stores vector `x` at `ptr` (scalar: its lane 0). */
  store(ptr: string, x: string): string;
  /** Statement: adds `x` into the vector local `acc` (scalar: lane 0 only). */
  accumulate(acc: string, x: string): string;
}
const VECTOR: Lanes = {
  load,
  store: (ptr, x) => `(v128.store ${ptr} ${x})`,
  accumulate: (acc, x) => `(local.set $${acc} ${add(get(acc), x)})`,
};
const SCALAR: Lanes = {
  load: (ptr) => `(v128.load32_splat ${ptr})`,
  store: (ptr, x) => `(f32.store ${ptr} (f32x4.extract_lane 0 ${x}))`,
  accumulate: (acc, x) =>
    `(local.set $${acc} (f32x4.replace_lane 0 ${get(acc)}
       (f32.add (f32x4.extract_lane 0 ${get(acc)}) (f32x4.extract_lane 0 ${x}))))`,
};
/**
 * A loop over the n elements of a row: `body(VECTOR)` over its whole vectors, then `body(SCALAR)` over the
 * rest; `$i` is the byte offset of the current vector or element.
 */
const forElements = (n: string, body: (m: Lanes) => string, i = "i") =>
  `${forVectors(vectorsIn(n), body(VECTOR), i)}
   (block $tail_done_${i} (loop $tail_next_${i}
     (br_if $tail_done_${i} (i32.ge_u ${get(i)} ${rowBytes(n)}))
     ${body(SCALAR)}
     (local.set $${i} (i32.add ${get(i)} (i32.const 4)))
     (br $tail_next_${i})))`;
/** Splat of the f32 local `name`. */
const splat = (name: string) => `(f32x4.splat ${get(name)})`;
/**
 * A loop over `rows` rows (local `$r`): after each, every pointer in `advance` moves on by its byte stride.
 */
const forRows = (rows: string, advance: [string, string][], body: string) =>
  `(local.set $r (i32.const 0))
   (block $done_r (loop $next_r
     (br_if $done_r (i32.ge_u ${get("r")} ${rows}))
     ${body}
     ${advance.map(([ptr, bytes]) => `(local.set $${ptr} (i32.add ${get(ptr)} ${bytes}))`).join("\n     ")}
     (local.set $r (i32.add ${get("r")} (i32.const 1)))
     (br $next_r)))`;
/** Bytes in a row of n floats. */
const rowBytes = (n: string) => `(i32.shl ${n} (i32.const 2))`;

const INV_SQRT2 = Math.SQRT1_2, INV_SQRT_2PI = 0.3989422804014327;

// y = x·Φ(x) = ½·x·(1 + erf(x/√2)), n elements.
const gelu = func(
  `(export "gelu") (param $x i32) (param $y i32) (param $n i32)`,
  () =>
    `(local $i i32) (local $xv v128) (local $e v128) ${ERF_LOCALS}
  ${
      forVectors(
        vectorsUp(get("n")),
        `(local.set $xv ${load(at("x"))})
     ${erfInto("e", mul(get("xv"), v(INV_SQRT2)))}
     (v128.store ${at("y")} ${mul(mul(get("xv"), v(0.5)), add(get("e"), v(1)))})`,
      )
    }`,
);

// dx = dy·(Φ(x) + x·φ(x)), φ(x) = e^(−x²/2)/√(2π), n elements.
const geluGrad = func(
  `(export "gelu_grad") (param $dy i32) (param $x i32) (param $dx i32) (param $n i32)`,
  () =>
    `(local $i i32) (local $xv v128) (local $e v128) (local $g v128) ${ERF_LOCALS} ${EXP_LOCALS}
  ${
      forVectors(
        vectorsUp(get("n")),
        `(local.set $xv ${load(at("x"))})
     ${erfInto("e", mul(get("xv"), v(INV_SQRT2)))}
     ${expInto("g", mul(mul(get("xv"), get("xv")), v(-0.5)))}
     (v128.store ${at("dx")} ${
          mul(
            load(at("dy")),
            add(mul(add(get("e"), v(1)), v(0.5)), mul(mul(get("xv"), v(INV_SQRT_2PI)), get("g"))),
          )
        })`,
      )
    }`,
);

/** Element-wise binary ops on same-shape operands, n elements. */
const binary = (name: string, op: string) =>
  func(
    `(export "${name}") (param $a i32) (param $b i32) (param $out i32) (param $n i32)`,
    () =>
      `(local $i i32)
  ${forVectors(vectorsUp(get("n")), `(v128.store ${at("out")} (${op} ${load(at("a"))} ${load(at("b"))}))`)}`,
  );

// LayerNorm over rows of c: y = (x − mean)·rstd·γ + β, rstd = 1/√(var + eps).
const MEAN_RSTD_LOCALS = "(local $acc v128) (local $d v128) (local $mean f32) (local $rstd f32)";
/** Statements that set $mean and $rstd of the row at $x (two passes, as PyTorch). */
const meanRstd = () =>
  `(local.set $acc ${v(0)})
     ${forElements(get("c"), (m) => m.accumulate("acc", m.load(at("x"))))}
     (local.set $mean (f32.div ${hsum(get("acc"))} (f32.convert_i32_u ${get("c")})))
     (local.set $acc ${v(0)})
     ${
    forElements(
      get("c"),
      (m) =>
        `(local.set $d ${sub(m.load(at("x")), splat("mean"))})
      ${m.accumulate("acc", mul(get("d"), get("d")))}`,
    )
  }
     (local.set $rstd (f32.div (f32.const 1)
       (f32.sqrt (f32.add (f32.div ${hsum(get("acc"))} (f32.convert_i32_u ${get("c")})) ${get("eps")}))))`;

const layerNorm = () =>
  func(
    `(export "layer_norm") (param $x i32) (param $g i32) (param $b i32) (param $y i32) (param $rows i32)
   (param $c i32) (param $eps f32)`,
    () =>
      `(local $i i32) (local $r i32) ${MEAN_RSTD_LOCALS}
  ${
        forRows(
          get("rows"),
          [["x", rowBytes(get("c"))], ["y", rowBytes(get("c"))]],
          `${meanRstd()}
     ${
            forElements(get("c"), (m) =>
              m.store(
                at("y"),
                add(
                  mul(mul(sub(m.load(at("x")), splat("mean")), splat("rstd")), m.load(at("g"))),
                  m.load(at("b")),
                ),
              ))
          }`,
        )
      }`,
  );

// LayerNorm backward over rows of c: dx = rstd·(dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂)), dx̂ = dy·γ; dγ += dy·x̂
// and dβ += dy are added into (not written over) `dg` and `db`.
const layerNormGrad = () =>
  func(
    `(export "layer_norm_grad") (param $dy i32) (param $x i32) (param $g i32) (param $dx i32) (param $dg i32)
   (param $db i32) (param $rows i32) (param $c i32) (param $eps f32)`,
    () =>
      `(local $i i32) (local $r i32) ${MEAN_RSTD_LOCALS} (local $h v128) (local $gy v128) (local $dh v128)
   (local $sd v128) (local $sdx v128) (local $md f32) (local $mdx f32)
  ${
        forRows(
          get("rows"),
          [["x", rowBytes(get("c"))], ["dy", rowBytes(get("c"))], ["dx", rowBytes(get("c"))]],
          `${meanRstd()}
     (local.set $sd ${v(0)})
     (local.set $sdx ${v(0)})
     ${
            forElements(
              get("c"),
              (m) =>
                `(local.set $h ${mul(sub(m.load(at("x")), splat("mean")), splat("rstd"))})
      (local.set $gy ${m.load(at("dy"))})
      (local.set $dh ${mul(get("gy"), m.load(at("g")))})
      ${m.accumulate("sd", get("dh"))}
      ${m.accumulate("sdx", mul(get("dh"), get("h")))}
      ${m.store(at("dg"), add(m.load(at("dg")), mul(get("gy"), get("h"))))}
      ${m.store(at("db"), add(m.load(at("db")), get("gy")))}`,
            )
          }
     (local.set $md (f32.div ${hsum(get("sd"))} (f32.convert_i32_u ${get("c")})))
     (local.set $mdx (f32.div ${hsum(get("sdx"))} (f32.convert_i32_u ${get("c")})))
     ${
            forElements(
              get("c"),
              (m) =>
                `(local.set $h ${mul(sub(m.load(at("x")), splat("mean")), splat("rstd"))})
      ${
                  m.store(
                    at("dx"),
                    mul(
                      splat("rstd"),
                      sub(
                        sub(mul(m.load(at("dy")), m.load(at("g"))), splat("md")),
                        mul(get("h"), splat("mdx")),
                      ),
                    ),
                  )
                }`,
            )
          }`,
        )
      }`,
  );

// Softmax of each row of n in place at $p, after adding the row at $bias (0: none), which moves on by
// $biasStride bytes per row (0: the same bias row for every row).
const softmaxRows = () =>
  func(
    `(export "softmax_rows") (param $p i32) (param $bias i32) (param $biasStride i32) (param $rows i32)
   (param $n i32)`,
    () =>
      `(local $i i32) (local $r i32) (local $acc v128) (local $e v128) (local $max f32) ${EXP_LOCALS}
  ${
        forRows(
          get("rows"),
          [["p", rowBytes(get("n"))], ["bias", get("biasStride")]],
          `
     (if (i32.ne ${get("bias")} (i32.const 0)) (then
       ${forElements(get("n"), (m) => m.store(at("p"), add(m.load(at("p")), m.load(at("bias")))))}))
     (local.set $acc ${v(-Infinity)})
     ${forElements(get("n"), (m) => `(local.set $acc (f32x4.max ${get("acc")} ${m.load(at("p"))}))`)}
     (local.set $max ${hmax(get("acc"))})
     (local.set $acc ${v(0)})
     ${
            forElements(
              get("n"),
              (m) =>
                `${expInto("e", sub(m.load(at("p")), splat("max")))}
      ${m.store(at("p"), get("e"))}
      ${m.accumulate("acc", get("e"))}`,
            )
          }
     (local.set $max (f32.div (f32.const 1) ${hsum(get("acc"))}))
     ${forElements(get("n"), (m) => m.store(at("p"), mul(m.load(at("p")), splat("max"))))}`,
        )
      }`,
  );

// Softmax backward in place on rows of n: dp ← p·(dp − Σ dp·p).
const softmaxGradRows = () =>
  func(
    `(export "softmax_grad_rows") (param $dp i32) (param $p i32) (param $rows i32) (param $n i32)`,
    () =>
      `(local $i i32) (local $r i32) (local $acc v128) (local $dot f32)
  ${
        forRows(
          get("rows"),
          [["dp", rowBytes(get("n"))], ["p", rowBytes(get("n"))]],
          `
     (local.set $acc ${v(0)})
     ${forElements(get("n"), (m) => m.accumulate("acc", mul(m.load(at("dp")), m.load(at("p")))))}
     (local.set $dot ${hsum(get("acc"))})
     ${
            forElements(get("n"), (m) =>
              m.store(at("dp"), mul(m.load(at("p")), sub(m.load(at("dp")), splat("dot")))))
          }`,
        )
      }`,
  );

// Per row of n: max and Σ e^(x − max), written as two floats per row at $out (log-softmax's first pass;
// the logarithm is taken in JavaScript).
const rowMaxSumExp = () =>
  func(
    `(export "row_max_sumexp") (param $x i32) (param $out i32) (param $rows i32) (param $n i32)`,
    () =>
      `(local $i i32) (local $r i32) (local $acc v128) (local $e v128) (local $max f32) ${EXP_LOCALS}
  ${
        forRows(
          get("rows"),
          [["x", rowBytes(get("n"))], ["out", "(i32.const 8)"]],
          `
     (local.set $acc ${v(-Infinity)})
     ${forElements(get("n"), (m) => `(local.set $acc (f32x4.max ${get("acc")} ${m.load(at("x"))}))`)}
     (local.set $max ${hmax(get("acc"))})
     (local.set $acc ${v(0)})
     ${
            forElements(
              get("n"),
              (m) =>
                `${expInto("e", sub(m.load(at("x")), splat("max")))}
      ${m.accumulate("acc", get("e"))}`,
            )
          }
     (f32.store ${get("out")} ${get("max")})
     (f32.store offset=4 ${get("out")} ${hsum(get("acc"))})`,
        )
      }`,
  );

// y = x − shift[row] for rows of n.
const subRows = () =>
  func(
    `(export "sub_rows") (param $x i32) (param $shift i32) (param $y i32) (param $rows i32) (param $n i32)`,
    () =>
      `(local $i i32) (local $r i32) (local $s f32)
  ${
        forRows(
          get("rows"),
          [["x", rowBytes(get("n"))], ["y", rowBytes(get("n"))], ["shift", "(i32.const 4)"]],
          `
     (local.set $s (f32.load ${get("shift")}))
     ${forElements(get("n"), (m) => m.store(at("y"), sub(m.load(at("x")), splat("s"))))}`,
        )
      }`,
  );

// Log-softmax backward on rows of n: dx = dy − e^y·Σ dy.
const logSoftmaxGradRows = () =>
  func(
    `(export "log_softmax_grad_rows") (param $dy i32) (param $y i32) (param $dx i32) (param $rows i32)
   (param $n i32)`,
    () =>
      `(local $i i32) (local $r i32) (local $acc v128) (local $e v128) (local $sum f32) ${EXP_LOCALS}
  ${
        forRows(
          get("rows"),
          [["dy", rowBytes(get("n"))], ["y", rowBytes(get("n"))], ["dx", rowBytes(get("n"))]],
          `
     (local.set $acc ${v(0)})
     ${forElements(get("n"), (m) => m.accumulate("acc", m.load(at("dy"))))}
     (local.set $sum ${hsum(get("acc"))})
     ${
            forElements(
              get("n"),
              (m) =>
                `${expInto("e", m.load(at("y")))}
      ${m.store(at("dx"), sub(m.load(at("dy")), mul(get("e"), splat("sum"))))}`,
            )
          }`,
        )
      }`,
  );

// Column sums of a (rows, q) block: out = scale·Σ_rows x.
const colSum = () =>
  func(
    `(export "col_sum") (param $x i32) (param $out i32) (param $rows i32) (param $q i32) (param $scale f32)`,
    () =>
      `(local $i i32) (local $r i32)
  ${forElements(get("q"), (m) => m.store(at("out"), v(0)))}
  ${
        forRows(
          get("rows"),
          [["x", rowBytes(get("q"))]],
          `
     ${forElements(get("q"), (m) => m.store(at("out"), add(m.load(at("out")), m.load(at("x")))))}`,
        )
      }
  ${forElements(get("q"), (m) => m.store(at("out"), mul(m.load(at("out")), splat("scale"))))}`,
  );

// AdamW in PyTorch's order over n elements: m' = β1·m + (1 − β1)·g, v' = β2·v + (1 − β2)·g²,
// p' = p·shrink − step·m' / (√v'·invSqrtC2 + ε).
const adamw = () =>
  func(
    `(export "adamw") (param $p i32) (param $g i32) (param $m i32) (param $v i32) (param $p2 i32) (param $m2 i32)
   (param $v2 i32) (param $n i32) (param $beta1 f32) (param $beta2 f32) (param $shrink f32) (param $step f32)
   (param $invSqrtC2 f32) (param $eps f32)`,
    () =>
      `(local $i i32) (local $gv v128) (local $mv v128) (local $vv v128) (local $b1 v128) (local $c1 v128)
   (local $b2 v128) (local $c2 v128) (local $sh v128) (local $st v128) (local $is v128) (local $ep v128)
  (local.set $b1 ${splat("beta1")})
  (local.set $c1 (f32x4.splat (f32.sub (f32.const 1) ${get("beta1")})))
  (local.set $b2 ${splat("beta2")})
  (local.set $c2 (f32x4.splat (f32.sub (f32.const 1) ${get("beta2")})))
  (local.set $sh ${splat("shrink")})
  (local.set $st ${splat("step")})
  (local.set $is ${splat("invSqrtC2")})
  (local.set $ep ${splat("eps")})
  ${
        forVectors(
          vectorsUp(get("n")),
          `(local.set $gv ${load(at("g"))})
     (local.set $mv ${add(mul(get("b1"), load(at("m"))), mul(get("c1"), get("gv")))})
     (local.set $vv ${add(mul(get("b2"), load(at("v"))), mul(mul(get("c2"), get("gv")), get("gv")))})
     (v128.store ${at("m2")} ${get("mv")})
     (v128.store ${at("v2")} ${get("vv")})
     (v128.store ${at("p2")} ${
            sub(
              mul(load(at("p")), get("sh")),
              `(f32x4.div ${mul(get("st"), get("mv"))} ${
                add(mul(`(f32x4.sqrt ${get("vv")})`, get("is")), get("ep"))
              })`,
            )
          })`,
        )
      }`,
  );

// Σ x² over n elements, returned in float64: float32 vector sums over runs of 1024 vectors, each run then
// added in float64 (the gradient-norm pieces). The last n mod 4 elements are added one by one.
const sumSquares = () =>
  func(
    `(export "sum_squares") (param $x i32) (param $n i32) (result f64)`,
    () =>
      `(local $i i32) (local $end i32) (local $run i32) (local $acc v128) (local $total f64) (local $t f32)
  (local.set $end (i32.add ${get("x")} (i32.shl (i32.shr_u ${get("n")} (i32.const 2)) (i32.const 4))))
  (block $done (loop $next
    (br_if $done (i32.ge_u ${get("x")} ${get("end")}))
    (local.set $run (i32.add ${get("x")} (i32.const 16384)))
    (if (i32.gt_u ${get("run")} ${get("end")}) (then (local.set $run ${get("end")})))
    (local.set $acc ${v(0)})
    (block $run_done (loop $run_next
      (br_if $run_done (i32.ge_u ${get("x")} ${get("run")}))
      (local.set $acc ${add(get("acc"), mul(load(get("x")), load(get("x"))))})
      (local.set $x (i32.add ${get("x")} (i32.const 16)))
      (br $run_next)))
    (local.set $total (f64.add ${get("total")} (f64.promote_f32 ${hsum(get("acc"))})))
    (br $next)))
  (local.set $i (i32.and ${get("n")} (i32.const 3)))
  (block $tail_done (loop $tail
    (br_if $tail_done (i32.eqz ${get("i")}))
    (local.set $t (f32.load ${get("x")}))
    (local.set $total (f64.add ${get("total")} (f64.promote_f32 (f32.mul ${get("t")} ${get("t")}))))
    (local.set $x (i32.add ${get("x")} (i32.const 4)))
    (local.set $i (i32.sub ${get("i")} (i32.const 1)))
    (br $tail)))
  ${get("total")}`,
  );

// Inverted dropout with masks from Philox4x32-10 (`../philox.ts`, the same rounds in JavaScript): element
// i (counted from $first, a multiple of 4) uses word i mod 4 of the block for counter (i/4, 0, 0, 0) under
// key ($k0, $k1); it is kept (mask $scale, y = x·$scale) when the word's top 24 bits are below $threshold,
// else dropped (0). Blocks go four at a time through vector rounds (lane j of a group's $v0..$v3 holds words
// 0..3 of its block j), two groups interleaved per loop (8 blocks, 32 elements: one group alone waits on
// each round's latency), then one group of 4 if 4 blocks are left, then the last ≤ 3 blocks one at a time
// through scalar rounds. Whole blocks of 4: up to 3 floats past n are written (arena padding).
const philoxRound = (r: number) => {
  const k0 = `(i32.const ${(PHILOX_W0 * r) >>> 0 | 0})`, k1 = `(i32.const ${(PHILOX_W1 * r) >>> 0 | 0})`;
  return `(local.set $p0 (i64.mul (i64.const ${PHILOX_M0}) (i64.extend_i32_u (local.get $c0))))
     (local.set $p1 (i64.mul (i64.const ${PHILOX_M1}) (i64.extend_i32_u (local.get $c2))))
     (local.set $c0 (i32.xor (i32.xor (i32.wrap_i64 (i64.shr_u (local.get $p1) (i64.const 32))) (local.get $c1))
       (i32.add (local.get $k0) ${k0})))
     (local.set $c1 (i32.wrap_i64 (local.get $p1)))
     (local.set $c2 (i32.xor (i32.xor (i32.wrap_i64 (i64.shr_u (local.get $p0) (i64.const 32))) (local.get $c3))
       (i32.add (local.get $k1) ${k1})))
     (local.set $c3 (i32.wrap_i64 (local.get $p0)))`;
};
const dropoutLane = (lane: number, word: string) =>
  `(local.set $m (select (local.get $scale) (f32.const 0) (i32.lt_u (i32.shr_u ${word} (i32.const 8))
       (local.get $threshold))))
     (f32.store offset=${lane * 4} (local.get $mask) (local.get $m))
     (f32.store offset=${lane * 4} (local.get $y) (f32.mul (f32.load offset=${
    lane * 4
  } (local.get $x)) (local.get $m)))`;
/** An `i8x16.shuffle` of `a` and `b` taking their 32-bit lanes `lanes` (0–3 from a, 4–7 from b). */
const shuffle32 = (lanes: number[], a: string, b: string) =>
  `(i8x16.shuffle ${lanes.flatMap((l) => [0, 1, 2, 3].map((byte) => 4 * l + byte)).join(" ")} ${a} ${b})`;
/** The high 32-bit halves of four 64-bit products: lanes 0–1's products in `lo`, lanes 2–3's in `hi`. */
const highHalves = (lo: string, hi: string) => shuffle32([1, 3, 5, 7], lo, hi);
// The vector dropout's locals of group g: words $v0g..$v3g, 64-bit products $qlg, $qhg (M0·word 0, lanes
// 0–1 and 2–3), $plg, $phg (M1·word 2), the low halves of M0·word 0 in $log.
const DROPOUT_GROUP_LOCALS = ["v0", "v1", "v2", "v3", "ql", "qh", "pl", "ph", "lo"];
/** Philox round `r` on group `g`'s four blocks (low product halves by i32x4.mul: fewer shuffles). */
const philoxRoundX4 = (r: number, g: number) => {
  const l = (name: string) => `(local.get $${name}${g})`,
    set = (name: string, value: string) => `(local.set $${name}${g} ${value})`;
  const m0Products = `${set("ql", `(i64x2.extmul_low_i32x4_u (local.get $vm0) ${l("v0")})`)}
     ${set("qh", `(i64x2.extmul_high_i32x4_u (local.get $vm0) ${l("v0")})`)}`;
  // Round 0 starts from words 1–3 equal to 0: no M1 product, and word 0 becomes the key.
  if (r === 0) {
    return `${m0Products}
     ${set("v3", `(i32x4.mul (local.get $vm0) ${l("v0")})`)}
     ${set("v0", "(local.get $vk0_0)")}
     ${set("v1", "(v128.const i32x4 0 0 0 0)")}
     ${set("v2", `(v128.xor ${highHalves(l("ql"), l("qh"))} (local.get $vk1_0))`)}`;
  }
  return `${m0Products}
     ${set("pl", `(i64x2.extmul_low_i32x4_u (local.get $vm1) ${l("v2")})`)}
     ${set("ph", `(i64x2.extmul_high_i32x4_u (local.get $vm1) ${l("v2")})`)}
     ${set("lo", `(i32x4.mul (local.get $vm0) ${l("v0")})`)}
     ${set("v0", `(v128.xor (v128.xor ${highHalves(l("pl"), l("ph"))} ${l("v1")}) (local.get $vk0_${r}))`)}
     ${set("v1", `(i32x4.mul (local.get $vm1) ${l("v2")})`)}
     ${set("v2", `(v128.xor (v128.xor ${highHalves(l("ql"), l("qh"))} ${l("v3")}) (local.get $vk1_${r}))`)}
     ${set("v3", l("lo"))}`;
};
/** Group `g`'s words turned into masks, transposed to element order, and its 16 masks and y stored. */
const storeX4 = (g: number) => {
  const l = (name: string) => `(local.get $${name}${g})`,
    set = (name: string, value: string) => `(local.set $${name}${g} ${value})`;
  const maskOf = (w: string) =>
    `(v128.and (i32x4.lt_u (i32x4.shr_u ${w} (i32.const 8)) (local.get $vthreshold)) (local.get $vscale))`;
  return `${[0, 1, 2, 3].map((w) => set(`v${w}`, maskOf(l(`v${w}`)))).join("\n    ")}
    ${set("ql", shuffle32([0, 4, 1, 5], l("v0"), l("v1")))}
    ${set("qh", shuffle32([0, 4, 1, 5], l("v2"), l("v3")))}
    ${set("pl", shuffle32([2, 6, 3, 7], l("v0"), l("v1")))}
    ${set("ph", shuffle32([2, 6, 3, 7], l("v2"), l("v3")))}
    ${set("v0", shuffle32([0, 1, 4, 5], l("ql"), l("qh")))}
    ${set("v1", shuffle32([2, 3, 6, 7], l("ql"), l("qh")))}
    ${set("v2", shuffle32([0, 1, 4, 5], l("pl"), l("ph")))}
    ${set("v3", shuffle32([2, 3, 6, 7], l("pl"), l("ph")))}
    ${
    [0, 1, 2, 3].map((j) => {
      const at = 64 * g + 16 * j;
      return `(v128.store offset=${at} (local.get $mask) ${l(`v${j}`)})
    (v128.store offset=${at} (local.get $y) (f32x4.mul (v128.load offset=${at} (local.get $x)) ${
        l(`v${j}`)
      }))`;
    }).join("\n    ")
  }`;
};
/** Blocks $block.. of `groups` groups of 4, rounds interleaved, then the pointers moved past them. */
const blocksX4 = (groups: number) => {
  const gs = Array.from({ length: groups }, (_, g) => g),
    lanes = (g: number) => [0, 1, 2, 3].map((j) => 4 * g + j);
  return `${
    gs.map((g) =>
      `(local.set $v0${g} (i32x4.add (i32x4.splat (local.get $block)) (v128.const i32x4 ${
        lanes(g).join(" ")
      })))`
    ).join("\n    ")
  }
     ${Array.from({ length: 10 }, (_, r) => gs.map((g) => philoxRoundX4(r, g))).flat().join("\n     ")}
    ${gs.map(storeX4).join("\n    ")}
    (local.set $x (i32.add (local.get $x) (i32.const ${64 * groups})))
    (local.set $y (i32.add (local.get $y) (i32.const ${64 * groups})))
    (local.set $mask (i32.add (local.get $mask) (i32.const ${64 * groups})))
    (local.set $block (i32.add (local.get $block) (i32.const ${4 * groups})))`;
};
const dropout = () =>
  func(
    `(export "dropout") (param $x i32) (param $y i32) (param $mask i32) (param $n i32) (param $threshold i32)
   (param $scale f32) (param $k0 i32) (param $k1 i32) (param $first i32)`,
    () => {
      const rounds = Array.from({ length: 10 }, (_, r) => r);
      return `(local $block i32) (local $end i32) (local $c0 i32) (local $c1 i32) (local $c2 i32) (local $c3 i32)
   (local $p0 i64) (local $p1 i64) (local $m f32)
   ${[0, 1].flatMap((g) => DROPOUT_GROUP_LOCALS.map((name) => `(local $${name}${g} v128)`)).join(" ")}
   (local $vm0 v128) (local $vm1 v128) (local $vthreshold v128) (local $vscale v128)
   ${rounds.map((r) => `(local $vk0_${r} v128) (local $vk1_${r} v128)`).join(" ")}
  (local.set $block (i32.shr_u (local.get $first) (i32.const 2)))
  (local.set $end (i32.add (local.get $block) (i32.shr_u (i32.add (local.get $n) (i32.const 3)) (i32.const 2))))
  (local.set $vm0 (i32x4.splat (i32.const ${PHILOX_M0 | 0})))
  (local.set $vm1 (i32x4.splat (i32.const ${PHILOX_M1 | 0})))
  (local.set $vthreshold (i32x4.splat (local.get $threshold)))
  (local.set $vscale (f32x4.splat (local.get $scale)))
  ${
        rounds.map((r) =>
          `(local.set $vk0_${r} (i32x4.splat (i32.add (local.get $k0) (i32.const ${
            (PHILOX_W0 * r) >>> 0 | 0
          }))))
  (local.set $vk1_${r} (i32x4.splat (i32.add (local.get $k1) (i32.const ${(PHILOX_W1 * r) >>> 0 | 0}))))`
        ).join("\n  ")
      }
  (block $done_x8 (loop $next_x8
    (br_if $done_x8 (i32.gt_u (i32.add (local.get $block) (i32.const 8)) (local.get $end)))
    ${blocksX4(2)}
    (br $next_x8)))
  (if (i32.le_u (i32.add (local.get $block) (i32.const 4)) (local.get $end)) (then
    ${blocksX4(1)}))
  (block $done (loop $next
    (br_if $done (i32.ge_u (local.get $block) (local.get $end)))
    (local.set $c0 (local.get $block))
    (local.set $c1 (i32.const 0))
    (local.set $c2 (i32.const 0))
    (local.set $c3 (i32.const 0))
    ${Array.from({ length: 10 }, (_, r) => philoxRound(r)).join("\n     ")}
    ${["c0", "c1", "c2", "c3"].map((c, lane) => dropoutLane(lane, `(local.get $${c})`)).join("\n     ")}
    (local.set $x (i32.add (local.get $x) (i32.const 16)))
    (local.set $y (i32.add (local.get $y) (i32.const 16)))
    (local.set $mask (i32.add (local.get $mask) (i32.const 16)))
    (local.set $block (i32.add (local.get $block) (i32.const 1)))
    (br $next)))`;
    },
  );

/**
 * The module's text.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { watSource } from "./wat.ts";
 * assert(watSource().includes(`(export "gelu")`));
 * ```
 */
export function watSource(): string {
  return `(module
  (import "env" "memory" (memory 1 65536 shared))
  ${gelu}
  ${geluGrad}
  ${binary("add", "f32x4.add")}
  ${binary("sub", "f32x4.sub")}
  ${binary("mul", "f32x4.mul")}
  ${layerNorm()}
  ${layerNormGrad()}
  ${softmaxRows()}
  ${softmaxGradRows()}
  ${rowMaxSumExp()}
  ${subRows()}
  ${logSoftmaxGradRows()}
  ${colSum()}
  ${adamw()}
  ${sumSquares()}
  ${dropout()}
)
`;
}
