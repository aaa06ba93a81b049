import { assert, assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { noiseScaleEstimate, noiseScaleParts } from "../../lib/metrics/noise_scale.ts";
import { createRng } from "../../lib/util/random.ts";

// Linear regression y = w*·x + ε, x ~ N(0, I_d), ε ~ N(0, σ²), loss ½(w·x − y)², at a fixed w with Δ = w − w*.
// Per-example gradient gᵢ = (Δ·xᵢ − εᵢ) xᵢ; mean G = Δ; covariance Σ = (|Δ|² + σ²) I_d + ΔΔᵀ, so
// B_simple = tr(Σ)/|G|² = (d(|Δ|² + σ²) + |Δ|²) / |Δ|² exactly (docs/SCIENCE: McCandlish et al. 2018).
const D = 16, SIGMA = 0.5;

function delta(seed: number): Float64Array {
  const rng = createRng(`delta:${seed}`);
  return Float64Array.from({ length: D }, () => 0.5 * rng.normal());
}

function analyticBSimple(d: Float64Array): number {
  const sq = d.reduce((a, v) => a + v * v, 0);
  return (D * (sq + SIGMA * SIGMA) + sq) / sq;
}

/** Samples of (|G_small|², |G_big|²) from exact per-example gradients: `steps` steps of k micro-batches. */
function linregSamples(d: Float64Array, bSmall: number, k: number, steps: number, seed: string) {
  const rng = createRng(seed);
  const out = [];
  for (let s = 0; s < steps; s++) {
    const big = new Float64Array(D);
    let small = 0;
    for (let m = 0; m < k; m++) {
      const g = new Float64Array(D);
      for (let i = 0; i < bSmall; i++) {
        const x = Float64Array.from({ length: D }, () => rng.normal());
        let r = -SIGMA * rng.normal();
        for (let j = 0; j < D; j++) r += d[j] * x[j];
        for (let j = 0; j < D; j++) g[j] += (r * x[j]) / bSmall;
      }
      small += g.reduce((a, v) => a + v * v, 0) / k;
      for (let j = 0; j < D; j++) big[j] += g[j] / k;
    }
    out.push({ gradSqSmall: small, gradSqBig: big.reduce((a, v) => a + v * v, 0) });
  }
  return out;
}

Deno.test("noiseScaleParts inverts E|G_B|² = |G|² + tr(Σ)/B exactly", () => {
  for (const [g2, tr, bs, bb] of [[1, 8, 2, 8], [0.3, 50, 4, 64], [2, 0.5, 1, 3]]) {
    const p = noiseScaleParts({ gradSqSmall: g2 + tr / bs, gradSqBig: g2 + tr / bb }, {
      bSmall: bs,
      bBig: bb,
    });
    assertAlmostEquals(p.gradSq, g2, 1e-12);
    assertAlmostEquals(p.trSigma, tr, 1e-10);
  }
  assertThrows(
    () => noiseScaleParts({ gradSqSmall: 1, gradSqBig: 1 }, { bSmall: 4, bBig: 4 }),
    Error,
    "bSmall < bBig",
  );
});

Deno.test("noiseScaleEstimate matches the analytic B_simple of linear regression within 3% (and 3 standard errors)", () => {
  for (const seed of [0, 1, 2]) {
    const d = delta(seed);
    const truth = analyticBSimple(d);
    const e = noiseScaleEstimate(linregSamples(d, 4, 8, 3000, `est:${seed}`), {
      bSmall: 4,
      bBig: 32,
      decay: 1,
    });
    const err = Math.abs(e.bSimple! - truth);
    assert(err / truth < 0.03, `seed ${seed}: estimate ${e.bSimple} vs analytic ${truth}`);
    assert(err < 3 * e.stdErr!, `seed ${seed}: error ${err} vs standard error ${e.stdErr}`);
    // the parts, too: |G|² = |Δ|², tr(Σ) = d(|Δ|² + σ²) + |Δ|²
    const sq = d.reduce((a, v) => a + v * v, 0);
    assert(Math.abs(e.gradSq - sq) / sq < 0.06, `|G|² ${e.gradSq} vs ${sq}`);
    assert(Math.abs(e.trSigma - (D * (sq + SIGMA ** 2) + sq)) / e.trSigma < 0.02);
  }
});

Deno.test("noiseScaleEstimate's standard error matches the spread of independent estimates", () => {
  const d = delta(7);
  const estimates: number[] = [], errors: number[] = [];
  for (let r = 0; r < 24; r++) {
    const e = noiseScaleEstimate(linregSamples(d, 2, 4, 150, `spread:${r}`), {
      bSmall: 2,
      bBig: 8,
      decay: 1,
    });
    estimates.push(e.bSimple!);
    errors.push(e.stdErr!);
  }
  const mean = estimates.reduce((a, b) => a + b, 0) / estimates.length;
  const sd = Math.sqrt(estimates.reduce((a, b) => a + (b - mean) ** 2, 0) / (estimates.length - 1));
  const meanErr = errors.reduce((a, b) => a + b, 0) / errors.length;
  // 24 replicates: the sample sd is within ±30% of the true one with high probability.
  assert(meanErr > 0.65 * sd && meanErr < 1.5 * sd, `reported ${meanErr} vs observed spread ${sd}`);
});

Deno.test("noiseScaleEstimate: EMA weights favour recent samples; degenerate inputs", () => {
  const old = Array.from({ length: 50 }, () => ({ gradSqSmall: 1 + 8 / 2, gradSqBig: 1 + 8 / 8 })); // B = 8
  const recent = Array.from({ length: 50 }, () => ({ gradSqSmall: 1 + 32 / 2, gradSqBig: 1 + 32 / 8 })); // B = 32
  const ema = noiseScaleEstimate([...old, ...recent], { bSmall: 2, bBig: 8, decay: 0.9 });
  assert(Math.abs(ema.bSimple! - 32) < 0.2, `EMA ${ema.bSimple}`);
  assertAlmostEquals(ema.effectiveSamples, 19, 0.1); // (1 + β)/(1 − β)
  const all = noiseScaleEstimate([...old, ...recent], { bSmall: 2, bBig: 8, decay: 1 });
  assertAlmostEquals(all.bSimple!, 40 / 2, 1e-9); // ratio of means: mean tr(Σ) 20 / mean |G|² 1
  assertEquals(noiseScaleEstimate([], { bSmall: 2, bBig: 8 }).bSimple, null);
  // |G|² estimated ≤ 0: no estimate rather than a negative or infinite one
  assertEquals(
    noiseScaleEstimate([{ gradSqSmall: 1, gradSqBig: 0.2 }], { bSmall: 2, bBig: 8 }).bSimple,
    null,
  );
  assertThrows(
    () => noiseScaleEstimate([{ gradSqSmall: NaN, gradSqBig: 1 }], { bSmall: 1, bBig: 2 }),
    Error,
    "sample 0",
  );
});
