/**
 * The list of kernels the native backend implements itself; everything else is tfjs-backend-cpu's.
 *
 * @module
 */
import type { tf } from "../tf.ts";
import { MATMUL_KERNELS } from "./matmul.ts";

/** Kernels that override the cpu ones on `native`. */
export const NATIVE_KERNELS: tf.KernelConfig[] = [...MATMUL_KERNELS];
