/**
 * Registers the `native` tfjs backend: every tfjs-backend-cpu kernel, with the heavy ones replaced by
 * system-BLAS calls (Deno FFI), WebAssembly SIMD kernels and fused single-pass loops.
 *
 * @module
 */
import { tf } from "../tf.ts";
import "@tensorflow/tfjs-backend-cpu";
import { asNativeKernel, type BlasChoice, NATIVE, NativeBackend } from "./native_backend.ts";
import { timed } from "./profile.ts";
import { NATIVE_KERNELS } from "./kernels.ts";

// The BLAS `native` was registered with (its path, or "wasm"): tfjs registers a backend once per process.
let registeredWith: string | undefined;

/**
 * Registers backend `"native"` with `blas` (a loaded system BLAS, or `"wasm"` for the built-in GEMM): every
 * `cpu` kernel, with the ones in `NATIVE_KERNELS` overriding them; all are wrapped by the profiler's timer.
 * Returns the names of the overridden kernels. Registering again with the same BLAS does nothing; with a
 * different one it is an error (the backend, its arena and its kernels exist once per process).
 */
export function registerNative(blas: BlasChoice): string[] {
  const own = NATIVE_KERNELS.map((k) => k.kernelName);
  const name = blas === "wasm" ? "wasm" : blas.path;
  if (registeredWith === name) return own;
  if (registeredWith !== undefined) {
    throw new Error(
      `native backend: already registered with ${
        registeredWith === "wasm" ? "the built-in WebAssembly GEMM" : registeredWith
      }; ` +
        `it cannot switch to ${
          name === "wasm" ? "the built-in WebAssembly GEMM" : name
        } in the same process ` +
        "(set TRAINLARGE_BLAS before the first useBackend call)",
    );
  }
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
  registeredWith = name;
  return own;
}
