/**
 * Fills the kernel gaps of one tfjs backend with another backend's implementations.
 *
 * tfjs-backend-wasm 4.22 lacks some kernels that training needs, most importantly `UnsortedSegmentSum`,
 * which is the gradient of `gather` (every embedding lookup). Rather than hand-writing each missing kernel,
 * each one is registered on the target backend as a thin wrapper: copy the inputs to the donor backend, run
 * the donor's kernel, copy the outputs back. The copies cost O(size) and run only for the rare missing
 * kernels, so the hot path stays on the target backend. Only backends whose data can be read synchronously
 * (wasm, cpu, native) can be filled this way.
 *
 * @module
 */
import { tf } from "./tf.ts";

/** A tfjs backend whose tensor data can be read and written synchronously (cpu, wasm). */
export interface SyncBackend {
  readSync(dataId: object): tf.backend_util.BackendValues;
  write(values: tf.backend_util.BackendValues, shape: number[], dtype: tf.DataType): object;
  disposeData(dataId: object, force?: boolean): boolean;
}

const delegated = new Map<string, string[]>();

/**
 * Registers, on backend `target`, every kernel that `donor` has and `target` lacks; returns the names of all
 * kernels delegated from `target` so far. Calling it twice is harmless (registered kernels are skipped).
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { tf } from "./tf.ts";
 * import "@tensorflow/tfjs-backend-wasm";
 * import { delegateMissingKernels } from "./delegate_kernels.ts";
 * const added = delegateMissingKernels("wasm", "cpu");
 * assert(tf.getKernel("UnsortedSegmentSum", "wasm") !== undefined);
 * assert(Array.isArray(added));
 * ```
 */
export function delegateMissingKernels(target: string, donor: string): string[] {
  const have = new Set(tf.getKernelsForBackend(target).map((k) => k.kernelName));
  const added = delegated.get(target) ?? [];
  delegated.set(target, added);
  for (const kernel of tf.getKernelsForBackend(donor)) {
    if (have.has(kernel.kernelName)) continue;
    tf.registerKernel({
      kernelName: kernel.kernelName,
      backendName: target,
      kernelFunc: (args) => runOnDonor(kernel, args, donor),
    });
    added.push(kernel.kernelName);
  }
  return added;
}

function runOnDonor(
  kernel: tf.KernelConfig,
  { inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap },
  donorName: string,
): tf.TensorInfo | tf.TensorInfo[] {
  const here = backend as SyncBackend;
  const donor = tf.findBackend(donorName) as unknown as SyncBackend | null;
  if (donor === null) throw new Error(`delegateMissingKernels: backend "${donorName}" is not registered`);
  const moved: tf.NamedTensorInfoMap = {};
  for (const [name, info] of Object.entries(inputs)) {
    if (info === undefined) continue;
    moved[name] = copyTo(donor, info, here.readSync(info.dataId));
  }
  try {
    const out = kernel.kernelFunc({ inputs: moved, backend: donor as never, attrs });
    const outs = Array.isArray(out) ? out : [out];
    const back = outs.map((o) => {
      const copy = copyTo(here, o, donor.readSync(o.dataId));
      donor.disposeData(o.dataId, true);
      return copy;
    });
    return Array.isArray(out) ? back : back[0];
  } finally {
    for (const info of Object.values(moved)) if (info) donor.disposeData(info.dataId, true);
  }
}

function copyTo(
  backend: SyncBackend,
  info: tf.TensorInfo,
  values: tf.backend_util.BackendValues,
): tf.TensorInfo {
  return { dataId: backend.write(values, info.shape, info.dtype), shape: info.shape, dtype: info.dtype };
}
