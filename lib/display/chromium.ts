/**
 * Headless Chromium as a subprocess: load a local page, let its scripts run, and read back the DOM or a
 * screenshot. Plain `chromium --headless` flags are enough for what display needs, so no browser-driver
 * library is involved.
 *
 * Each run gets its own throwaway profile directory so parallel runs never fight over one profile lock.
 *
 * @module
 */

/** Places Chromium is looked for, after `$TRAINLARGE_CHROMIUM` and `$CHROME_PATH`. */
export const CHROMIUM_CANDIDATES: readonly string[] = Object.freeze([
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/usr/bin/google-chrome",
  "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
]);

/** Options for {@linkcode runChromium}. */
export interface ChromiumOptions {
  /** Milliseconds of page time scripts get before the DOM is read (virtual time: idle waits are free). */
  budgetMs?: number;
  /** Window size in CSS pixels, for screenshots. */
  width?: number;
  /** Window height in CSS pixels (default 768; width defaults to 1024). */
  height?: number;
  /** Wall-clock limit for the whole browser run, in milliseconds. */
  timeoutMs?: number;
  /** More command-line flags, e.g. {@linkcode OFFLINE_FLAGS} to block the network. */
  args?: string[];
}

/**
 * Flags that cut a Chromium run off the network: every host name fails to resolve and every request,
 * loopback included, goes to a proxy that does not exist. `file:` and `data:` URLs still load.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { findChromium, OFFLINE_FLAGS, runChromium } from "./chromium.ts";
 * if (findChromium() !== undefined) {
 *   const dom = await runChromium("data:text/html,<p>offline</p>", { dom: true }, { args: [...OFFLINE_FLAGS] });
 *   assert(dom.includes("<p>offline</p>"));
 * }
 * ```
 */
export const OFFLINE_FLAGS: readonly string[] = Object.freeze([
  "--host-resolver-rules=MAP * ~NOTFOUND",
  "--proxy-server=http://127.0.0.1:9",
  "--proxy-bypass-list=<-loopback>",
  "--disable-background-networking",
  "--disable-component-update",
]);

function exists(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

/**
 * The Chromium executable, or `undefined` when none is installed (Debian: `apt-get install chromium`).
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { findChromium } from "./chromium.ts";
 * const chromium = findChromium();
 * assert(chromium === undefined || chromium.length > 0);
 * ```
 */
export function findChromium(): string | undefined {
  const fromEnv = [Deno.env.get("TRAINLARGE_CHROMIUM"), Deno.env.get("CHROME_PATH")];
  return [...fromEnv, ...CHROMIUM_CANDIDATES].find((p) => p !== undefined && p !== "" && exists(p));
}

/**
 * Runs headless Chromium on `url` with `mode` `"dom"` (returns the page's serialised DOM after its scripts
 * ran) or `"screenshot"` (writes a PNG of the window to `options`' path). Throws when Chromium is missing,
 * fails, or exceeds `timeoutMs`.
 */
export async function runChromium(
  url: string,
  mode: { dom: true } | { screenshot: string },
  options: ChromiumOptions = {},
): Promise<string> {
  const chromium = findChromium();
  if (chromium === undefined) {
    throw new Error(
      "chromium: not found; install it (Debian: apt-get install chromium) or set TRAINLARGE_CHROMIUM",
    );
  }
  const profile = await Deno.makeTempDir({ prefix: "trainlarge-chromium-" });
  const args = [
    "--headless",
    "--no-sandbox", // root in containers/CI cannot use the setuid sandbox
    "--disable-gpu",
    "--hide-scrollbars",
    "--no-first-run",
    `--user-data-dir=${profile}`,
    `--virtual-time-budget=${options.budgetMs ?? 10_000}`,
    `--window-size=${options.width ?? 1024},${options.height ?? 768}`,
    ...(options.args ?? []),
    ...("dom" in mode ? ["--dump-dom"] : [`--screenshot=${mode.screenshot}`]),
    url,
  ];
  try {
    const out = await new Deno.Command(chromium, {
      args,
      stdout: "piped",
      stderr: "piped",
      stdin: "null",
      signal: AbortSignal.timeout(options.timeoutMs ?? 60_000),
    }).output();
    if (!out.success) {
      const err = new TextDecoder().decode(out.stderr).split("\n").slice(-5).join("\n");
      throw new Error(`chromium: ${chromium} exited with code ${out.code} on ${url}:\n${err}`);
    }
    return new TextDecoder().decode(out.stdout);
  } finally {
    await Deno.remove(profile, { recursive: true }).catch(() => {});
  }
}
