/**
 * A run kind with a known answer: linear regression y = w*·x + ε (x ~ N(0, I_d), ε ~ N(0, σ²)) trained by
 * the wall-clock loop with loss ½(w·x − y)². Small enough to run hundreds of times in a test, and exact
 * enough to check the study machinery (resume, caching, crash safety) and estimators with analytic values
 * (the gradient noise scale B_simple = tr(Σ)/|G|² has a closed form here; see docs/).
 *
 * Batches are drawn from a generator seeded per batch index, so the data position is one integer and a
 * resumed run sees exactly the batches an uninterrupted one would.
 *
 * Shapes: B = batch size, d = dimension.
 *
 * @module
 */
import { tf } from "../backend/tf.ts";
import { type BatchStream, batchStream } from "../data/batch_stream.ts";
import type { Scalar } from "../backend/tf.ts";
import { createAdamW, disposeAdamW } from "../train/adamw.ts";
import { loadCheckpoint } from "../train/checkpoint.ts";
import { latestCheckpoint } from "../train/checkpoint_store.ts";
import { trainRecords } from "../train/loop.ts";
import { schedule } from "../train/schedule.ts";
import type { Task } from "../train/task.ts";
import { checkKeys, checkNumber } from "../util/options.ts";
import { createRng } from "../util/random.ts";
import type { RunKind } from "./run_kind.ts";

/** Config of {@linkcode linregKind}. */
export type LinregConfig = {
  /** d: dimension of x and w. */
  dim: number;
  /** σ: standard deviation of the label noise. */
  noise: number;
  /** B: examples per step. */
  batchSize: number;
  /** Constant learning rate (AdamW without weight decay). */
  lr: number;
  /** Step limit. */
  maxSteps: number;
  /** Training-seconds budget; null for none (the step limit ends the run). */
  seconds: number | null;
  /** Evaluations (records) per run, evenly spaced in steps. */
  evaluations: number;
  /** Seeds w*, the data and the initialisation. */
  seed: number;
};

/** Defaults: a 16-dimensional problem that an Adam learner solves to the noise floor in ~200 steps. */
export const LINREG_DEFAULTS: Readonly<LinregConfig> = Object.freeze({
  dim: 16, // small enough for thousands of steps a second on cpu
  noise: 0.5, // a noise floor of ½σ² = 0.125 in the loss
  batchSize: 16,
  lr: 0.05,
  maxSteps: 200,
  seconds: null,
  evaluations: 10,
  seed: 0,
});

type Batch = { x: Float32Array; y: Float32Array; n: number };

function target(dim: number, seed: number): Float32Array {
  const rng = createRng(`linreg-w:${seed}`);
  return Float32Array.from({ length: dim }, () => rng.normal());
}

function makeBatch(c: LinregConfig, wStar: Float32Array, index: number, stream: string): Batch {
  const rng = createRng(`linreg-${stream}:${c.seed}:${index}`);
  const n = stream === "val" ? 256 : c.batchSize;
  const x = new Float32Array(n * c.dim), y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let dot = 0;
    for (let j = 0; j < c.dim; j++) {
      const v = rng.normal();
      x[i * c.dim + j] = v;
      dot += v * wStar[j];
    }
    y[i] = dot + c.noise * rng.normal();
  }
  return { x, y, n };
}

function source(c: LinregConfig, wStar: Float32Array): BatchStream<Batch> {
  // One endless epoch: batch i is drawn from its own seed, so the position is just i.
  return batchStream(Number.MAX_SAFE_INTEGER, (_, i) => makeBatch(c, wStar, i, "train"), undefined, "linreg");
}

/**
 * Linear regression as a run kind (see the module doc).
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { linregKind } from "./linreg_kind.ts";
 * const dir = await Deno.makeTempDir();
 * const run = linregKind.run(linregKind.config({ maxSteps: 100 }), { dir, parents: {} });
 * let r = await run.next();
 * while (!r.done) r = await run.next();
 * assert(r.value.status === "max_steps" && (r.value.valLoss as number) < 0.2);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export const linregKind: RunKind<LinregConfig> & { module: string } = {
  name: "linreg",
  module: import.meta.url,
  defaults: LINREG_DEFAULTS,
  config(overrides = {}) {
    checkKeys("linreg config", overrides, Object.keys(LINREG_DEFAULTS));
    const c = { ...LINREG_DEFAULTS, ...overrides };
    checkNumber("linreg config", "dim", c.dim, { integer: true, min: 1 });
    checkNumber("linreg config", "noise", c.noise, { min: 0 });
    checkNumber("linreg config", "batchSize", c.batchSize, { integer: true, min: 1 });
    checkNumber("linreg config", "lr", c.lr, { above: 0 });
    checkNumber("linreg config", "maxSteps", c.maxSteps, { integer: true, min: 1 });
    if (c.seconds !== null) checkNumber("linreg config", "seconds", c.seconds, { above: 0 });
    checkNumber("linreg config", "evaluations", c.evaluations, { integer: true, min: 1 });
    checkNumber("linreg config", "seed", c.seed, { integer: true, min: 0 });
    return c;
  },
  fingerprint: () => Promise.resolve("synthetic-linreg-1"),
  parents: () => ({}),
  async *run(c, context) {
    const wStar = target(c.dim, c.seed);
    const params = { w: tf.tidy(() => tf.variable(tf.zeros([c.dim]), true, "w")) };
    const optimizer = createAdamW(params, { weightDecay: 0 });
    try {
      const task: Task<Batch> = {
        params,
        loss: (b) =>
          tf.tidy(() => {
            const x = tf.tensor2d(b.x, [b.n, c.dim]); // (B, d)
            const err = tf.sub(
              tf.squeeze(tf.matMul(x, tf.reshape(params.w, [c.dim, 1])), [1]),
              tf.tensor1d(b.y),
            );
            return tf.mul(0.5, tf.mean(tf.square(err))) as Scalar;
          }),
        tokens: (b) => b.n,
        predictions: (b) => b.n,
      };
      const everySteps = Math.max(1, Math.round(c.maxSteps / c.evaluations));
      const latest = await latestCheckpoint(`${context.dir}/checkpoint`);
      const resume = latest ? (await loadCheckpoint(latest, { params, optimizer })).trainer : null;
      const result = yield* trainRecords({
        task,
        optimizer,
        source: source(c, wStar),
        validation: [0, 1].map((i) => makeBatch(c, wStar, i, "val")),
        schedule: schedule({ peakLr: c.lr, unit: "steps", warmup: 0, total: c.maxSteps, decay: "constant" }),
        maxSteps: c.maxSteps,
        ...(c.seconds !== null ? { seconds: c.seconds } : {}),
        evalEvery: { steps: everySteps },
        maxGradNorm: 0,
        seed: c.seed,
        checkpoint: { dir: `${context.dir}/checkpoint`, everySteps },
        resume: resume ?? undefined,
        signal: context.signal,
        clock: context.clock,
      });
      return {
        status: result.status,
        message: result.message,
        step: result.step,
        seconds: result.seconds,
        evalSeconds: 0,
        tokens: result.tokens,
        params: c.dim,
        flopsPerToken: 6 * c.dim,
        valLoss: result.valLoss,
      };
    } finally {
      disposeAdamW(optimizer);
      params.w.dispose();
    }
  },
};
