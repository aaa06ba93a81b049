/**
 * The only file that talks to the Deno Jupyter kernel (`Deno.jupyter`): detect it, and publish MIME bundles
 * as `display_data` / `update_display_data` messages.
 *
 * Detection: `"jupyter" in Deno` is true in every Deno 2 process, but reading `Deno.jupyter` throws
 * ("only available in `deno jupyter` subcommand") outside the kernel, so the probe is a guarded read.
 *
 * Ordering: Deno 2.9's kernel forwards broadcasts through a queue that can be flushed after it has already
 * sent the cell's `idle` status, and `nbclient` (hence `jupyter nbconvert --execute`) drops messages that
 * arrive after `idle`. `publish` therefore waits a few milliseconds after its last message before resolving.
 *
 * @module
 */

/** A Jupyter MIME bundle: MIME type → data (strings, or JSON objects for `application/*+json`). */
export type MimeBundle = Record<string, string | object>;

/** Options for {@linkcode publish}. */
export interface PublishOptions {
  /** Names the output so later calls with `update: true` replace it in place. */
  displayId?: string;
  /** Replace the output named `displayId` instead of adding a new one. */
  update?: boolean;
  /** Per-MIME-type metadata (e.g. `{"image/png": {width: 700}}`). */
  metadata?: Record<string, unknown>;
}

interface JupyterNamespace {
  broadcast(type: string, content: Record<string, unknown>): Promise<void>;
}

/**
 * Milliseconds `publish` waits after a message so the kernel flushes it before the cell goes idle, plus
 * `SETTLE_MS_PER_MB` for each megabyte of the bundle: a figure with inlined plotly.js is ~5 MB, and
 * Deno 2.9.6 was seen to drop such a message (sent after idle) with only the flat 20 ms.
 */
export const SETTLE_MS = 20;
/** Extra settle time per megabyte of bundle; see {@linkcode SETTLE_MS}. */
export const SETTLE_MS_PER_MB = 60;

function bundleBytes(bundle: MimeBundle): number {
  let n = 0;
  for (const v of Object.values(bundle)) n += typeof v === "string" ? v.length : JSON.stringify(v).length;
  return n;
}

function jupyterNamespace(): JupyterNamespace | undefined {
  try {
    // deno-lint-ignore no-explicit-any
    const ns = (Deno as any).jupyter as JupyterNamespace | undefined;
    return typeof ns?.broadcast === "function" ? ns : undefined;
  } catch {
    return undefined; // "Deno.jupyter is only available in `deno jupyter` subcommand"
  }
}

/**
 * True when this code runs inside the Deno Jupyter kernel, where {@linkcode publish} can show output.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { inKernel } from "./kernel.ts";
 * assert(inKernel() === false); // deno test runs outside the kernel
 * ```
 */
export function inKernel(): boolean {
  return jupyterNamespace() !== undefined;
}

/**
 * Sends `bundle` to the notebook as a new output, or as an in-place update of the output named
 * `options.displayId`. Throws outside the kernel (check {@linkcode inKernel} first).
 *
 * @example
 * ```ts
 * import { inKernel, publish } from "./kernel.ts";
 * if (inKernel()) await publish({ "text/plain": "hello" }, { displayId: "greeting" });
 * ```
 */
export async function publish(bundle: MimeBundle, options: PublishOptions = {}): Promise<void> {
  const ns = jupyterNamespace();
  if (ns === undefined) {
    throw new Error("publish: not running inside the Deno Jupyter kernel; check inKernel() first");
  }
  if (options.update && options.displayId === undefined) {
    throw new Error("publish: update: true needs a displayId naming the output to replace");
  }
  const content: Record<string, unknown> = { data: bundle, metadata: options.metadata ?? {} };
  if (options.displayId !== undefined) content.transient = { display_id: options.displayId };
  await ns.broadcast(options.update ? "update_display_data" : "display_data", content);
  const settle = SETTLE_MS + (SETTLE_MS_PER_MB * bundleBytes(bundle)) / 1e6;
  await new Promise((resolve) => setTimeout(resolve, settle));
}
