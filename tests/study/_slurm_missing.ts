/**
 * Runs a one-run study with the Slurm executor and prints the error it throws (the test runs this with a
 * PATH that has no `sbatch`).
 *
 * @module
 */
import { runStudy } from "../../lib/study/runner.ts";
import { linregKind } from "../../lib/experiments/linreg_kind.ts";

const store = Deno.args[0];
try {
  await runStudy({ name: "nosbatch", kind: linregKind, base: { maxSteps: 10 } }, {
    store,
    progress: "silent",
    executor: { kind: "slurm" },
  });
  console.log("no error");
} catch (e) {
  console.log(`${(e as Error).name}: ${(e as Error).message}`);
}
