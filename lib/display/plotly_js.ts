/**
 * Where plotly.js comes from: the pinned npm package `plotly.js-dist-min` (see deno.json), read from disk so
 * figures render offline. Nothing is fetched from a CDN.
 *
 * @module
 */

/** The plotly.js bundle: its source, a `file:` URL a local browser can load, and its version. */
export interface PlotlyJs {
  /** The minified bundle's text. */
  source: string;
  /** A `file:` URL of the same bundle (for pages that Chromium opens from disk). */
  url: string;
  /** plotly.js version, read from the bundle's header comment. */
  version: string;
}

let cached: Promise<PlotlyJs> | undefined;

async function load(): Promise<PlotlyJs> {
  const specifier = "plotly.js-dist-min";
  let url: string;
  try {
    url = import.meta.resolve(specifier);
  } catch (error) {
    throw new Error(
      `plotly.js: cannot resolve "${specifier}" (${error}); add "plotly.js-dist-min": ` +
        `"npm:plotly.js-dist-min@3.1.2" to deno.json "imports"`,
    );
  }
  if (!url.startsWith("file:")) {
    // Without a node_modules folder the specifier stays an npm: URL with no readable file behind it.
    throw new Error(
      `plotly.js: "${specifier}" resolved to ${url}, not a file; set "nodeModulesDir": "auto" in deno.json ` +
        `and run \`deno install\` so the bundle is on disk`,
    );
  }
  let source: string;
  try {
    source = await Deno.readTextFile(new URL(url));
  } catch (error) {
    throw new Error(`plotly.js: cannot read ${url} (${error}); run \`deno install\` to fetch npm packages`);
  }
  const version = /plotly\.js v(\d+\.\d+\.\d+)/.exec(source.slice(0, 200))?.[1];
  if (version === undefined) throw new Error(`plotly.js: ${url} has no "plotly.js vX.Y.Z" header`);
  return { source, url, version };
}

/**
 * Loads the plotly.js bundle once per process.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { plotlyJs } from "./plotly_js.ts";
 * const { version, source } = await plotlyJs();
 * assert(version === "3.1.2" && source.length > 1_000_000);
 * ```
 */
export function plotlyJs(): Promise<PlotlyJs> {
  cached ??= load();
  cached.catch(() => (cached = undefined)); // a failed load may succeed after `deno install`
  return cached;
}
