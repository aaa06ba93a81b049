/** The notebook's stop button (interrupt()) stops a study like its signal; the next call resumes it. */
import { assert, assertEquals, assertRejects } from "@std/assert";
import { useBackend } from "../../lib/backend/use_backend.ts";
import { type LinregConfig, linregKind } from "../../lib/experiments/linreg_kind.ts";
import type { RunKind } from "../../lib/experiments/run_kind.ts";
import { runStudy, StudyInterruptedError } from "../../lib/study/runner.ts";
import { readStatus } from "../../lib/study/store.ts";
import { interrupt, InterruptedError } from "../../lib/util/interrupt.ts";
import { untimed } from "./_support.ts";

await useBackend("cpu");
const quiet = { progress: "silent" as const };

/** linreg that presses the stop button after the second run's 5th record, while armed; `passSignal: false`
 * hides the study's signal from the run, as a kind that ignores it would. */
function stopping(state: { armed: boolean }, passSignal: boolean): RunKind<LinregConfig> {
  return {
    ...linregKind,
    name: "linreg-stopping",
    async *run(c, ctx) {
      const gen = linregKind.run(c, passSignal ? ctx : { ...ctx, signal: undefined });
      let n = 0;
      for (;;) {
        const r = await gen.next();
        if (r.done) return r.value;
        yield r.value;
        if (state.armed && c.lr === 0.02 && ++n === 5) interrupt();
      }
    },
  };
}

for (const passSignal of [true, false]) {
  Deno.test(
    `the stop button interrupts a study, keeps its finished runs, and the next call resumes (kind ${
      passSignal ? "passes" : "ignores"
    } the signal)`,
    async () => {
      const store = await Deno.makeTempDir();
      const state = { armed: false };
      const def = {
        name: "stop",
        kind: stopping(state, passSignal),
        base: { maxSteps: 200, evaluations: 10 },
        grid: { lr: [0.01, 0.02] },
      };
      const reference = await runStudy(def, { store: `${store}/ref`, ...quiet });
      state.armed = true;
      const e = await assertRejects(
        () => runStudy(def, { store: `${store}/cut`, ...quiet }),
        StudyInterruptedError,
      );
      assert(e instanceof InterruptedError && e.message.includes("call it again to resume"), e.message);
      const hashes = reference.runs.getColumn("run").toArray();
      const statuses = await Promise.all(hashes.map((h) => readStatus(`${store}/cut/runs/${h}`)));
      assertEquals(statuses.map((s) => s?.status), ["max_steps", "interrupted"]);
      state.armed = false;
      const resumed = await runStudy(def, { store: `${store}/cut`, ...quiet });
      assertEquals(resumed.records.toRecords().map(untimed), reference.records.toRecords().map(untimed));
      await Deno.remove(store, { recursive: true });
    },
  );
}
