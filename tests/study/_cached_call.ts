/**
 * Calls a 20-run study whose results are already in the store and reports, as JSON on stdout, how long the
 * call took and whether a tfjs backend was started. Usage: deno run -A tests/study/_cached_call.ts <store>.
 *
 * @module
 */
import { tf } from "../../lib/backend/tf.ts";
import { runStudy } from "../../lib/study/runner.ts";
import { TWENTY_RUNS } from "./_twenty_runs.ts";

const t0 = performance.now();
const result = await runStudy(TWENTY_RUNS, { store: Deno.args[0], progress: "silent" });
const ms = performance.now() - t0;
const backendStarted = (tf.engine() as unknown as { backendInstance: unknown }).backendInstance != null;
console.log(JSON.stringify({ ms, backendStarted, runs: result.runs.height, records: result.records.height }));
