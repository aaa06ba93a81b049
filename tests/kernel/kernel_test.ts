/**
 * The Deno kernel with the project's kernelspec passes jupyter_kernel_test (tests/kernel/kernel_protocol.py)
 * for what Deno implements, and shows trainlarge's display bundles from inside the kernel.
 */
import { assert } from "@std/assert";
import { requireTool } from "../_support/tools.ts";
import { hasPythonModule, PROJECT_DIR, PYTHON, run, tempKernel } from "./_subprocess.ts";

Deno.test("the trainlarge kernel passes jupyter_kernel_test and emits display bundles", async () => {
  if (
    !requireTool(
      await hasPythonModule("jupyter_kernel_test"),
      "jupyter_kernel_test",
      "apt-get install python3-jupyter-kernel-test",
    )
  ) return;
  const kernel = await tempKernel("cpu");
  try {
    const result = await run(PYTHON, ["-m", "unittest", "-v", "tests/kernel/kernel_protocol.py"], {
      env: { ...kernel.env, TRAINLARGE_PROJECT_DIR: PROJECT_DIR, TRAINLARGE_EXPECT_BACKEND: "cpu" },
      timeoutMs: 120_000,
    });
    assert(result.code === 0, `jupyter_kernel_test failed (exit ${result.code}):\n${result.output}`);
    // Guard against a suite that silently ran nothing: the core protocol tests must have run, not skipped.
    for (
      const name of [
        "test_execute_stdout",
        "test_execute_result",
        "test_display_data",
        "test_is_complete",
        "test_completion",
        "test_error",
      ]
    ) {
      assert(
        new RegExp(`${name} .*\\.\\.\\. ok`).test(result.output),
        `${name} did not pass:\n${result.output}`,
      );
    }
  } finally {
    await kernel.cleanup();
  }
});
