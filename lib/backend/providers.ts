/**
 * The tfjs backends trainlarge knows how to start, in the order `useBackend("auto")` tries them.
 *
 * Each provider either starts its backend and describes it, or says what is missing and how to install it.
 * A new backend slots in by adding one entry to `PROVIDERS`; nothing outside `lib/backend/` changes.
 *
 * @module
 */
import { tf } from "./tf.ts";
import { delegateMissingKernels } from "./delegate_kernels.ts";
import { findAdapter, patchRequestDevice } from "./webgpu.ts";
import { nativeProvider } from "./native/provider.ts";

/** What a started backend is: it goes into every run's manifest. */
export interface BackendDescription {
  /** trainlarge's name for it (`"wasm"`, `"webgpu"`, …). */
  name: string;
  /** The tfjs backend name that `tf.getBackend()` reports. */
  tfjsBackend: string;
  /** The hardware it runs on, in words. */
  device: string;
  /** Threads its kernels use (1 for the single-threaded ones). */
  threads: number;
  /** Versions of what computes the numbers. */
  versions: Record<string, string>;
  /** Anything else worth knowing, e.g. which kernels were delegated to another backend. */
  notes: string[];
}

/** Why a backend could not start, and what the user can do about it. */
export interface Unavailable {
  /** What is missing, e.g. `"@tensorflow/tfjs-node is not installed"`. */
  missing: string;
  /** How to install it. */
  install: string;
  /** True where `auto` may still use it as a last resort (a software WebGPU adapter). */
  slowFallback?: boolean;
}

/** One startable backend. */
export interface Provider {
  /** The name users pass to `useBackend`. */
  name: string;
  /** One line saying what it is. */
  summary: string;
  /** Starts it (registering and `tf.setBackend`), or says why it cannot. */
  start(options: { allowSlowFallback: boolean }): Promise<BackendDescription | Unavailable>;
}

const TFJS_VERSION = tf.version_core;

function baseVersions(): Record<string, string> {
  return { tfjs: TFJS_VERSION, deno: Deno.version.deno, v8: Deno.version.v8 };
}

function cpuThreads(): number {
  return navigator.hardwareConcurrency ?? 1;
}

// Imported through a variable so that neither `deno check` nor the npm resolver looks for these optional
// packages: they exist only where a user installed them.
async function importOptional(name: string): Promise<unknown> {
  return await import(name);
}

const tensorflow: Provider = {
  name: "tensorflow",
  summary: "libtensorflow through @tensorflow/tfjs-node-gpu or @tensorflow/tfjs-node (optional install)",
  async start() {
    const tried: string[] = [];
    for (const pkg of ["@tensorflow/tfjs-node-gpu", "@tensorflow/tfjs-node"]) {
      try {
        await importOptional(pkg);
        await tf.setBackend("tensorflow");
        await tf.ready();
        return {
          name: "tensorflow",
          tfjsBackend: tf.getBackend(),
          device: pkg.endsWith("gpu") ? "CUDA GPU through libtensorflow" : "CPU through libtensorflow",
          threads: cpuThreads(),
          versions: { ...baseVersions(), binding: pkg },
          notes: [],
        };
      } catch (e) {
        tried.push(`${pkg}: ${(e as Error).message.split("\n")[0]}`);
      }
    }
    return {
      missing: `neither @tensorflow/tfjs-node-gpu nor @tensorflow/tfjs-node could be loaded (${
        tried.join("; ")
      })`,
      install: "run `deno add npm:@tensorflow/tfjs-node-gpu@4.22.0` then " +
        "`deno install --allow-scripts=npm:@tensorflow/tfjs-node-gpu` on a machine with CUDA 11.2 and cuDNN 8.1 " +
        "(or the same with @tensorflow/tfjs-node for libtensorflow on CPU); its install script downloads " +
        "libtensorflow, so it needs internet access once",
    };
  },
};

const webgpu: Provider = {
  name: "webgpu",
  summary: "tfjs-backend-webgpu on Deno's built-in WebGPU (Vulkan, Metal or D3D12)",
  async start({ allowSlowFallback }) {
    const adapter = await findAdapter();
    if (adapter === undefined) {
      return {
        missing: "no WebGPU adapter: Deno found no GPU driver",
        install:
          "install a Vulkan driver (on Debian: `apt-get install mesa-vulkan-drivers libvulkan1` for the " +
          "software adapter, or your GPU vendor's Vulkan driver)",
      };
    }
    if (adapter.fallback && !allowSlowFallback) {
      return {
        missing: `only a software WebGPU adapter is available (${adapter.description})`,
        install:
          "install your GPU vendor's Vulkan driver; ask for `webgpu` explicitly to use the software one",
        slowFallback: true,
      };
    }
    patchRequestDevice();
    await import("@tensorflow/tfjs-backend-webgpu");
    if (!(await tf.setBackend("webgpu"))) {
      return { missing: "tfjs-backend-webgpu failed to initialise on " + adapter.description, install: "" };
    }
    return {
      name: "webgpu",
      tfjsBackend: "webgpu",
      device: adapter.description + (adapter.fallback ? " (software adapter)" : ""),
      threads: 1,
      versions: baseVersions(),
      notes: ["read tensors with `await t.data()`: synchronous reads are unsupported under Deno"],
    };
  },
};

const wasm: Provider = {
  name: "wasm",
  summary: "tfjs-backend-wasm (XNNPACK, SIMD; single-threaded under Deno)",
  async start() {
    const mod = await import("@tensorflow/tfjs-backend-wasm");
    await import("@tensorflow/tfjs-backend-cpu");
    if (!(await tf.setBackend("wasm"))) {
      return { missing: "the wasm backend failed to initialise", install: "" };
    }
    const delegated = delegateMissingKernels("wasm", "cpu");
    return {
      name: "wasm",
      tfjsBackend: "wasm",
      device: "CPU (WebAssembly)",
      threads: mod.getThreadsCount(),
      versions: { ...baseVersions(), wasm: mod.version_wasm },
      notes: delegated.length > 0 ? [`kernels run on the cpu backend: ${delegated.join(", ")}`] : [],
    };
  },
};

const cpu: Provider = {
  name: "cpu",
  summary: "tfjs-backend-cpu (plain JavaScript; slow, always available, the reference)",
  async start() {
    await import("@tensorflow/tfjs-backend-cpu");
    await tf.setBackend("cpu");
    return {
      name: "cpu",
      tfjsBackend: "cpu",
      device: "CPU (JavaScript)",
      threads: 1,
      versions: baseVersions(),
      notes: [],
    };
  },
};

/**
 * Every backend in `auto`'s order of preference: fastest first. `native` comes before `webgpu` because on
 * Deno WebGPU cannot read tensors synchronously and the model's CPU-side steps then wait on the device; a
 * machine with libtensorflow is better served by `tensorflow`, which runs every kernel natively.
 */
export const PROVIDERS: readonly Provider[] = [tensorflow, nativeProvider, webgpu, wasm, cpu];
