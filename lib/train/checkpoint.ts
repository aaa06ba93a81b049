/**
 * Checkpoints: a directory holding `model.safetensors` (parameters, HF names, PyTorch layout),
 * `optimizer.safetensors` (AdamW moments `exp_avg.<name>` / `exp_avg_sq.<name>` and the step count),
 * `config.json` (the model config) and `trainer_state.json` (step, seconds, RNG, data position, …).
 *
 * Files are written to a temporary name and renamed, so a crash mid-save leaves the previous checkpoint.
 *
 * @module
 */
import { tf } from "../backend/tf.ts";
import type { Tensor, Variable } from "../backend/tf.ts";
import type { Params } from "../model/params.ts";
import type { AdamW } from "./adamw.ts";
import type { TrainerState } from "./loop.ts";
import { decodeSafetensors, encodeSafetensors, type SafeTensor } from "./safetensors.ts";

/** What a checkpoint holds; only `params` is required. */
export interface CheckpointContents {
  /** Model parameters, written to model.safetensors. */
  params: Params;
  /** Optimizer moments and step, written to optimizer.safetensors. */
  optimizer?: AdamW;
  /** Trainer position (step, seconds, data, RNG), written to trainer_state.json. */
  trainer?: TrainerState;
  /** Model config (any JSON), written to config.json. */
  config?: unknown;
}

async function toSafe(tensors: Record<string, Tensor>): Promise<Record<string, SafeTensor>> {
  const out: Record<string, SafeTensor> = {};
  for (const [name, t] of Object.entries(tensors)) {
    if (t.dtype !== "float32") {
      throw new Error(`checkpoint: tensor "${name}" is ${t.dtype}; only float32 is saved`);
    }
    out[name] = { dtype: "F32", shape: t.shape.slice(), data: (await t.data()) as Float32Array };
  }
  return out;
}

async function writeAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const tmp = `${path}.tmp`;
  if (typeof data === "string") await Deno.writeTextFile(tmp, data);
  else await Deno.writeFile(tmp, data);
  await Deno.rename(tmp, path);
}

/**
 * Writes `params` as one safetensors file (metadata `format: "pt"`, as HF writes it).
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { tf } from "../backend/tf.ts";
 * import { loadParams, saveParams } from "./checkpoint.ts";
 * const path = await Deno.makeTempFile({ suffix: ".safetensors" });
 * const a = { w: tf.variable(tf.tensor1d([1, 2])) }, b = { w: tf.variable(tf.zeros([2])) };
 * await saveParams(path, a);
 * await loadParams(path, b);
 * assert((await b.w.data()).join() === "1,2");
 * tf.dispose([a.w, b.w]);
 * ```
 */
export async function saveParams(path: string, params: Params): Promise<void> {
  await writeAtomic(path, encodeSafetensors(await toSafe(params), { format: "pt" }));
}

/**
 * Loads a safetensors file into existing variables, checking that every name is present with the same
 * shape and that the file holds nothing else; errors name the tensor. `prefix` is prepended to each
 * variable name when looking it up in the file.
 *
 * @example
 * ```ts
 * import { assertRejects } from "@std/assert";
 * import { tf } from "../backend/tf.ts";
 * import { loadParams, saveParams } from "./checkpoint.ts";
 * const path = await Deno.makeTempFile({ suffix: ".safetensors" });
 * const small = { w: tf.variable(tf.zeros([2])) }, big = { w: tf.variable(tf.zeros([3])) };
 * await saveParams(path, small);
 * await assertRejects(() => loadParams(path, big), Error, `tensor "w" has shape [2] but the model expects [3]`);
 * tf.dispose([small.w, big.w]);
 * ```
 */
export async function loadParams(
  path: string,
  params: Record<string, Variable>,
  prefix = "",
): Promise<void> {
  const { tensors } = decodeSafetensors(await Deno.readFile(path), path);
  assignAll(tensors, params, prefix, path);
}

