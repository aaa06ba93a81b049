/**
 * Backends: which tfjs backend computes, and the `tf` namespace every other layer imports.
 *
 * @module
 */
export { tf } from "./tf.ts";
export type { Scalar, Tensor, Tensor1D, Tensor2D, Tensor4D, Variable } from "./tf.ts";
export { backendNames, useBackend } from "./use_backend.ts";
export type { BackendDescription, BackendName } from "./use_backend.ts";
export { delegateMissingKernels } from "./delegate_kernels.ts";
export type { Provider, Unavailable } from "./providers.ts";
