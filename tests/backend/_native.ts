/**
 * What the native-backend tests share: whether the native backend can start here (its WebAssembly SIMD
 * kernels compile; matmuls then run on a system BLAS or, without one, on the built-in GEMM), whether a
 * system BLAS loads, and seeded test data.
 */
import { requireTool } from "../_support/tools.ts";
import { tryLoadBlas } from "../../lib/backend/native/provider.ts";
import { simdUnavailable } from "../../lib/backend/native/simd/simd.ts";

/**
 * True when `native` can start. Its parity tests need nothing else: on a machine without a system BLAS they
 * run on the built-in WebAssembly GEMM, the path a fresh machine's demo takes.
 */
export const HAS_NATIVE: boolean = requireTool(
  simdUnavailable() === undefined,
  "WebAssembly SIMD (native backend)",
  "use Deno 2.9.6 or newer",
);

/**
 * True when a system CBLAS library loads; what needs one (the demo's compression part, the BLAS description)
 * skips without it (and fails under CI=true).
 */
export const HAS_BLAS: boolean = requireTool(
  !("missing" in tryLoadBlas()),
  "a CBLAS library (native backend)",
  "apt-get install libopenblas0",
);

/** `n` values uniform in [−scale/2, scale/2) from a fixed linear congruential generator. */
export function seeded(n: number, seed: number, scale: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 2 ** 32 - 0.5) * scale;
  }
  return out;
}

/**
 * Waits until `pool` has `n` threads ready (its workers start a few milliseconds after the first split call
 * asks for them); throws after 5 s.
 */
export async function threadsReady(pool: { readonly ready: number }, n: number): Promise<void> {
  for (let i = 0; pool.ready < n; i++) {
    if (i >= 500) throw new Error(`only ${pool.ready} of ${n} threads started within 5 s`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
