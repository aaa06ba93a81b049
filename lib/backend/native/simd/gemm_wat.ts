/**
 * The WebAssembly text of the native backend's own single-precision GEMM, used when no system BLAS loads
 * (the source of `gemm_bytes.ts`).
 *
 * Row-major `C = alpha·op(A)·op(B) + beta·C` with `op(A)` (m, k), `op(B)` (k, n), addressed by byte offsets
 * in the arena's shared memory, blocked the way BLIS and OpenBLAS block for caches:
 *
 * - columns of C in blocks of `NC`, the inner dimension in blocks of `KC`: each (KC, NC) block of op(B) is
 *   packed into panels of `NR` columns (k-major, zero-padded), which stay in the outer caches;
 * - rows in blocks of `MC`: each (MC, KC) block of alpha·op(A) is packed into panels of `MR` rows, which
 *   stay in L2;
 * - a micro-kernel multiplies one A panel by one B panel into MR × NR accumulators held in registers (MR·NR/4
 *   `f32x4` vectors), one broadcast of A and NR/4 loads of B per step of k, then adds the tile into C.
 *
 * Packing makes every transpose one code path. Edge tiles (fewer than MR rows or NR columns) go through a
 * small scratch tile. The multiply-add is `f32x4.relaxed_madd` (one fused instruction where the CPU has FMA)
 * in the relaxed build and `f32x4.mul` + `f32x4.add` in the plain one; relaxed_madd may or may not round
 * once, so the two builds can differ in the last bit.
 *
 * Scratch per calling thread (`GEMM_SCRATCH_BYTES`): the tile, the packed A block and the packed B block.
 * Threads split C into disjoint row or column ranges and call `sgemm` on each (see `gemm.ts`).
 *
 * Rebuild `gemm_bytes.ts` after editing: `deno run -A lib/backend/native/simd/build.ts`.
 *
 * @module
 */

/** Register and cache blocking: micro-tile MR × NR, packed blocks (MC, KC) of A and (KC, NC) of B. */
export interface GemmBlocks {
  /** Rows of the micro-tile (MC is a multiple of it). */
  MR: number;
  /** Columns of the micro-tile (a multiple of 4). */
  NR: number;
  /** Inner-dimension block. */
  KC: number;
  /** Row block of A packed at once. */
  MC: number;
  /** Column block of B packed at once. */
  NC: number;
}

/**
 * The blocking of each build, chosen by measurement on a 2-core AVX2 VM (`bench/RESULTS.md`): with a fused
 * multiply-add a 6 × 8 tile (12 accumulators) is fastest; without it the separate multiply needs a spare
 * register, and 4 × 8 is.
 */
export function gemmBlocks(relaxed: boolean): GemmBlocks {
  return relaxed
    ? { MR: 6, NR: 8, KC: 256, MC: 120, NC: 1024 }
    : { MR: 4, NR: 8, KC: 256, MC: 128, NC: 1024 };
}

const TILE_BYTES = 256;
const UNROLL = 4; // steps of k per micro-kernel loop iteration (a power of 2)

/** Bytes of scratch one thread's `sgemm` call needs (either build). */
export const GEMM_SCRATCH_BYTES: number = Math.max(
  ...[true, false].map((r) => {
    const { MC, KC, NC } = gemmBlocks(r);
    return TILE_BYTES + MC * KC * 4 + KC * NC * 4;
  }),
);

const get = (name: string) => `(local.get $${name})`;
const set = (name: string, value: string) => `(local.set $${name} ${value})`;
const i32 = (n: number) => `(i32.const ${n})`;
const addI = (a: string, b: string) => `(i32.add ${a} ${b})`;
const mulI = (a: string, b: string) => `(i32.mul ${a} ${b})`;
const minU = (a: string, b: string) => `(select ${a} ${b} (i32.lt_u ${a} ${b}))`;
/** `for (name = from; name < to; name += step) body` over i32 locals. */
const forRange = (name: string, from: string, to: string, step: string, body: string) =>
  `${set(name, from)}
  (block $done_${name} (loop $next_${name}
    (br_if $done_${name} (i32.ge_u ${get(name)} ${to}))
    ${body}
    ${set(name, addI(get(name), step))}
    (br $next_${name})))`;

/**
 * Packs `count` items (rows of A or columns of B) of a k-long block into panels of `w`: panel q holds, for
 * each of the `kc` steps, the `w` items q·w … q·w + w − 1 side by side (zeros past `count`), times `scale`.
 * Item i at step p is at `src + i·sW + p·sK` (byte strides).
 */
