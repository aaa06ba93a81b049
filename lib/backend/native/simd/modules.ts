/**
 * The compiled WebAssembly modules of the native backend — the SIMD kernels (`wat.ts`) and the two GEMM
 * builds (`gemm_wat.ts`) — compiled once per process and shared: the calling thread instantiates them on
 * the arena, and the thread pool hands the same `WebAssembly.Module` objects to its workers. A module shared
 * that way is one compiled artefact for every thread, so the optimised code V8 tiers each kernel up to
 * (after its first calls run in the baseline compiler) serves the workers as soon as any thread has earned
 * it, instead of each worker warming up its own copy.
 *
 * @module
 */
import { decodeBase64 } from "@std/encoding/base64";
import { MODULE_BASE64 } from "./module_bytes.ts";
import { GEMM_PLAIN_BASE64, GEMM_RELAXED_BASE64 } from "./gemm_bytes.ts";

const cache = new Map<string, WebAssembly.Module>();

function compiled(name: string, base64: string): WebAssembly.Module {
  let module = cache.get(name);
  if (!module) {
    module = new WebAssembly.Module(decodeBase64(base64));
    cache.set(name, module);
  }
  return module;
}

/**
 * The SIMD kernels' module. Throws where this runtime cannot compile it (no WebAssembly SIMD).
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { kernelsModule } from "./modules.ts";
 * assert(kernelsModule() === kernelsModule()); // compiled once
 * ```
 */
export function kernelsModule(): WebAssembly.Module {
  return compiled("kernels", MODULE_BASE64);
}

/**
 * The GEMM's module: the relaxed-SIMD (fused multiply-add) build or the plain-SIMD one. Throws where this
 * runtime cannot compile it.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { gemmModule } from "./modules.ts";
 * assert(WebAssembly.Module.exports(gemmModule(false)).some((e) => e.name === "sgemm"));
 * ```
 */
export function gemmModule(relaxed: boolean): WebAssembly.Module {
  return relaxed ? compiled("gemm-relaxed", GEMM_RELAXED_BASE64) : compiled("gemm-plain", GEMM_PLAIN_BASE64);
}
