/**
 * The notebook's stop button against the real kernel (tests/kernel/interrupt_session.py drives it through
 * jupyter_client): a training cell ends within 5 s with an InterruptedError after a checkpoint, the kernel
 * keeps its variables, the same cell resumes from the checkpoint; `while (true) {}` is still stopped, a cell
 * awaiting something else runs on (Deno's interrupt message would hang it), and an interrupt of an idle kernel
 * leaves it alive. Both ways front ends interrupt are covered: the process
 * group (jupyter_client, JupyterLab) and the process alone (VS Code).
 */
import { assert, assertEquals, assertMatch } from "@std/assert";
import { requireTool } from "../_support/tools.ts";
import { hasPythonModule, PYTHON, run, tempKernel } from "./_subprocess.ts";

interface Cell {
  status: string;
  ename: string | null;
  evalue: string | null;
  seconds: number;
  afterInterrupt: number | null;
  alive: boolean;
}

Deno.test("the stop button ends a training cell after a checkpoint; the kernel lives on and the cell resumes", async () => {
  if (
    !requireTool(
      await hasPythonModule("jupyter_client"),
      "jupyter_client",
      "apt-get install python3-jupyter-client",
    )
  ) return;
  const kernel = await tempKernel("cpu");
  const checkpoint = await Deno.makeTempDir({ prefix: "trainlarge-interrupt-" });
  try {
    const result = await run(PYTHON, ["tests/kernel/interrupt_session.py"], {
      env: { ...kernel.env, TRAINLARGE_TEST_CHECKPOINT: checkpoint },
      timeoutMs: 150_000,
    });
    assert(result.code === 0, `interrupt_session.py failed (exit ${result.code}):\n${result.output}`);
    const report = JSON.parse(result.output.trim().split("\n").at(-1)!);
    const context = `\n${JSON.stringify(report, null, 1)}\n${result.output}`;
    assertEquals([report.define.status, report.setup.status], ["ok", "ok"], context);
    // A cell awaiting something other than training is not stopped, and not hung either: it runs to its end.
    assertEquals([report.awaiting.status, report.awaiting.alive], ["ok", true], context);
    assert(report.awaiting.seconds >= 2.9 && report.awaiting.seconds < 8, context);

    // Interrupted twice (process group, then the process alone): an InterruptedError within 5 s, after a
    // checkpoint at the step the error names, at or past the cell's last record.
    const runs: number[][] = report.runs;
    for (const [i, name] of [[0, "train1"], [1, "train2"]] as const) {
      const cell: Cell = report[name];
      assertEquals([cell.status, cell.ename, cell.alive], ["error", "InterruptedError", true], context);
      assert(
        cell.afterInterrupt !== null && cell.afterInterrupt < 5,
        `${name} took ${cell.afterInterrupt} s`,
      );
      const step = report[`checkpointStep${i + 1}`];
      assertMatch(
        cell.evalue!,
        new RegExp(`^interrupted at step ${step}; checkpoint saved to .*; run the cell again`),
      );
      assert(runs[i].length > 0 && runs[i].at(-1)! <= step, context);
    }
    // The variable defined before survives, and each run continues the step count of the one before.
    assertEquals(report.keptAfter1, { answer: 41 });
    assertEquals(report.train3.status, "ok", context);
    assert(runs[1][0] > report.checkpointStep1 && runs[2][0] > report.checkpointStep2, context);
    assert(runs[2].at(-1)! > runs[1].at(-1)!, context);

    // A synchronous loop is still stopped (Deno's own interrupt), both ways, and the kernel lives.
    for (const name of ["busyLoop", "busyLoopPid"]) {
      const cell: Cell = report[name];
      assertEquals([cell.status, cell.alive], ["error", true], `${name}: ${context}`);
      assert(
        cell.afterInterrupt !== null && cell.afterInterrupt < 5,
        `${name} took ${cell.afterInterrupt} s`,
      );
    }
    // An interrupt of an idle kernel changes nothing, before and after trainlarge is loaded.
    assertEquals(report.keptAfterIdleInterruptUnloaded, { answer: 41 }, context);
    assertEquals([report.keptAfterIdleInterrupt, report.alive], [{ answer: 41 }, true], context);
  } finally {
    await Deno.remove(checkpoint, { recursive: true });
    await kernel.cleanup();
  }
});
