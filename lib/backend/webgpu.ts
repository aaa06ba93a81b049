/**
 * The WebGPU backend under Deno: adapter discovery and the feature-request workaround.
 *
 * tfjs-backend-webgpu 4.22 asks for the `bgra8unorm-storage` feature as `[["bgra8unorm-storage"]]` (an
 * array inside the feature list). Browsers coerce that to a string; Deno's WebIDL layer rejects it, so
 * `requestDevice` throws on every adapter that has the feature (real GPUs do; Mesa's software adapter does
 * not). `patchRequestDevice` flattens the list before Deno sees it.
 *
 * @module
 */

/** What a WebGPU adapter says about itself; `fallback` is true for software adapters (Mesa llvmpipe). */
export interface AdapterInfo {
  /** Vendor, architecture and device names as the adapter reports them, joined. */
  description: string;
  /** True for a software ("fallback") adapter: correct but slow. */
  fallback: boolean;
}

/**
 * Finds a WebGPU adapter, or returns `undefined` when Deno has no `navigator.gpu` or no adapter.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { findAdapter } from "./webgpu.ts";
 * const info = await findAdapter();
 * assert(info === undefined || typeof info.fallback === "boolean");
 * ```
 */
export async function findAdapter(): Promise<AdapterInfo | undefined> {
  const gpu = (globalThis.navigator as Navigator & { gpu?: GPU }).gpu;
  if (gpu === undefined) return undefined;
  const adapter = await gpu.requestAdapter().catch(() => null);
  if (adapter === null) return undefined;
  const info = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
  const parts = [info.vendor, info.architecture, info.device, info.description].filter((s) => s);
  const software = /llvmpipe|lavapipe|swiftshader|software/i.test(parts.join(" "));
  return {
    description: parts.join(" / ") || "unnamed adapter",
    fallback: info.isFallbackAdapter === true || software,
  };
}

let patched = false;

/**
 * Makes `GPUAdapter.prototype.requestDevice` accept tfjs-webgpu's nested feature list. Idempotent.
 *
 * @example
 * ```ts
 * import { patchRequestDevice } from "./webgpu.ts";
 * patchRequestDevice();
 * patchRequestDevice(); // a second call changes nothing
 * ```
 */
export function patchRequestDevice(): void {
  if (patched || typeof GPUAdapter === "undefined") return;
  patched = true;
  const original = GPUAdapter.prototype.requestDevice;
  GPUAdapter.prototype.requestDevice = function (descriptor?: GPUDeviceDescriptor) {
    const features = descriptor?.requiredFeatures;
    if (features === undefined) return original.call(this, descriptor);
    const flat = [...features].flat() as GPUFeatureName[];
    return original.call(this, { ...descriptor, requiredFeatures: flat });
  };
}
