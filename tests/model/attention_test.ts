import { assertAlmostEquals } from "@std/assert";
import { tf } from "../../lib/backend/tf.ts";
import { causalBias, multiHeadAttention, paddingBias } from "../../lib/model/attention.ts";
import { makeDropout } from "../../lib/model/layers.ts";
import { disposeParams, ParamBuilder } from "../../lib/model/params.ts";
import { createRng } from "../../lib/util/random.ts";

type M = number[][];
const matT = (a: M): M => a[0].map((_, j) => a.map((r) => r[j]));
const matMul = (a: M, b: M): M => a.map((r) => b[0].map((_, j) => r.reduce((s, v, k) => s + v * b[k][j], 0)));
const lin = (x: M, w: M, b: number[]): M => matMul(x, matT(w)).map((r) => r.map((v, j) => v + b[j]));

/** Plain-loop attention for one sequence: the reference. `allowed(i, j)` says if query i sees key j. */
function reference(
  x: M,
  w: Record<string, { w: M; b: number[] }>,
  h: number,
  allowed: (i: number, j: number) => boolean,
) {
  const q = lin(x, w.q.w, w.q.b), k = lin(x, w.k.w, w.k.b), v = lin(x, w.v.w, w.v.b);
  const c = x[0].length, hs = c / h, t = x.length;
  const ctx: M = x.map(() => new Array(c).fill(0));
  for (let head = 0; head < h; head++) {
    for (let i = 0; i < t; i++) {
      const scores: number[] = [];
      for (let j = 0; j < t; j++) {
        let s = 0;
        for (let d = 0; d < hs; d++) s += q[i][head * hs + d] * k[j][head * hs + d];
        scores.push(allowed(i, j) ? s / Math.sqrt(hs) : -Infinity);
      }
      const mx = Math.max(...scores);
      const e = scores.map((s) => Math.exp(s - mx));
      const z = e.reduce((a, b) => a + b, 0);
      for (let j = 0; j < t; j++) {
        for (let d = 0; d < hs; d++) ctx[i][head * hs + d] += (e[j] / z) * v[j][head * hs + d];
      }
    }
  }
  return lin(ctx, w.o.w, w.o.b);
}

async function check(causal: boolean) {
  const c = 6, h = 2, t = 4, b = 2;
  const builder = new ParamBuilder(createRng(5), 0.5);
  for (const n of ["q", "k", "v", "o"]) {
    builder.normal(`${n}.weight`, [c, c]);
    builder.normal(`${n}.bias`, [c]);
  }
  const p = builder.params;
  const w: Record<string, { w: M; b: number[] }> = {};
  for (const n of ["q", "k", "v", "o"]) {
    w[n] = { w: (await p[`${n}.weight`].array()) as M, b: (await p[`${n}.bias`].array()) as number[] };
  }
  const rng = createRng(9);
  const x: M = Array.from({ length: b * t }, () => Array.from({ length: c }, () => rng.normal()));
  const mask = new Uint8Array([1, 1, 1, 1, 1, 1, 0, 0]); // second sequence: 2 real tokens
  const y = tf.tidy(() => {
    const xt = tf.tensor2d(x);
    const pad = paddingBias(mask, b, t);
    const bias = causal ? tf.add(pad, causalBias(t)) : pad;
    const names = { query: "q", key: "k", value: "v", output: "o" };
    const dims = { batchSize: b, queryLen: t, keyLen: t, numHeads: h };
    return multiHeadAttention(p, {
      names,
      query: xt,
      keyValue: xt,
      dims,
      bias,
      dropout: makeDropout({ training: false }),
    });
  });
  const got = (await y.array()) as M;
  for (let s = 0; s < b; s++) {
    const xs = x.slice(s * t, (s + 1) * t);
    const ref = reference(xs, w, h, (i, j) => mask[s * t + j] === 1 && (!causal || j <= i));
    for (let i = 0; i < t; i++) {
      for (let d = 0; d < c; d++) assertAlmostEquals(got[s * t + i][d], ref[i][d], 1e-4);
    }
  }
  y.dispose();
  disposeParams(p);
}

Deno.test("multiHeadAttention() matches a plain-loop reference with key padding", () => check(false));
Deno.test("multiHeadAttention() matches a plain-loop reference with causal and padding masks", () =>
  check(true));
