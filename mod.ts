/**
 * trainlarge: reproduce "Train Large, Then Compress" (Li, Wallace et al., ICML 2020) on your own hardware.
 *
 * Pick a backend, load data, train Transformers of any size under a wall-clock budget, compress them, and
 * see the results as polars DataFrames and Plotly figures in a Deno Jupyter notebook.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { useBackend } from "trainlarge";
 * const backend = await useBackend("cpu");
 * assert(backend.name === "cpu");
 * ```
 * @module
 */
export { backendNames, useBackend } from "./lib/backend/mod.ts";
export type { BackendDescription, BackendName, Scalar, Tensor, Variable } from "./lib/backend/mod.ts";
export * from "./lib/metrics/mod.ts";
export * from "./lib/compress/mod.ts";

if (import.meta.main) {
  const { main } = await import("./lib/cli/main.ts");
  Deno.exit(await main(Deno.args));
}
