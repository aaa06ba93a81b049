/**
 * A simulated data-parallel wall-clock: what a batch-size study measured on one machine, projected onto N
 * workers. Hand-written cost model (docs/FINDINGS.md states it; no library models this):
 *
 *   t(B, N) = t_compute(B / N) + t_allreduce(N)
 *   t_allreduce(N) = 2 (N − 1) / N · P · 4 bytes / bandwidth + 2 (N − 1) · latency   (ring all-reduce, fp32)
 *   time to target(B, N) = S(B) · t(B, N)
 *
 * with S(B) the measured steps to the target at global batch B and t_compute(b) the measured training
 * seconds per step at batch b on one worker (interpolated log-log between measured batch sizes, never
 * extrapolated). It ignores overlap of communication with the backward pass (which real systems do, so
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

/**
 * Per-step compute seconds at batch `b`, interpolated log-log between measured (batch, seconds per step)
 * points; null outside the measured range (no extrapolation).
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { computeSecondsAt } from "./data_parallel.ts";
 * const measured = [{ batchSize: 8, seconds: 0.1 }, { batchSize: 32, seconds: 0.4 }];
 * assert(Math.abs(computeSecondsAt(measured, 16)! - 0.2) < 1e-12);
 * assert(computeSecondsAt(measured, 64) === null);
 * ```
 */
export function computeSecondsAt(
  measured: readonly { batchSize: number; seconds: number }[],
  b: number,
): number | null {
  const pts = [...measured].sort((p, q) => p.batchSize - q.batchSize);
  for (let i = 0; i < pts.length; i++) {
    if (pts[i].batchSize === b) return pts[i].seconds;
    if (i > 0 && pts[i - 1].batchSize < b && b < pts[i].batchSize) {
      const [p, q] = [pts[i - 1], pts[i]];
      const f = Math.log(b / p.batchSize) / Math.log(q.batchSize / p.batchSize);
      return Math.exp(Math.log(p.seconds) + f * Math.log(q.seconds / p.seconds));
    }
  }
  return null;
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
 *   compute: [{ batchSize: 8, seconds: 0.1 }, { batchSize: 32, seconds: 0.4 }],
 *   params: 1e6, workers: [1, 4, 8], network: { bandwidth: 1e9, latency: 0 },
 * });
 * assert(rows.length === 2); // 32/8 = 4 is below the measured range
 * assert(Math.abs(rows[1].secondsToTarget - 100 * (0.1 + 0.006)) < 1e-9);
 * ```
 */
export function dataParallelTimes(o: {
  steps: readonly { batchSize: number; steps: number }[];
  compute: readonly { batchSize: number; seconds: number }[];
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
