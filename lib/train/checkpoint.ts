/**
 * Checkpoints: one directory per save under a checkpoint root (see `checkpoint_store.ts`: all-or-nothing,
 * verified by a manifest), holding `model.safetensors` (parameters, HF names, PyTorch layout),
 * `optimizer.safetensors` (AdamW moments `exp_avg.<name>` / `exp_avg_sq.<name>` and the step count),
 * `config.json` (the model config) and `trainer_state.json` (step, seconds, RNG, data position, …).
 *
 * Non-finite parameters or optimizer state are never written and never loaded (a `NonFiniteError` names
 * the tensor); `allowNonFinite: true` lifts that, for forensics on a diverged run.
 *
 * @module
 */
import { tf } from "../backend/tf.ts";
import type { Tensor, Variable } from "../backend/tf.ts";
import type { Params } from "../model/params.ts";
import type { AdamW } from "./adamw.ts";
import type { TrainerState } from "./loop.ts";
import { checkKeys, checkNumber } from "../util/options.ts";
import { writeFileAtomic } from "../util/atomic_file.ts";
import {
  CheckpointError,
  isCheckpointDir,
  readCheckpointFiles,
  readLatestCheckpoint,
  writeCheckpointFiles,
} from "./checkpoint_store.ts";
import { decodeSafetensors, encodeSafetensors, type SafeTensor } from "./safetensors.ts";

/** A tensor holding NaN or ±Infinity where a finite one was required (saving or loading). */
export class NonFiniteError extends Error {
  /** The tensor's name, e.g. `"roberta.embeddings.word_embeddings.weight"` or `"exp_avg.<name>"`. */
  readonly tensor: string;
  /**
   * Builds the error; the message starts with `where`.
   *
   * @param where the file or checkpoint
   * @param tensor the tensor's name
   * @param message what was found and what to do
   */
  constructor(where: string, tensor: string, message: string) {
    super(`${where}: ${message}`);
    this.name = "NonFiniteError";
    this.tensor = tensor;
  }
}

function checkFinite(data: Float32Array, name: string, where: string, verb: string): void {
  let bad = 0, first = -1;
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      if (first < 0) first = i;
      bad++;
    }
  }
  if (bad) {
    throw new NonFiniteError(
      where,
      name,
      `tensor "${name}" holds ${bad} non-finite value(s) (first at index ${first}: ${data[first]}); ` +
        `refusing to ${verb} it (the run diverged; pass { allowNonFinite: true } to ${verb} it anyway, for forensics)`,
    );
  }
}

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

async function toSafe(
  tensors: Record<string, Tensor>,
  where: string,
  allowNonFinite: boolean,
): Promise<Record<string, SafeTensor>> {
  const out: Record<string, SafeTensor> = {};
  for (const [name, t] of Object.entries(tensors)) {
    if (t.dtype !== "float32") {
      throw new Error(`checkpoint: tensor "${name}" is ${t.dtype}; only float32 is saved`);
    }
    const data = (await t.data()) as Float32Array;
    if (!allowNonFinite) checkFinite(data, name, where, "save");
    out[name] = { dtype: "F32", shape: t.shape.slice(), data };
  }
  return out;
}

/** Options of `saveParams` and `loadParams`. */
export interface ParamsFileOptions {
  /** Accept NaN/±Infinity values (for forensics on a diverged run). Default false. */
  allowNonFinite?: boolean;
  /** `loadParams`: prepended to each variable name when looking it up in the file. Default "". */
  prefix?: string;
}