function pack(name: string, w: number): string {
  const vectors = w % 4 === 0 ? w / 4 : 0;
  const scaled = (x: string) => `(f32.mul ${x} ${get("scale")})`;
  const items = Array.from({ length: w }, (_, j) => j);
  return `(func $${name} (param $src i32) (param $sW i32) (param $sK i32) (param $count i32) (param $kc i32)
   (param $dst i32) (param $scale f32)
  (local $q i32) (local $p i32) (local $e i32) (local $valid i32) (local $sv v128)
  ${set("sv", `(f32x4.splat ${get("scale")})`)}
  ${
    forRange(
      "q",
      i32(0),
      get("count"),
      i32(w),
      `${set("valid", minU(i32(w), `(i32.sub ${get("count")} ${get("q")})`))}
    (if (i32.and (i32.eq ${get("valid")} ${i32(w)}) (i32.eq ${get("sW")} ${i32(vectors ? 4 : -1)}))
      (then
        ${
        forRange(
          "p",
          i32(0),
          get("kc"),
          i32(1),
          `${set("e", addI(addI(get("src"), mulI(get("q"), get("sW"))), mulI(get("p"), get("sK"))))}
        ${
            Array.from({ length: vectors }, (_, v) =>
              `(v128.store offset=${v * 16} ${get("dst")} (f32x4.mul (v128.load offset=${v * 16} ${
                get("e")
              }) ${get("sv")}))`).join("\n        ")
          }
        ${set("dst", addI(get("dst"), i32(w * 4)))}`,
        )
      })
      (else
        ${
        forRange(
          "p",
          i32(0),
          get("kc"),
          i32(1),
          `${set("e", addI(addI(get("src"), mulI(get("q"), get("sW"))), mulI(get("p"), get("sK"))))}
        ${
            items.map((j) =>
              `(f32.store offset=${j * 4} ${get("dst")}
          (if (result f32) (i32.lt_u ${i32(j)} ${get("valid")})
            (then ${scaled(`(f32.load ${addI(get("e"), mulI(i32(j), get("sW")))})`)})
            (else (f32.const 0))))`
            ).join("\n        ")
          }
        ${set("dst", addI(get("dst"), i32(w * 4)))}`,
        )
      }))`,
    )
  }
  )`;
}

/**
 * The micro-kernel: the MR × NR tile of one packed A panel times one packed B panel over `kc` steps,
 * added into C at `c` (row stride `ldc` bytes) as C = acc + beta·C (beta 0: C is not read), or, when
 * `tile` is not 0, written to the scratch tile at `tile` (MR rows of NR floats) for the edge code.
 */
function micro(relaxed: boolean, { MR, NR }: GemmBlocks): string {
  const NV = NR / 4;
  const acc = (r: number, v: number) => `acc${r}_${v}`;
  const madd = (a: string, b: string, c: string) =>
    relaxed ? `(f32x4.relaxed_madd ${a} ${b} ${c})` : `(f32x4.add (f32x4.mul ${a} ${b}) ${c})`;
  const rows = Array.from({ length: MR }, (_, r) => r), vecs = Array.from({ length: NV }, (_, v) => v);
  const each = (f: (r: number, v: number) => string) => rows.flatMap((r) => vecs.map((v) => f(r, v)));
  const store = (expr: (r: number, v: number) => string) =>
    each((r, v) => `(v128.store offset=${v * 16} ${addI(get("c"), mulI(i32(r), get("ldc")))} ${expr(r, v)})`)
      .join("\n      ");
  // One step of k at unrolled position u: NR/4 loads of B, then per row a broadcast of A and NR/4 madds.
  const step = (u: number) =>
    `${vecs.map((v) => set(`b${v}`, `(v128.load offset=${u * NR * 4 + v * 16} ${get("bp")})`)).join("\n    ")}
    ${
      rows.map((r) =>
        `${set("a", `(v128.load32_splat offset=${u * MR * 4 + r * 4} ${get("ap")})`)}
    ${vecs.map((v) => set(acc(r, v), madd(get("a"), get(`b${v}`), get(acc(r, v))))).join("\n    ")}`
      ).join("\n    ")
    }`;
  const cAt = (r: number, v: number) =>
    `(v128.load offset=${v * 16} ${addI(get("c"), mulI(i32(r), get("ldc")))})`;
  return `(func $micro (param $ap i32) (param $bp i32) (param $kc i32) (param $c i32) (param $ldc i32)
   (param $beta f32) (param $tile i32)
  (local $end i32) (local $end4 i32) (local $a v128) ${vecs.map((v) => `(local $b${v} v128)`).join(" ")}
  ${each((r, v) => `(local $${acc(r, v)} v128)`).join(" ")}
  ${set("end", addI(get("ap"), mulI(get("kc"), i32(MR * 4))))}
  ${set("end4", addI(get("ap"), mulI(`(i32.and ${get("kc")} (i32.const -${UNROLL}))`, i32(MR * 4))))}
  (block $done4 (loop $next4
    (br_if $done4 (i32.ge_u ${get("ap")} ${get("end4")}))
    ${Array.from({ length: UNROLL }, (_, u) => step(u)).join("\n    ")}
    ${set("ap", addI(get("ap"), i32(UNROLL * MR * 4)))}
    ${set("bp", addI(get("bp"), i32(UNROLL * NR * 4)))}
    (br $next4)))
  (block $done (loop $next
    (br_if $done (i32.ge_u ${get("ap")} ${get("end")}))
    ${step(0)}
    ${set("ap", addI(get("ap"), i32(MR * 4)))}
    ${set("bp", addI(get("bp"), i32(NR * 4)))}
    (br $next)))
  (if (i32.ne ${get("tile")} (i32.const 0))
    (then
      ${
    each((r, v) => `(v128.store offset=${(r * NR + v * 4) * 4} ${get("tile")} ${get(acc(r, v))})`).join(
      "\n      ",
    )
  }
      (return)))
  (if (f32.eq ${get("beta")} (f32.const 0))
    (then
      ${store((r, v) => get(acc(r, v)))})
    (else (if (f32.eq ${get("beta")} (f32.const 1))
    (then
      ${store((r, v) => `(f32x4.add ${cAt(r, v)} ${get(acc(r, v))})`)})
    (else
      ${set("a", `(f32x4.splat ${get("beta")})`)}
      ${store((r, v) => `(f32x4.add (f32x4.mul ${cAt(r, v)} ${get("a")}) ${get(acc(r, v))})`)}))))
  )`;
}

