/**
 * Run kinds for the Slurm executor test, found by the cluster's tasks through their `module` field:
 * linreg that logs where each start of a run began (so a test can prove a requeued task resumed from its
 * checkpoint), linreg that exits the whole process on request (a task that dies without a status), and
 * linreg that starts from a parent run (which must have finished and left its checkpoint).
 *
 * @module
 */
import { type LinregConfig, linregKind } from "../../lib/experiments/linreg_kind.ts";
import type { RunKind } from "../../lib/experiments/run_kind.ts";
import { registerRunKind } from "../../lib/study/registry.ts";
import { latestCheckpoint } from "../../lib/train/checkpoint_store.ts";

/** One start of a run: the checkpoint it resumed from (null: from scratch) and its first record's step. */
export interface Start {
  /** Checkpoint directory name (`step-…`), or null. */
  checkpoint: string | null;
  /** Step of the first record this start yielded. */
  firstStep: number | null;
}

/** linreg, appending a {@linkcode Start} per start of a run to `<run dir>/work/starts.jsonl`. */
export const loggedKind: RunKind<LinregConfig> & { module: string } = {
  ...linregKind,
  name: "linreg-logged",
  module: import.meta.url,
  async *run(c, ctx) {
    const latest = await latestCheckpoint(`${ctx.dir}/checkpoint`);
    const inner = linregKind.run(c, ctx);
    let firstStep: number | null = null;
    const log = () =>
      Deno.writeTextFile(
        `${ctx.dir}/starts.jsonl`,
        JSON.stringify({ checkpoint: latest?.split("/").pop() ?? null, firstStep }) + "\n",
        { append: true },
      );
    for (;;) {
      const next = await inner.next();
      if (next.done) {
        if (firstStep === null) await log();
        return next.value;
      }
      if (firstStep === null) {
        firstStep = next.value.step as number;
        await log();
      }
      yield next.value;
    }
  },
};

/** linreg whose process prints to stderr and exits with code 7 when `noise` is 13 (a task that dies). */
export const exitingKind: RunKind<LinregConfig> & { module: string } = {
  ...linregKind,
  name: "linreg-exiting",
  module: import.meta.url,
  async *run(c, ctx) {
    if (c.noise === 13) {
      console.error("linreg-exiting: noise 13, giving up the whole process");
      Deno.exit(7);
    }
    return yield* linregKind.run(c, ctx);
  },
};

// Parents are looked up by kind name (in the planning process and in the tasks, which import this module).
registerRunKind(loggedKind);

/** linreg that needs a finished 300-step `linreg-logged` parent of the same `dim` and `seed` (field `init`). */
export const childKind: RunKind<LinregConfig> & { module: string } = {
  ...linregKind,
  name: "linreg-child",
  module: import.meta.url,
  parents: (c) => ({ init: { kind: "linreg-logged", config: { maxSteps: 300, dim: c.dim, seed: c.seed } } }),
  async *run(c, ctx) {
    const parent = await latestCheckpoint(`${ctx.parents.init}/checkpoint`);
    if (parent === null) throw new Error(`linreg-child: parent ${ctx.parents.init} has no checkpoint`);
    return yield* linregKind.run(c, ctx);
  },
};
