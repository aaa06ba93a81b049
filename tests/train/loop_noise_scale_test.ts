import { assert, assertEquals } from "@std/assert";
import { tf } from "../../lib/backend/tf.ts";
import type { Scalar } from "../../lib/backend/tf.ts";
import { noiseScaleEstimate } from "../../lib/metrics/noise_scale.ts";
import { createAdamW, disposeAdamW } from "../../lib/train/adamw.ts";
import { type TrainRecord, trainRecords } from "../../lib/train/loop.ts";
import { schedule } from "../../lib/train/schedule.ts";
import { batchStream } from "../../lib/data/batch_stream.ts";
import { createRng } from "../../lib/util/random.ts";

// End to end through trainRecords: linear regression (loss ½(w·x − y)², x ~ N(0, I_d), y = w*·x + ε,
// ε ~ N(0, σ²)) held at w = 0 (learning rate 1e-9), so Δ = −w* and B_simple = (d(|Δ|² + σ²) + |Δ|²)/|Δ|²
// exactly (docs/SCIENCE). The records' gradSqSmall/gradSqBig must give it back.
const D = 8, SIGMA = 0.5, MICRO = 4, K = 4;

Deno.test("trainRecords with noiseScale: records give linear regression's analytic B_simple within 8%", async () => {
  const wRng = createRng("w*");
  const wStar = Float32Array.from({ length: D }, () => 0.5 * wRng.normal());
  const sq = wStar.reduce((a, v) => a + v * v, 0);
  const truth = (D * (sq + SIGMA ** 2) + sq) / sq;
  const params = { w: tf.variable(tf.zeros([D])) };
  const optimizer = createAdamW(params, { weightDecay: 0 });
  const before = tf.memory().numTensors;
  const source = batchStream(
    Number.MAX_SAFE_INTEGER,
    (_, i) => {
      const rng = createRng(`batch:${i}`);
      const x = Float32Array.from({ length: MICRO * D }, () => rng.normal());
      const y = Float32Array.from({ length: MICRO }, (_, r) => {
        let dot = SIGMA * rng.normal();
        for (let j = 0; j < D; j++) dot += wStar[j] * x[r * D + j];
        return dot;
      });
      return { x, y };
    },
    undefined,
    "linreg",
  );
  const task = {
    params,
    loss: (b: { x: Float32Array; y: Float32Array }) =>
      tf.tidy(() => {
        const pred = tf.squeeze(tf.matMul(tf.tensor2d(b.x, [MICRO, D]), tf.reshape(params.w, [D, 1])), [1]);
        return tf.mul(0.5, tf.mean(tf.square(tf.sub(pred, tf.tensor1d(b.y))))) as Scalar;
      }),
    tokens: () => MICRO,
    predictions: () => MICRO,
  };
  const records: TrainRecord[] = [];
  const run = trainRecords({
    task,
    optimizer,
    source,
    schedule: schedule({ peakLr: 1e-9, unit: "steps", warmup: 0, total: 1, decay: "constant" }),
    maxSteps: 600,
    logEverySteps: 10,
    accumulate: K,
    maxGradNorm: 0,
    noiseScale: true,
  });
  for (let r = await run.next(); !r.done; r = await run.next()) records.push(r.value);
  assertEquals(tf.memory().numTensors, before);
  assertEquals(records.length, 60);
  assert(records.every((r) => r.microBatches === K && typeof r.gradSqSmall === "number"));
  const e = noiseScaleEstimate(records as never, { bSmall: MICRO, bBig: MICRO * K, decay: 1 });
  const err = Math.abs(e.bSimple! - truth);
  assert(err / truth < 0.08 && err < 3 * e.stdErr!, `estimate ${e.bSimple} ± ${e.stdErr} vs ${truth}`);
  disposeAdamW(optimizer);
  params.w.dispose();
});