/**
 * Writes `params` as one safetensors file (metadata `format: "pt"`, as HF writes it), all-or-nothing.
 * Non-finite values are refused (`NonFiniteError`) unless `allowNonFinite`.
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
export async function saveParams(
  path: string,
  params: Params,
  options: ParamsFileOptions = {},
): Promise<void> {
  checkKeys("saveParams", options, ["allowNonFinite"]);
  const safe = await toSafe(params, path, options.allowNonFinite ?? false);
  await writeFileAtomic(path, encodeSafetensors(safe, { format: "pt" }));
}

/**
 * Loads a safetensors file into existing variables, checking that every name is present with the same
 * shape and that the file holds nothing else; errors name the tensor. Non-finite values are refused
 * (`NonFiniteError`) unless `allowNonFinite`.
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
  options: ParamsFileOptions = {},
): Promise<void> {
  checkKeys("loadParams", options, ["allowNonFinite", "prefix"]);
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (e) {
    throw new Error(`loadParams: cannot read ${path} (${(e as Error).message}); check the path`);
  }
  const { tensors } = decodeSafetensors(bytes, path);
  assignAll(tensors, params, options.prefix ?? "", path, options.allowNonFinite ?? false)();
}

function assignAll(
  tensors: Record<string, SafeTensor>,
  vars: Record<string, Variable>,
  prefix: string,
  source: string,
  allowNonFinite: boolean,
): () => void {
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
    if (!allowNonFinite) checkFinite(t.data as Float32Array, prefix + name, source, "load");
  }
  // Everything is checked before anything is assigned: a refused file leaves the variables untouched.
  return () => {
    for (const [name, v] of Object.entries(vars)) {
      const t = tensors[prefix + name];
      tf.tidy(() => v.assign(tf.tensor(t.data as Float32Array, v.shape, "float32")));
    }
  };
}

/** Options of `saveCheckpoint`. */
export interface SaveCheckpointOptions {
  /** Checkpoints kept under the root (the newest); older ones are removed after a save. Default 2. */
  keepLast?: number;
  /** Write non-finite parameters or optimizer state anyway (for forensics). Default false. */
  allowNonFinite?: boolean;
}

/**
 * Saves a checkpoint as a new step directory under the checkpoint root `root` (created if missing),
 * all-or-nothing (see `checkpoint_store.ts`), and returns its path. Refuses non-finite parameters or
 * optimizer state with a `NonFiniteError` naming the tensor, before anything is written. The step is the
 * trainer's, else the optimizer's, else 0.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { tf } from "../backend/tf.ts";
 * import { createAdamW, disposeAdamW } from "./adamw.ts";
 * import { loadCheckpoint, saveCheckpoint } from "./checkpoint.ts";
 * const root = await Deno.makeTempDir();
 * const params = { w: tf.variable(tf.tensor1d([1, 2])) };
 * const optimizer = createAdamW(params);
 * optimizer.step = 7;
 * const dir = await saveCheckpoint(root, { params, optimizer, config: { width: 2 } });
 * optimizer.step = 0;
 * const loaded = await loadCheckpoint(root, { params, optimizer });
 * assert(dir.endsWith("step-00000007") && optimizer.step === 7);
 * assert((loaded.config as { width: number }).width === 2 && loaded.dir === dir);
 * disposeAdamW(optimizer);
 * params.w.dispose();
 * ```
 */
export async function saveCheckpoint(
  root: string,
  contents: CheckpointContents,
  options: SaveCheckpointOptions = {},
): Promise<string> {
  checkKeys("saveCheckpoint", options, ["keepLast", "allowNonFinite"]);
  checkNumber("saveCheckpoint", "keepLast", options.keepLast, { min: 1, integer: true });
  checkKeys("saveCheckpoint", contents, ["params", "optimizer", "trainer", "config"], "contents.");
  const allow = options.allowNonFinite ?? false;
  const files: Record<string, Uint8Array> = {};
  files["model.safetensors"] = encodeSafetensors(await toSafe(contents.params, root, allow), {
    format: "pt",
  });
  if (contents.optimizer) {
    const o = contents.optimizer;
    const moments: Record<string, Tensor> = {};
    for (const name of Object.keys(o.m)) {
      moments[`exp_avg.${name}`] = o.m[name];
      moments[`exp_avg_sq.${name}`] = o.v[name];
    }
    files["optimizer.safetensors"] = encodeSafetensors(await toSafe(moments, root, allow), {
      step: String(o.step),
    });
  }
  const text = (v: unknown) => new TextEncoder().encode(JSON.stringify(v, null, 2) + "\n");
  files["config.json"] = text(contents.config ?? null);
  if (contents.trainer) files["trainer_state.json"] = text(contents.trainer);
  const step = contents.trainer?.step ?? contents.optimizer?.step ?? 0;
  return await writeCheckpointFiles(root, step, files, { keepLast: options.keepLast });
}

