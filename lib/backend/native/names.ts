/**
 * What the ops that every backend runs (`fused_ops.ts`, `attention_op.ts`) need to know about `native`: its
 * name, its fused kernels' names, and whether it is the active backend. Importing this file loads nothing of
 * the backend itself (no tfjs-backend-cpu, arena or WebAssembly), so a session on `wasm` or `webgpu` never
 * does.
 *
 * @module
 */
import { tf } from "../tf.ts";

/** The tfjs backend name. */
export const NATIVE = "native";

/** Fused kernel names (registered on `native` only). */
export const GELU = "TrainlargeGelu", GELU_GRAD = "TrainlargeGeluGrad";
export const LAYER_NORM = "TrainlargeLayerNorm", LAYER_NORM_GRAD = "TrainlargeLayerNormGrad";
export const ADAMW = "TrainlargeAdamW";
export const LOG_SOFTMAX = "TrainlargeLogSoftmax", LOG_SOFTMAX_GRAD = "TrainlargeLogSoftmaxGrad";
export const SUM_SQUARES = "TrainlargeSumSquares";
export const DROPOUT = "TrainlargeDropout";
export const ATTENTION = "TrainlargeAttention", ATTENTION_GRAD = "TrainlargeAttentionGrad";

/**
 * Whether tensors are now on `native` (so the fused kernels exist): the one test the ops use.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { tf } from "../tf.ts";
 * import { onNative } from "./names.ts";
 * await tf.setBackend("cpu");
 * assert(!onNative());
 * ```
 */
export function onNative(): boolean {
  return tf.getBackend() === NATIVE;
}
