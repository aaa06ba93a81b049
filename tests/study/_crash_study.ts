/**
 * The study the crash test kills: 4 linear-regression runs with a checkpoint at every record, on cpu.
 * Usage: deno run -A tests/study/_crash_study.ts <store>. Prints "ready" once imports and the backend are
 * up, then "done" when the study has finished.
 *
 * @module
 */
import { useBackend } from "../../lib/backend/use_backend.ts";
import { linregKind } from "../../lib/experiments/linreg_kind.ts";
import { runStudy } from "../../lib/study/runner.ts";

/** The crash test's study definition. */
export const CRASH_STUDY = {
  name: "crash",
  kind: linregKind,
  base: { maxSteps: 240, evaluations: 12, dim: 24 },
  grid: { batchSize: [8, 32], lr: [0.02, 0.05] },
};

if (import.meta.main) {
  await useBackend("cpu");
  console.log("ready");
  await runStudy(CRASH_STUDY, { store: Deno.args[0], progress: "silent" });
  console.log("done");
}
