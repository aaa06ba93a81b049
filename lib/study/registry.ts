/**
 * Run kinds by name: the built-in ones (`lib/experiments/kinds.ts`, imported lazily so a cached study never
 * loads a model) and any a user registers. A kind defined in a module file (its `module` field) can also be
 * found by a subprocess or a cluster task, which imports that module.
 *
 * @module
 */
import type { Json, RunKind } from "../experiments/run_kind.ts";

// deno-lint-ignore no-explicit-any
type AnyKind = RunKind<any>;

const registered = new Map<string, AnyKind>();

/**
 * Registers a run kind under its name (replacing one of the same name).
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { findRunKind, registerRunKind } from "./registry.ts";
 * registerRunKind({ name: "noop", defaults: {}, config: () => ({}), fingerprint: async () => "",
 *   parents: () => ({}), run: async function* () { return { status: "max_steps", message: "", step: 0,
 *   seconds: 0, evalSeconds: 0, tokens: 0, params: 0, flopsPerToken: 0 }; } });
 * assert((await findRunKind("noop")).name === "noop");
 * ```
 */
export function registerRunKind<C extends { [key: string]: Json }>(kind: RunKind<C>): void {
  registered.set(kind.name, kind as AnyKind);
}

async function builtIns(): Promise<Record<string, AnyKind>> {
  try {
    const mod = await import("../experiments/kinds.ts");
    return (mod as { RUN_KINDS?: Record<string, AnyKind> }).RUN_KINDS ?? {};
  } catch (e) {
    if (String((e as Error).message).includes("Module not found")) return {};
    throw e;
  }
}

/**
 * The kind named `name`: registered, built in, or exported by `module` (an import specifier or URL).
 * Throws an error listing the known kinds.
 */
export async function findRunKind(name: string, module?: string): Promise<AnyKind> {
  const mine = registered.get(name);
  if (mine) return mine;
  const builtin = (await builtIns())[name];
  if (builtin) return builtin;
  if (module) {
    const mod = await import(module) as Record<string, unknown>;
    for (const value of Object.values(mod)) {
      const k = value as AnyKind;
      if (k && typeof k === "object" && k.name === name && typeof k.run === "function") {
        registered.set(name, k);
        return k;
      }
    }
    throw new Error(`run kind "${name}": module ${module} exports no kind of that name`);
  }
  const known = [...new Set([...registered.keys(), ...Object.keys(await builtIns())])].sort();
  throw new Error(
    `unknown run kind "${name}"; known kinds: ${known.join(", ") || "none"} ` +
      `(register your own with registerRunKind)`,
  );
}
