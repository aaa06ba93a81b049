/**
 * A simulated data-parallel wall-clock: what a batch-size study measured on one machine, projected onto N
 * workers. Hand-written cost model (docs/FINDINGS.md states it; no library models this):
 *
 *   t(B, N) = t_compute(B / N) + t_allreduce(N)
 *   t_allreduce(N) = 2 (N − 1) / N · P · 4 bytes / bandwidth + 2 (N − 1) · latency   (ring all-reduce, fp32)
 *   time to target(B, N) = S(B) · t(B, N)
 *
 * with S(B) the measured steps to the target at global batch B and t_compute(b) the training seconds per
 * step at batch b on one worker: a least-squares line t₀ + t₁·b through every run's measured seconds per
 * step (a fixed per-step cost plus a per-example cost; a line, because single runs' timings on a shared
 * machine scatter by 2–3×), used only inside the measured range of b (never extrapolated). It ignores overlap of communication with the backward pass (which real systems do, so
 * it is pessimistic for large models) and stragglers (optimistic).
 *
 * @module
 */

/** A network for the all-reduce. */
export interface Network {
  /** Bytes per second each link carries. */
  bandwidth: number;
  /** Seconds per message. */
  latency: number;
}

/** 10 GbE between machines: 1.25 GB/s, 20 µs per message (a commodity cluster). */
export const ETHERNET_10G: Readonly<Network> = Object.freeze({ bandwidth: 1.25e9, latency: 20e-6 });

/**
 * Seconds of one ring all-reduce of `params` float32 values over `workers` workers (0 for one worker).
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { ringAllReduceSeconds } from "./data_parallel.ts";
 * // 1M parameters (4 MB) on 4 workers at 1 GB/s, no latency: 2·3/4·4e6 / 1e9 = 6 ms.
 * assert(Math.abs(ringAllReduceSeconds(1e6, 4, { bandwidth: 1e9, latency: 0 }) - 0.006) < 1e-12);
 * assert(ringAllReduceSeconds(1e6, 1, { bandwidth: 1e9, latency: 1 }) === 0);
 * ```
 */
export function ringAllReduceSeconds(params: number, workers: number, network: Network): number {
  if (!(Number.isInteger(workers) && workers >= 1)) {
    throw new Error(`ringAllReduceSeconds: workers must be an integer ≥ 1, got ${workers}`);
  }
  if (!(network.bandwidth > 0 && network.latency >= 0)) {
    throw new Error(
      `ringAllReduceSeconds: needs bandwidth > 0 and latency ≥ 0, got ${JSON.stringify(network)}`,
    );
  }
  const n = workers;
  return (2 * (n - 1) / n) * params * 4 / network.bandwidth + 2 * (n - 1) * network.latency;
}

/** A per-step compute time model t(b) = overhead + perExample·b, valid for b in [minBatch, maxBatch]. */
export interface ComputeModel {
  /** t₀: seconds per step that do not grow with the batch (≥ 0). */
  overhead: number;
  /** t₁: seconds per example (≥ 0). */
  perExample: number;
  /** Smallest measured batch. */
  minBatch: number;
  /** Largest measured batch. */
  maxBatch: number;
}

/**
 * The least-squares line through measured (batch, seconds per step) points, t₀ and t₁ clamped at 0 (a
 * negative fitted overhead becomes a line through the origin).
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { fitComputeSeconds } from "./data_parallel.ts";
 * const m = fitComputeSeconds([{ batchSize: 8, seconds: 0.14 }, { batchSize: 32, seconds: 0.38 }]);
 * assert(Math.abs(m.overhead - 0.06) < 1e-12 && Math.abs(m.perExample - 0.01) < 1e-12);
 * ```
 */
export function fitComputeSeconds(measured: readonly { batchSize: number; seconds: number }[]): ComputeModel {
  if (measured.length === 0) throw new Error("fitComputeSeconds: no measured (batchSize, seconds) points");
  const n = measured.length;
  const mx = measured.reduce((a, p) => a + p.batchSize, 0) / n;
  const my = measured.reduce((a, p) => a + p.seconds, 0) / n;
  const sxx = measured.reduce((a, p) => a + (p.batchSize - mx) ** 2, 0);
  const sxy = measured.reduce((a, p) => a + (p.batchSize - mx) * (p.seconds - my), 0);
  let perExample = sxx > 0 ? Math.max(0, sxy / sxx) : 0;
  let overhead = my - perExample * mx;
  if (overhead < 0) {
    overhead = 0;
    perExample = measured.reduce((a, p) => a + p.batchSize * p.seconds, 0) /
      measured.reduce((a, p) => a + p.batchSize ** 2, 0);
  }
  if (sxx === 0) [overhead, perExample] = [my, 0];
  const sizes = measured.map((p) => p.batchSize);
  return { overhead, perExample, minBatch: Math.min(...sizes), maxBatch: Math.max(...sizes) };
}

/**
 * t_compute(b) of a model; null outside its measured range (no extrapolation).
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { computeSecondsAt } from "./data_parallel.ts";
 * const m = { overhead: 0.06, perExample: 0.01, minBatch: 8, maxBatch: 32 };
 * assert(Math.abs(computeSecondsAt(m, 16)! - 0.22) < 1e-12 && computeSecondsAt(m, 64) === null);
 * ```
 */
export function computeSecondsAt(model: ComputeModel, b: number): number | null {
  if (b < model.minBatch || b > model.maxBatch) return null;
  return model.overhead + model.perExample * b;
}

/** One row of the simulation. */
export interface DataParallelRow {
  /** Global batch B. */
  batchSize: number;
  /** Workers N. */
  workers: number;
  /** B / N. */
  perWorkerBatch: number;
  /** Measured steps to the target at B. */
  steps: number;
  /** t_compute(B / N). */
  computeSeconds: number;
  /** t_allreduce(N). */
  allReduceSeconds: number;
  /** steps · (compute + all-reduce). */
  secondsToTarget: number;
}

/**
 * The simulated time to target for every global batch with measured steps and every worker count whose
 * per-worker batch is an integer inside the measured range.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { dataParallelTimes } from "./data_parallel.ts";
 * const rows = dataParallelTimes({
 *   steps: [{ batchSize: 32, steps: 100 }],
 *   compute: { overhead: 0, perExample: 0.1 / 8, minBatch: 8, maxBatch: 32 },
 *   params: 1e6, workers: [1, 4, 8], network: { bandwidth: 1e9, latency: 0 },
 * });
 * assert(rows.length === 2); // 32/8 = 4 is below the measured range
 * assert(Math.abs(rows[1].secondsToTarget - 100 * (0.1 + 0.006)) < 1e-9);
 * ```
 */
export function dataParallelTimes(o: {
  steps: readonly { batchSize: number; steps: number }[];
  compute: ComputeModel;
  params: number;
  workers: readonly number[];
  network: Network;
}): DataParallelRow[] {
  const rows: DataParallelRow[] = [];
  for (const { batchSize, steps } of o.steps) {
    for (const workers of o.workers) {
      const perWorkerBatch = batchSize / workers;
      if (!Number.isInteger(perWorkerBatch)) continue;
      const computeSeconds = computeSecondsAt(o.compute, perWorkerBatch);
      if (computeSeconds === null) continue;
      const allReduceSeconds = ringAllReduceSeconds(o.params, workers, o.network);
      rows.push({
        batchSize,
        workers,
        perWorkerBatch,
        steps,
        computeSeconds,
        allReduceSeconds,
        secondsToTarget: steps * (computeSeconds + allReduceSeconds),
      });
    }
  }
  return rows;
}