/** Options of `loadCheckpoint`. */
export interface LoadCheckpointOptions {
  /** Load non-finite parameters or optimizer state anyway (for forensics). Default false. */
  allowNonFinite?: boolean;
}

/**
 * Loads a checkpoint into existing `params` (and `optimizer`, if given), returning the stored config, the
 * trainer state (null when absent) and the directory read. `path` is one checkpoint directory or a
 * checkpoint root, whose newest complete checkpoint is loaded. Every file is verified against the manifest
 * first (`CheckpointError`); shapes and names must match exactly; non-finite tensors are refused
 * (`NonFiniteError`). Errors name the directory, file and tensor.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { tf } from "../backend/tf.ts";
 * import { loadCheckpoint, saveCheckpoint } from "./checkpoint.ts";
 * const root = await Deno.makeTempDir();
 * const a = { w: tf.variable(tf.tensor1d([4, 5])) }, b = { w: tf.variable(tf.zeros([2])) };
 * await saveCheckpoint(root, { params: a, config: { name: "tiny" } });
 * const { config, trainer } = await loadCheckpoint(root, { params: b });
 * assert((await b.w.data()).join() === "4,5" && trainer === null && (config as { name: string }).name === "tiny");
 * tf.dispose([a.w, b.w]);
 * ```
 */
export async function loadCheckpoint(
  path: string,
  into: { params: Params; optimizer?: AdamW },
  options: LoadCheckpointOptions = {},
): Promise<{ config: unknown; trainer: TrainerState | null; dir: string }> {
  checkKeys("loadCheckpoint", options, ["allowNonFinite"]);
  checkKeys("loadCheckpoint", into, ["params", "optimizer"], "into.");
  const allow = options.allowNonFinite ?? false;
  let dir = path, files: Record<string, Uint8Array>;
  if (await isCheckpointDir(path)) files = await readCheckpointFiles(path);
  else {
    const info = await Deno.stat(path).catch(() => null);
    if (!info) throw new CheckpointError(path, "does not exist; check the checkpoint path");
    if (!info.isDirectory) throw new CheckpointError(path, "is a file; give a checkpoint directory or root");
    const latest = await readLatestCheckpoint(path);
    if (!latest) {
      throw new CheckpointError(
        path,
        "holds no complete checkpoint (no step-* directory with a valid manifest)",
      );
    }
    ({ dir, files } = latest);
  }
  const need = (name: string) => {
    if (!files[name]) throw new CheckpointError(dir, `has no ${name}`);
    return files[name];
  };
  const model = `${dir}/model.safetensors`;
  const commits = [
    assignAll(decodeSafetensors(need("model.safetensors"), model).tensors, into.params, "", model, allow),
  ];
  let optimizerStep = 0;
  if (into.optimizer) {
    const file = `${dir}/optimizer.safetensors`;
    const { tensors, metadata } = decodeSafetensors(need("optimizer.safetensors"), file);
    const step = Number(metadata.step);
    if (!Number.isInteger(step) || step < 0) {
      throw new Error(`${file}: metadata "step" is ${JSON.stringify(metadata.step)}, expected an integer`);
    }
    commits.push(assignAll(tensors, into.optimizer.m, "exp_avg.", file, allow));
    commits.push(assignAll(tensors, into.optimizer.v, "exp_avg_sq.", file, allow));
    optimizerStep = step;
  }
  const readJson = (name: string) => {
    if (!files[name]) return null;
    try {
      return JSON.parse(new TextDecoder().decode(files[name]));
    } catch (e) {
      throw new CheckpointError(`${dir}/${name}`, (e as Error).message);
    }
  };
  const config = readJson("config.json"), trainer = readJson("trainer_state.json");
  commits.forEach((commit) => commit());
  if (into.optimizer) into.optimizer.step = optimizerStep;
  return { config, trainer, dir };
}
