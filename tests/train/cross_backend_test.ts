/**
 * Three AdamW steps of a tiny encoder (dropout on, gradient clipping active) and a 6-batch validation loss
 * must agree on cpu (the reference), wasm, native and webgpu within 1e-4 relative. This caught tfjs-webgpu's
 * AddN summing only the first 4 of many inputs, which silently disabled gradient clipping there.
 */
import { assert } from "@std/assert";
import { tf, useBackend } from "../../lib/backend/mod.ts";
import { findAdapter } from "../../lib/backend/webgpu.ts";
import { initEncoder } from "../../lib/model/encoder.ts";
import { mlmLoss } from "../../lib/model/mlm.ts";
import { disposeParams } from "../../lib/model/params.ts";
import { createAdamW, disposeAdamW } from "../../lib/train/adamw.ts";
import { evaluate } from "../../lib/train/evaluate.ts";
import { mlmTask } from "../../lib/train/task.ts";
import { trainStep } from "../../lib/train/train_step.ts";
import { requireTool } from "../_support/tools.ts";
import { syntheticMlmBatch, tinyConfig } from "../model/_fixtures.ts";

async function run(): Promise<number[]> {
  const config = tinyConfig();
  const params = initEncoder(config, 4);
  const opt = createAdamW(params);
  const batches = [0, 1, 2, 3, 4, 5].map((s) => syntheticMlmBatch(s, config.vocabSize, [10, 7, 10], 10));
  const out: number[] = [];
  for (let s = 0; s < 3; s++) {
    const r = trainStep(params, opt, () => mlmLoss(params, batches[s], config, { training: true, seed: s }), {
      lr: 1e-2,
      maxGradNorm: 0.5,
    });
    out.push((await r.loss.data())[0], (await r.gradNorm.data())[0]);
    tf.dispose([r.loss, r.gradNorm]);
  }
  out.push(await evaluate(mlmTask(params, config), batches));
  disposeAdamW(opt);
  disposeParams(params);
  return out;
}

Deno.test("trainStep() and evaluate() agree on cpu, wasm, native and webgpu", async () => {
  await useBackend("cpu");
  const reference = await run();
  assert(reference[1] > 0.5, "the gradient norm must exceed maxGradNorm so clipping is exercised");
  const backends = ["wasm", "native"];
  if (
    requireTool(
      (await findAdapter()) !== undefined,
      "a WebGPU adapter",
      "apt-get install mesa-vulkan-drivers libvulkan1",
    )
  ) {
    backends.push("webgpu");
  }
  try {
    for (const name of backends) {
      await useBackend(name);
      const got = await run();
      got.forEach((x, i) =>
        assert(
          Math.abs(x - reference[i]) <= 1e-4 * Math.abs(reference[i]),
          `${name} value ${i}: ${x} vs cpu ${reference[i]}`,
        )
      );
    }
  } finally {
    await useBackend("cpu");
  }
});
