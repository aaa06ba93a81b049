/**
 * One benchmark configuration of `deno task bench`: a full MLM training step (forward, backward, AdamW)
 * of the library's own encoder (`lib/model`, `lib/train`) timed on the current backend.
 *
 * Shapes: B = batch, T = length, C = width, V = vocabulary; 15% of the B·T positions are predicted.
 *
 * @module
 */
import { tf } from "../lib/backend/tf.ts";
import { createRng } from "../lib/util/random.ts";
import { disposeParams, encoderConfig, flopsPerToken, initEncoder, mlmLoss } from "../lib/model/mod.ts";
import { createAdamW, disposeAdamW, trainStep } from "../lib/train/mod.ts";
import type { MlmBatch } from "../lib/data/types.ts";

/** One of the sizes. */
export interface BenchSize {
  name: string;
  width: number;
  layers: number;
  batch: number;
  length: number;
  vocab: number;
}

/** The sizes of issue #6. */
export const SIZES: Record<string, BenchSize> = {
  S: { name: "S", width: 128, layers: 2, batch: 32, length: 64, vocab: 2048 },
  M: { name: "M", width: 256, layers: 4, batch: 32, length: 128, vocab: 8192 },
  L: { name: "L", width: 512, layers: 8, batch: 16, length: 128, vocab: 8192 },
};

/** A seeded batch: random ids, no padding, 15% of positions (sorted) with random labels. */
export function benchBatch(size: BenchSize, seed = 0): MlmBatch {
  const rng = createRng(`bench:${seed}`);
  const n = size.batch * size.length;
  const inputIds = new Int32Array(n);
  for (let i = 0; i < n; i++) inputIds[i] = Math.floor(rng.next() * size.vocab);
  const count = Math.max(1, Math.round(0.15 * n));
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const maskedPositions = Int32Array.from(order.slice(0, count).sort((a, b) => a - b));
  const maskedLabels = new Int32Array(count);
  for (let i = 0; i < count; i++) maskedLabels[i] = Math.floor(rng.next() * size.vocab);
  return {
    batchSize: size.batch,
    seqLen: size.length,
    inputIds,
    attentionMask: new Uint8Array(n).fill(1),
    maskedPositions,
    maskedLabels,
  };
}

/** What one timed run measured. */
export interface StepTiming {
  steps: number;
  /** Mean over the timed steps. */
  msPerStep: number;
  /** The fastest timed step: the least disturbed by other load on a shared machine. */
  msBest: number;
  tokensPerSecond: number;
  /** Model FLOPs per second (the library's `flopsPerToken` × tokens/s). */
  gflops: number;
  loss: number;
}

/**
 * Times `steps` training steps (at most `seconds`, at least one) after `warmup` untimed ones, on whatever
 * backend is current. `onTimed` runs once before the timed steps (the profiler starts there).
 */
export async function timeMlmStep(
  size: BenchSize,
  options: { steps: number; seconds: number; warmup: number; dropout: number; onTimed?: () => void },
): Promise<StepTiming> {
  const config = encoderConfig({
    vocabSize: size.vocab,
    numLayers: size.layers,
    hiddenSize: size.width, // heads of 64 and a 4x feed-forward follow (modelShape)
    maxPositions: size.length,
    dropout: options.dropout,
    attentionDropout: options.dropout,
    layerNorm: "post",
  });
  const params = initEncoder(config, 0);
  const optimizer = createAdamW(params);
  const batch = benchBatch(size);
  let loss = NaN;
  const step = async (k: number) => {
    const r = trainStep(
      params,
      optimizer,
      () => mlmLoss(params, batch, config, { training: true, seed: k }),
      {
        lr: 1e-4,
      },
    );
    loss = (await r.loss.data())[0];
    tf.dispose([r.loss, r.gradNorm]);
  };
  try {
    for (let k = 0; k < options.warmup; k++) await step(k);
    options.onTimed?.();
    const times: number[] = [];
    const t0 = performance.now();
    while (
      times.length < options.steps && (times.length === 0 || performance.now() - t0 < options.seconds * 1000)
    ) {
      const s0 = performance.now();
      await step(times.length + 1);
      times.push(performance.now() - s0);
    }
    const ms = times.reduce((a, b) => a + b, 0) / times.length;
    const tokensPerSecond = (size.batch * size.length) / (ms / 1000);
    const flops = flopsPerToken(config, { seqLen: size.length, maskFraction: 0.15 });
    return {
      steps: times.length,
      msPerStep: ms,
      msBest: Math.min(...times),
      tokensPerSecond,
      gflops: (flops * tokensPerSecond) / 1e9,
      loss,
    };
  } finally {
    disposeAdamW(optimizer);
    disposeParams(params);
  }
}

/** Prints the 15 costliest kernels of a profiled run (`kernelProfile()`), in ms and calls per timed step. */
export function printKernelProfile(
  title: string,
  profile: { kernel: string; ms: number; calls: number }[],
  steps: number,
): void {
  console.log(`\n${title} (ms per step, calls per step):`);
  for (const k of profile.slice(0, 15)) {
    console.log(
      `  ${k.kernel.padEnd(24)} ${(k.ms / steps).toFixed(1).padStart(8)} ms ${
        (k.calls / steps).toFixed(0).padStart(5)
      }`,
    );
  }
  console.log();
}

/**
 * Times one configuration in a child process and returns its timing: how `deno task bench` measures the
 * `native` backend on its built-in GEMM (`TRAINLARGE_BLAS=none`) beside the one on the system BLAS, which a
 * process registers once. The child's own output (a profile) goes to this process's stdout.
 */
export async function timeMlmStepInChild(
  size: BenchSize,
  options: { steps: number; seconds: number; warmup: number; dropout: number; profile?: boolean },
  env: Record<string, string>,
): Promise<StepTiming & { threads: number }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("./mlm_step.ts", import.meta.url).pathname,
      JSON.stringify({ size: size.name, ...options }),
    ],
    env,
    stderr: "inherit",
  }).output();
  const lines = new TextDecoder().decode(out.stdout).trim().split("\n");
  if (!out.success) throw new Error(`bench/mlm_step.ts failed for size ${size.name}: ${lines.join("\n")}`);
  const last = lines.pop()!;
  if (lines.length > 0) console.log(lines.join("\n"));
  return JSON.parse(last);
}

if (import.meta.main) {
  const { useBackend } = await import("../lib/backend/mod.ts");
  const { kernelProfile, profileKernels } = await import("../lib/backend/native/profile.ts");
  const o = JSON.parse(Deno.args[0]);
  const described = await useBackend("native");
  const r = await timeMlmStep(SIZES[o.size], { ...o, onTimed: () => o.profile && profileKernels(true) });
  if (o.profile) {
    profileKernels(false);
    printKernelProfile(
      `native kernel profile (${described.device}), size ${o.size}`,
      kernelProfile(),
      r.steps,
    );
  }
  console.log(JSON.stringify({ ...r, threads: described.threads }));
}
