/**
 * The native backend's public pieces: the fused Transformer ops (GELU, LayerNorm, dropout, AdamW step) that run as
 * single kernels on `native` and as composite tfjs ops elsewhere, the kernel profiler, and the thread count.
 * Importing them loads nothing of the backend itself (see `names.ts`).
 *
 * `useBackend("native")` (in `../use_backend.ts`) starts the backend itself.
 *
 * @module
 */
export { adamwStep, affine, dropout, gelu, layerNorm, logSoftmax, sumSquares } from "./fused_ops.ts";
export { attentionCore, selfAttentionCore } from "./attention_op.ts";
export type { AttentionCoreDims } from "./attention_op.ts";
export type { AdamWStep } from "./fused_ops.ts";
export { kernelProfile, profileKernels } from "./profile.ts";
export type { KernelTime } from "./profile.ts";
export { setNativeThreads } from "./threads.ts";

// Types from lower layers that the signatures above mention (public here too, so the docs are whole).
export type { Scalar, Tensor, Tensor1D, Tensor2D } from "../tf.ts";
