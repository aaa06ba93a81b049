/**
 * The one channel for warnings from library code (which never prints): `warn(message)` hands each warning to
 * the registered listeners; the CLI registers one that prints to stderr, a notebook one that displays it.
 * With no listener a warning is kept (the latest 100) and can be read with `pendingWarnings()`, so nothing
 * is lost before a listener is attached; attaching the first listener delivers them.
 *
 * @module
 */

/** A warning as listeners receive it. */
export interface Warning {
  /** What happened and what to do. */
  message: string;
  /** Where it came from (a module or function name). */
  source: string;
}

type Listener = (warning: Warning) => void;

const listeners = new Set<Listener>();
const pending: Warning[] = [];
const once = new Set<string>();

/**
 * Emits a warning. With `{ once: key }` a warning with the same key is emitted only the first time.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { onWarning, warn } from "./warnings.ts";
 * const seen: string[] = [];
 * const stop = onWarning((w) => seen.push(w.message));
 * warn("arena", "the arena is full", { once: "arena-full" });
 * warn("arena", "the arena is full", { once: "arena-full" });
 * stop();
 * assert(seen.length === 1);
 * ```
 */
export function warn(source: string, message: string, options: { once?: string } = {}): void {
  if (options.once !== undefined) {
    if (once.has(options.once)) return;
    once.add(options.once);
  }
  const w = { source, message };
  if (listeners.size === 0) {
    pending.push(w);
    if (pending.length > 100) pending.shift();
    return;
  }
  for (const l of listeners) l(w);
}

/**
 * Registers a listener; returns a function that removes it. The first listener receives the warnings
 * emitted while none was registered.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { onWarning, warn } from "./warnings.ts";
 * let n = 0;
 * const stop = onWarning(() => n++);
 * warn("test", "hello");
 * stop();
 * assert(n >= 1);
 * ```
 */
export function onWarning(listener: (warning: Warning) => void): () => void {
  const first = listeners.size === 0;
  listeners.add(listener);
  if (first) { for (const w of pending.splice(0)) listener(w); }
  return () => void listeners.delete(listener);
}

/**
 * Warnings emitted while no listener was registered (oldest first), without removing them.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { pendingWarnings } from "./warnings.ts";
 * assert(Array.isArray(pendingWarnings()));
 * ```
 */
export function pendingWarnings(): readonly Warning[] {
  return pending.slice();
}
