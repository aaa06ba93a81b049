/**
 * The list of kernels the native backend implements itself; everything else is tfjs-backend-cpu's.
 *
 * @module
 */
import type { tf } from "../tf.ts";
import { MATMUL_KERNELS } from "./matmul.ts";
import { ELEMENTWISE_KERNELS } from "./elementwise.ts";
import { REDUCE_KERNELS } from "./reduce.ts";
import { LAYOUT_KERNELS } from "./transpose.ts";
import { FUSED_KERNELS } from "./fused_kernels.ts";
import { ATTENTION_KERNELS } from "./attention_kernels.ts";
import { SCATTER_KERNELS } from "./scatter.ts";
import { PAD_KERNELS } from "./pad.ts";
import { CONCAT_KERNELS } from "./concat.ts";

/** Kernels that override the cpu ones on `native`. */
export const NATIVE_KERNELS: tf.KernelConfig[] = [
  ...MATMUL_KERNELS,
  ...ELEMENTWISE_KERNELS,
  ...REDUCE_KERNELS,
  ...LAYOUT_KERNELS,
  ...FUSED_KERNELS,
  ...ATTENTION_KERNELS,
  ...SCATTER_KERNELS,
  ...PAD_KERNELS,
  ...CONCAT_KERNELS,
];
