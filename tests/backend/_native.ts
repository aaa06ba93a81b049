/**
 * What the native-backend tests share: whether a system BLAS loads, and seeded test data.
 */
import { requireTool } from "../_support/tools.ts";
import { tryLoadBlas } from "../../lib/backend/native/provider.ts";

/** True when a CBLAS library loads; without one the native tests skip (and fail under CI=true). */
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
