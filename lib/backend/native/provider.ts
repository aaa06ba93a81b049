/**
 * The `native` provider for `useBackend`: tfjs-backend-cpu with matmuls on the system BLAS (Deno FFI) and
 * fused JavaScript kernels for the rest of a Transformer training step.
 *
 * @module
 */
import { tf } from "../tf.ts";
import type { BackendDescription, Provider, Unavailable } from "../providers.ts";
import { type Blas, BlasNotFound, loadBlas } from "./blas.ts";
import { NATIVE } from "./native_backend.ts";
import { registerNative } from "./register.ts";

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

/** Starts `native`: loads BLAS, registers the backend once, sets BLAS threads from TRAINLARGE_THREADS. */
export const nativeProvider: Provider = {
  name: "native",
  summary: "tfjs-backend-cpu with matmuls on the system BLAS through Deno FFI (OpenBLAS, MKL, Accelerate)",
  async start(): Promise<BackendDescription | Unavailable> {
    const blas = tryLoadBlas();
    if ("missing" in blas) return blas;
    const own = registerNative(blas);
    const threads = envThreads();
    if (threads !== undefined) blas.setThreads(threads);
    if (!(await tf.setBackend(NATIVE))) {
      return { missing: "the native backend failed to initialise", install: "" };
    }
    return {
      name: "native",
      tfjsBackend: NATIVE,
      device: `CPU (${blas.vendor})`,
      threads: blas.threads(),
      versions: { tfjs: tf.version_core, deno: Deno.version.deno, v8: Deno.version.v8, blas: blas.vendor },
      notes: [
        `BLAS: ${blas.path}`,
        `native kernels: ${own.join(", ")}; all others are tfjs-backend-cpu's`,
        "SIMD and JavaScript kernels run on one thread; BLAS uses `threads` (TRAINLARGE_THREADS or setNativeThreads)",
      ],
    };
  },
};
