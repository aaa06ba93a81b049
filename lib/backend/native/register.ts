/**
 * Registers the `native` tfjs backend: every tfjs-backend-cpu kernel, with the heavy ones replaced by
 * system-BLAS calls (Deno FFI), WebAssembly SIMD kernels and fused single-pass loops.
 *
 * @module
 */
import { tf } from "../tf.ts";
import "@tensorflow/tfjs-backend-cpu";
import type { Blas } from "./blas.ts";
import { asNativeKernel, NATIVE, NativeBackend } from "./native_backend.ts";
import { timed } from "./profile.ts";
import { NATIVE_KERNELS } from "./kernels.ts";

let registered = false;

/**
 * Registers backend `"native"` (idempotent): every `cpu` kernel, with the ones in `NATIVE_KERNELS`
 * overriding them; all are wrapped by the profiler's timer. Returns the names of the overridden kernels.
 */
export function registerNative(blas: Blas): string[] {
  const own = NATIVE_KERNELS.map((k) => k.kernelName);
  if (registered) return own;
  tf.registerBackend(NATIVE, () => new NativeBackend(blas), 0);
  const ownSet = new Set(own);
  const cpuOnly = tf.getKernelsForBackend("cpu").filter((k) => !ownSet.has(k.kernelName));
  for (const k of [...cpuOnly, ...NATIVE_KERNELS]) {
    tf.registerKernel({
      ...k,
      backendName: NATIVE,
      kernelFunc: asNativeKernel(timed(k.kernelName, k.kernelFunc)),
    });
  }
  registered = true;
  return own;
}