function assignAll(
  tensors: Record<string, SafeTensor>,
  vars: Record<string, Variable>,
  prefix: string,
  source: string,
): void {
  const expected = new Set(Object.keys(vars).map((n) => prefix + n));
  const missing = [...expected].filter((n) => !(n in tensors));
  if (missing.length) {
    throw new Error(
      `${source}: missing tensors ${missing.slice(0, 5).join(", ")}${
        missing.length > 5 ? ", …" : ""
      } (${missing.length} in all); was it saved from a model with the same config?`,
    );
  }
  const extra = Object.keys(tensors).filter((n) => n.startsWith(prefix) && !expected.has(n));
  if (extra.length) {
    throw new Error(
      `${source}: unexpected tensors ${
        extra.slice(0, 5).join(", ")
      } (${extra.length} in all); the model config differs from the one saved`,
    );
  }
  for (const [name, v] of Object.entries(vars)) {
    const t = tensors[prefix + name];
    if (t.dtype !== "F32") {
      throw new Error(`${source}: tensor "${prefix + name}" is ${t.dtype}, expected F32`);
    }
    if (t.shape.join() !== v.shape.join()) {
      throw new Error(
        `${source}: tensor "${prefix + name}" has shape [${t.shape}] but the model expects [${v.shape}]`,
      );
    }
  }
  for (const [name, v] of Object.entries(vars)) {
    const t = tensors[prefix + name];
    tf.tidy(() => v.assign(tf.tensor(t.data as Float32Array, v.shape, "float32")));
  }
}

/**
 * Saves a checkpoint directory (created if missing; files replaced).
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { tf } from "../backend/tf.ts";
 * import { createAdamW, disposeAdamW } from "./adamw.ts";
 * import { loadCheckpoint, saveCheckpoint } from "./checkpoint.ts";
 * const dir = await Deno.makeTempDir();
 * const params = { w: tf.variable(tf.tensor1d([1, 2])) };
 * const optimizer = createAdamW(params);
 * optimizer.step = 7;
 * await saveCheckpoint(dir, { params, optimizer, config: { width: 2 } });
 * optimizer.step = 0;
 * const loaded = await loadCheckpoint(dir, { params, optimizer });
 * assert(optimizer.step === 7 && (loaded.config as { width: number }).width === 2);
 * disposeAdamW(optimizer);
 * params.w.dispose();
 * ```
 */
export async function saveCheckpoint(dir: string, contents: CheckpointContents): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  await saveParams(`${dir}/model.safetensors`, contents.params);
  if (contents.optimizer) {
    const o = contents.optimizer;
    const moments: Record<string, Tensor> = {};
    for (const name of Object.keys(o.m)) {
      moments[`exp_avg.${name}`] = o.m[name];
      moments[`exp_avg_sq.${name}`] = o.v[name];
    }
    const bytes = encodeSafetensors(await toSafe(moments), { step: String(o.step) });
    await writeAtomic(`${dir}/optimizer.safetensors`, bytes);
  }
  await writeAtomic(`${dir}/config.json`, JSON.stringify(contents.config ?? null, null, 2) + "\n");
  if (contents.trainer) {
    await writeAtomic(`${dir}/trainer_state.json`, JSON.stringify(contents.trainer, null, 2) + "\n");
  }
}

/**
 * Loads a checkpoint into existing `params` (and `optimizer`, if given), returning the stored config and
 * trainer state (null when absent). Shapes and names must match exactly; errors name the tensor or the
 * byte range that is wrong.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { tf } from "../backend/tf.ts";
 * import { loadCheckpoint, saveCheckpoint } from "./checkpoint.ts";
 * const dir = await Deno.makeTempDir();
 * const a = { w: tf.variable(tf.tensor1d([4, 5])) }, b = { w: tf.variable(tf.zeros([2])) };
 * await saveCheckpoint(dir, { params: a, config: { name: "tiny" } });
 * const { config, trainer } = await loadCheckpoint(dir, { params: b });
 * assert((await b.w.data()).join() === "4,5" && trainer === null && (config as { name: string }).name === "tiny");
 * tf.dispose([a.w, b.w]);
 * ```
 */
export async function loadCheckpoint(
  dir: string,
  into: { params: Params; optimizer?: AdamW },
): Promise<{ config: unknown; trainer: TrainerState | null }> {
  await loadParams(`${dir}/model.safetensors`, into.params);
  if (into.optimizer) {
    const path = `${dir}/optimizer.safetensors`;
    const { tensors, metadata } = decodeSafetensors(await Deno.readFile(path), path);
    const step = Number(metadata.step);
    if (!Number.isInteger(step) || step < 0) {
      throw new Error(`${path}: metadata "step" is ${JSON.stringify(metadata.step)}, expected an integer`);
    }
    assignAll(tensors, into.optimizer.m, "exp_avg.", path);
    assignAll(tensors, into.optimizer.v, "exp_avg_sq.", path);
    into.optimizer.step = step;
  }
  const readJson = async (name: string) => {
    try {
      return JSON.parse(await Deno.readTextFile(`${dir}/${name}`));
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return null;
      throw new Error(`${dir}/${name}: ${(e as Error).message}`);
    }
  };
  return { config: await readJson("config.json"), trainer: await readJson("trainer_state.json") };
}
