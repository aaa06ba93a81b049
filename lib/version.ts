/**
 * The library's version (kept equal to `deno.json`'s by a test). It is part of every study run's identity,
 * so a new version never reuses results computed by an older one.
 *
 * @module
 */

/** The version of trainlarge, as in `deno.json`. */
export const VERSION = "0.1.0";
