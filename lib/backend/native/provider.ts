/**
 * The `native` provider for `useBackend`: tfjs-backend-cpu with matmuls on the system BLAS (Deno FFI), or,
 * where none loads (or `TRAINLARGE_BLAS=none`), on the backend's own multi-threaded WebAssembly SIMD GEMM;
 * fused SIMD kernels for the rest of a Transformer training step.
 *
 * @module
 */
import { tf } from "../tf.ts";
import type { BackendDescription, Provider, Unavailable } from "../providers.ts";
import { type Blas, BlasNotFound, loadBlas } from "./blas.ts";
import { type BlasChoice, NATIVE, type NativeBackend } from "./native_backend.ts";
import { registerNative } from "./register.ts";
import { simdUnavailable } from "./simd/simd.ts";

function install(): string {
  return Deno.build.os === "darwin"
    ? "macOS ships Accelerate (/System/Library/Frameworks/Accelerate.framework); if it cannot be loaded, " +
      "`brew install openblas`, or point TRAINLARGE_BLAS at a CBLAS library; run with --allow-ffi"
    : "on Debian/Ubuntu `apt-get install libopenblas0` (or `libopenblas0-pthread`), on Fedora " +
      "`dnf install openblas`, or point TRAINLARGE_BLAS at any CBLAS library (MKL's libmkl_rt.so works); " +
      "run with --allow-ffi";
}

function envThreads(): number | undefined {
  let raw: string | undefined;
  try {
    raw = Deno.env.get("TRAINLARGE_THREADS") || undefined;
  } catch {
    return undefined;
  }
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!(Number.isInteger(n) && n >= 1)) {
    throw new Error(`TRAINLARGE_THREADS must be a positive integer, got "${raw}"`);
  }
  return n;
}

/** Loads BLAS, or says what is missing and how to install it (exported for tests). */
export function tryLoadBlas(candidates?: string[]): Blas | Unavailable {
  try {
    return loadBlas(candidates);
  } catch (e) {
    if (e instanceof BlasNotFound) return { missing: e.message, install: install() };
    if (e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied) {
      return {
        missing: `loading a BLAS library needs FFI permission (${(e as Error).message})`,
        install: "run deno with --allow-ffi (or -A)",
      };
    }
    throw e;
  }
}

/** Whether `TRAINLARGE_BLAS=none` asks for the built-in GEMM instead of a system BLAS. */
export function blasDisabled(): boolean {
  try {
    return Deno.env.get("TRAINLARGE_BLAS")?.toLowerCase() === "none";
  } catch {
    return false;
  }
}

/**
 * Starts `native`: a system BLAS if one loads (else the built-in WebAssembly GEMM, noted in the description),
 * registers the backend once, sets its threads from TRAINLARGE_THREADS.
 */
export const nativeProvider: Provider = {
  name: "native",
  summary: "tfjs-backend-cpu with matmuls on the system BLAS through Deno FFI (OpenBLAS, MKL, Accelerate), " +
    "or on its own multi-threaded WebAssembly SIMD GEMM where none loads; fused SIMD kernels",
  async start(): Promise<BackendDescription | Unavailable> {
    // The fused kernels are WebAssembly SIMD only (there are no JavaScript twins): without it, do not start.
    const noSimd = simdUnavailable();
    if (noSimd !== undefined) {
      return {
        missing: `${noSimd}; the native fused kernels are WebAssembly SIMD`,
        install: "run on Deno 2 (WebAssembly SIMD and threads are on by default), or pick another backend",
      };
    }
    const loaded = blasDisabled() ? { missing: "TRAINLARGE_BLAS=none", install: "" } : tryLoadBlas();
    const choice: BlasChoice = "missing" in loaded ? "wasm" : loaded;
    const own = registerNative(choice);
    const threads = envThreads();
    let started: boolean;
    try {
      started = await tf.setBackend(NATIVE);
    } catch (e) {
      started = false;
      if (!("missing" in loaded)) throw e;
    }
    if (!started) {
      return "missing" in loaded
        ? {
          missing: `${loaded.missing}, and the built-in WebAssembly GEMM needs WebAssembly SIMD`,
          install: loaded.install,
        }
        : { missing: "the native backend failed to initialise", install: "" };
    }
    const backend = tf.backend() as NativeBackend, blas: Blas = backend.blas;
    if (threads !== undefined) {
      blas.setThreads(threads);
      backend.threads.threads = threads;
    }
    const builtin = "missing" in loaded;
    return {
      name: "native",
      tfjsBackend: NATIVE,
      device: `CPU (${blas.vendor})`,
      threads: blas.threads(),
      versions: { tfjs: tf.version_core, deno: Deno.version.deno, v8: Deno.version.v8, blas: blas.vendor },
      notes: [
        builtin
          ? `BLAS: the built-in WebAssembly GEMM on ${blas.threads()} threads (no system BLAS: ${loaded.missing}` +
            (loaded.install ? `; for faster matmuls: ${loaded.install}` : "") + ")"
          : `BLAS: ${blas.path}`,
        `native kernels: ${own.join(", ")}; all others are tfjs-backend-cpu's`,
        builtin
          ? "GEMMs are split over `threads` worker threads (TRAINLARGE_THREADS or setNativeThreads)"
          : "large SIMD kernel calls and BLAS use `threads` (TRAINLARGE_THREADS or setNativeThreads)",
      ],
    };
  },
};
