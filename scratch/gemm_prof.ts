import { useBackend, tf } from "../lib/backend/mod.ts";
import { SIZES, timeMlmStep } from "../bench/mlm_step.ts";
await useBackend("native");
const backend = tf.backend() as unknown as { blas: { sgemm: (...a: unknown[]) => void } };
const orig = backend.blas.sgemm.bind(backend.blas);
const stats = new Map<string, { n: number; ms: number; flop: number }>();
let on = false;
backend.blas.sgemm = (...a: unknown[]) => {
  const t0 = performance.now();
  orig(...a);
  if (!on) return;
  const [ta, tb, m, n, k] = a as [boolean, boolean, number, number, number];
  const key = `${ta ? "T" : "N"}${tb ? "T" : "N"} ${m}x${n}x${k}`;
  const s = stats.get(key) ?? { n: 0, ms: 0, flop: 2 * m * n * k };
  s.n++; s.ms += performance.now() - t0; stats.set(key, s);
};
const size = SIZES[Deno.args[0] ?? "S"];
const steps = 3;
await timeMlmStep(size, { steps, seconds: 30, warmup: 1, dropout: 0, onTimed: () => { on = true; } });
const rows = [...stats.entries()].sort((x, y) => y[1].ms - x[1].ms);
let tot = 0;
for (const [k, s] of rows) { tot += s.ms; console.log(k.padEnd(24), (s.n / steps).toFixed(0).padStart(5), "calls/step", (s.ms / steps).toFixed(2).padStart(8), "ms/step", (s.flop * s.n / s.ms / 1e6).toFixed(1).padStart(7), "GFLOP/s"); }
console.log("total sgemm ms/step", (tot / steps).toFixed(1));
