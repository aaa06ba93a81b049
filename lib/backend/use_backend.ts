/**
 * `useBackend`: pick and start the tfjs backend every later tensor runs on.
 *
 * @module
 */
import { type BackendDescription, PROVIDERS, type Unavailable } from "./providers.ts";

export type { BackendDescription } from "./providers.ts";

/** Names `useBackend` accepts: `"auto"` or a provider's name. */
export type BackendName = "auto" | string;

/**
 * The names `useBackend` accepts, `"auto"` first, then the backends in the order `"auto"` tries them.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { backendNames } from "./use_backend.ts";
 * assert(backendNames().join() === "auto,tensorflow,native,webgpu,wasm,cpu");
 * ```
 */
export function backendNames(): string[] {
  return ["auto", ...PROVIDERS.map((p) => p.name)];
}

function envBackend(): string | undefined {
  try {
    return Deno.env.get("TRAINLARGE_BACKEND") || undefined;
  } catch {
    return undefined; // no --allow-env: the argument or "auto" decides
  }
}

function isUnavailable(x: BackendDescription | Unavailable): x is Unavailable {
  return "missing" in x;
}

/**
 * Starts a tfjs backend and describes it.
 *
 * `name` defaults to the `TRAINLARGE_BACKEND` environment variable, then `"auto"`. `"auto"` takes the first
 * that starts of: tensorflow (tfjs-node, if installed), native (matmuls on a system BLAS, or on its own
 * multi-threaded WebAssembly SIMD GEMM where none loads or `TRAINLARGE_BLAS=none`), a hardware WebGPU
 * adapter, wasm, cpu (the order of {@linkcode backendNames}); a software WebGPU adapter is never auto-picked. Asking for a named backend that cannot
 * start throws an error saying what is missing and how to install it: it never falls back silently.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { useBackend } from "./use_backend.ts";
 * const backend = await useBackend("cpu");
 * assert(backend.name === "cpu" && backend.versions.tfjs === "4.22.0");
 * ```
 */
export async function useBackend(name?: BackendName): Promise<BackendDescription> {
  const wanted = name ?? envBackend() ?? "auto";
  if (wanted === "auto") {
    const reasons: string[] = [];
    for (const provider of PROVIDERS) {
      const result = await provider.start({ allowSlowFallback: false });
      if (!isUnavailable(result)) {
        return { ...result, notes: [...result.notes, ...reasons.map((r) => `auto skipped ${r}`)] };
      }
      reasons.push(`${provider.name}: ${result.missing}`);
    }
    throw new Error(`useBackend("auto"): no backend could start:\n  ${reasons.join("\n  ")}`);
  }
  const provider = PROVIDERS.find((p) => p.name === wanted);
  if (provider === undefined) {
    throw new Error(
      `useBackend: unknown backend "${wanted}"; valid names are ${
        backendNames().map((n) => `"${n}"`).join(", ")
      }` +
        (name === undefined ? " (the name came from the TRAINLARGE_BACKEND environment variable)" : ""),
    );
  }
  const result = await provider.start({ allowSlowFallback: true });
  if (isUnavailable(result)) {
    throw new Error(
      `useBackend("${wanted}"): ${result.missing}.` + (result.install ? ` To fix: ${result.install}.` : ""),
    );
  }
  return result;
}