/** C[r][j] = tile[r][j] + beta·C[r][j] (beta 0: C not read) for the mr × nr corner of an edge tile. */
const edge = ({ NR }: GemmBlocks) =>
  `(func $edge (param $tile i32) (param $c i32) (param $ldc i32) (param $mr i32) (param $nr i32)
   (param $beta f32)
  (local $r i32) (local $j i32) (local $t f32) (local $at i32)
  ${
    forRange(
      "r",
      i32(0),
      get("mr"),
      i32(1),
      forRange(
        "j",
        i32(0),
        get("nr"),
        i32(1),
        `${set("t", `(f32.load ${addI(get("tile"), mulI(addI(mulI(get("r"), i32(NR)), get("j")), i32(4)))})`)}
      ${set("at", addI(addI(get("c"), mulI(get("r"), get("ldc"))), mulI(get("j"), i32(4))))}
      (f32.store ${get("at")} (if (result f32) (f32.eq ${get("beta")} (f32.const 0))
        (then ${get("t")})
        (else (f32.add (f32.mul (f32.load ${get("at")}) ${get("beta")}) ${get("t")}))))`,
      ),
    )
  }
  )`;

/** The exported driver: the BLIS loop nest around pack and micro (k must be at least 1). */
const driver = ({ MR, NR, KC, MC, NC }: GemmBlocks) =>
  `(func (export "sgemm") (param $transA i32) (param $transB i32) (param $m i32) (param $n i32)
   (param $k i32) (param $alpha f32) (param $a i32) (param $lda i32) (param $b i32) (param $ldb i32)
   (param $beta f32) (param $c i32) (param $ldc i32) (param $scratch i32)
  (local $sAi i32) (local $sAp i32) (local $sBj i32) (local $sBp i32) (local $ap i32) (local $bp i32)
  (local $jc i32) (local $nc i32) (local $pc i32) (local $kc i32) (local $ic i32) (local $mc i32)
  (local $jr i32) (local $ir i32) (local $mr i32) (local $nr i32) (local $betaEff f32) (local $cp i32)
  (local $ldcB i32)
  ;; A(i, p) = a + i·sAi + p·sAp and B(p, j) = b + p·sBp + j·sBj, in bytes.
  ${set("sAi", `(if (result i32) ${get("transA")} (then ${i32(4)}) (else ${mulI(get("lda"), i32(4))}))`)}
  ${set("sAp", `(if (result i32) ${get("transA")} (then ${mulI(get("lda"), i32(4))}) (else ${i32(4)}))`)}
  ${set("sBj", `(if (result i32) ${get("transB")} (then ${mulI(get("ldb"), i32(4))}) (else ${i32(4)}))`)}
  ${set("sBp", `(if (result i32) ${get("transB")} (then ${i32(4)}) (else ${mulI(get("ldb"), i32(4))}))`)}
  ${set("ldcB", mulI(get("ldc"), i32(4)))}
  ${set("ap", addI(get("scratch"), i32(TILE_BYTES)))}
  ${set("bp", addI(get("ap"), i32(MC * KC * 4)))}
  ${
    forRange(
      "jc",
      i32(0),
      get("n"),
      i32(NC),
      `${set("nc", minU(i32(NC), `(i32.sub ${get("n")} ${get("jc")})`))}
    ${
        forRange(
          "pc",
          i32(0),
          get("k"),
          i32(KC),
          `${set("kc", minU(i32(KC), `(i32.sub ${get("k")} ${get("pc")})`))}
      ${set("betaEff", `(if (result f32) (i32.eqz ${get("pc")}) (then ${get("beta")}) (else (f32.const 1)))`)}
      (call $pack_b ${addI(addI(get("b"), mulI(get("pc"), get("sBp"))), mulI(get("jc"), get("sBj")))}
        ${get("sBj")} ${get("sBp")} ${get("nc")} ${get("kc")} ${get("bp")} (f32.const 1))
      ${
            forRange(
              "ic",
              i32(0),
              get("m"),
              i32(MC),
              `${set("mc", minU(i32(MC), `(i32.sub ${get("m")} ${get("ic")})`))}
        (call $pack_a ${addI(addI(get("a"), mulI(get("ic"), get("sAi"))), mulI(get("pc"), get("sAp")))}
          ${get("sAi")} ${get("sAp")} ${get("mc")} ${get("kc")} ${get("ap")} ${get("alpha")})
        ${
                forRange(
                  "jr",
                  i32(0),
                  get("nc"),
                  i32(NR),
                  `${set("nr", minU(i32(NR), `(i32.sub ${get("nc")} ${get("jr")})`))}
          ${
                    forRange(
                      "ir",
                      i32(0),
                      get("mc"),
                      i32(MR),
                      `${set("mr", minU(i32(MR), `(i32.sub ${get("mc")} ${get("ir")})`))}
            ${
                        set(
                          "cp",
                          addI(
                            get("c"),
                            mulI(
                              addI(mulI(addI(get("ic"), get("ir")), get("ldc")), addI(get("jc"), get("jr"))),
                              i32(4),
                            ),
                          ),
                        )
                      }
            (if (i32.and (i32.eq ${get("mr")} ${i32(MR)}) (i32.eq ${get("nr")} ${i32(NR)}))
              (then (call $micro ${addI(get("ap"), mulI(get("ir"), mulI(get("kc"), i32(4))))}
                ${addI(get("bp"), mulI(get("jr"), mulI(get("kc"), i32(4))))} ${get("kc")} ${get("cp")}
                ${get("ldcB")} ${get("betaEff")} (i32.const 0)))
              (else
                (call $micro ${addI(get("ap"), mulI(get("ir"), mulI(get("kc"), i32(4))))}
                  ${addI(get("bp"), mulI(get("jr"), mulI(get("kc"), i32(4))))} ${get("kc")} ${get("cp")}
                  ${get("ldcB")} ${get("betaEff")} ${get("scratch")})
                (call $edge ${get("scratch")} ${get("cp")} ${get("ldcB")} ${get("mr")} ${get("nr")}
                  ${get("betaEff")})))`,
                    )
                  }`,
                )
              }`,
            )
          }`,
        )
      }`,
    )
  }
  )`;

/**
 * The module's text; `relaxed` picks `f32x4.relaxed_madd` over `f32x4.mul` + `f32x4.add`.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { gemmWatSource } from "./gemm_wat.ts";
 * assert(gemmWatSource(true).includes("relaxed_madd") && !gemmWatSource(false).includes("relaxed_madd"));
 * ```
 */
export function gemmWatSource(relaxed: boolean): string {
  const blocks = gemmBlocks(relaxed);
  if (blocks.MC % blocks.MR !== 0 || blocks.NR % 4 !== 0 || blocks.MR * blocks.NR * 4 > TILE_BYTES) {
    throw new Error(`gemm blocks ${JSON.stringify(blocks)}: MC must be a multiple of MR, NR of 4`);
  }
  return `(module
  (import "env" "memory" (memory 1 65536 shared))
  ${pack("pack_a", blocks.MR)}
  ${pack("pack_b", blocks.NR)}
  ${micro(relaxed, blocks)}
  ${edge(blocks)}
  ${driver(blocks)}
)
`;
}
