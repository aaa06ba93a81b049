"""Jupyter protocol tests of the trainlarge Deno kernel, with jupyter_kernel_test (Debian
python3-jupyter-kernel-test). Run by tests/kernel/kernel_test.ts, which installs the kernelspec into a
temporary JUPYTER_DATA_DIR first; runnable by hand the same way:

    JUPYTER_DATA_DIR=/tmp/jd deno task kernel:install && \
      JUPYTER_DATA_DIR=/tmp/jd /usr/bin/python3 -m unittest -v tests/kernel/kernel_protocol.py

What Deno 2.9's kernel does not implement is left out (inspect, history, pager, clear_output); what it
does (execute, stdout/stderr, errors, execute_result, display_data, is_complete, completion) is tested.

Deno's kernel sometimes publishes a cell's last messages just after its `idle` status (they still carry
the right parent header, and live front ends place them correctly). jupyter_kernel_test stops reading at
`idle`, so `execute_helper` below keeps reading for a short grace period and keeps late messages that
belong to the same request. Everything else is the stock test suite.
"""
import json
import os
import time
import unittest
from queue import Empty

import jupyter_kernel_test
from jupyter_client.utils import run_sync
from jupyter_kernel_test.msgspec_v5 import validate_message

KERNEL = os.environ.get("TRAINLARGE_KERNEL_NAME", "trainlarge")
LATE_GRACE_S = 0.3


class DenoKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = KERNEL
    language_name = "typescript"
    file_extension = ".ts"

    code_hello_world = 'console.log("hello, world")'
    code_stderr = 'console.error("to stderr")'
    code_generate_error = 'throw new Error("boom")'

    # The Jupyter.display protocol gives an exact text/plain (plain values come back ANSI-coloured).
    code_execute_result = [
        {"code": '({ [Symbol.for("Jupyter.display")]() { return { "text/plain": "42" }; } })', "result": "42"},
        {"code": "6 * 7"},
    ]
    code_display_data = [
        {"code": 'await Deno.jupyter.display({ "text/html": "<b>hi</b>" }, { raw: true })', "mime": "text/html"},
    ]

    complete_code_samples = ["1 + 1", "const x = 1;", "function f() { return 1; }"]
    incomplete_code_samples = ["function f(", "const a = [1,"]
    invalid_code_samples = ["}}}"]
    completion_samples = [{"text": "Deno.cw", "matches": {"cwd"}}]

    def execute_helper(self, code, timeout=jupyter_kernel_test.TIMEOUT, **kwargs):
        reply, output_msgs = super().execute_helper(code, timeout=timeout, **kwargs)
        parent = reply["parent_header"]["msg_id"]
        deadline = time.monotonic() + LATE_GRACE_S
        while time.monotonic() < deadline:
            try:
                msg = run_sync(self.kc.iopub_channel.get_msg)(timeout=0.05)
            except Empty:
                continue
            if msg["parent_header"].get("msg_id") == parent:
                validate_message(msg, msg["msg_type"], parent)
                output_msgs.append(msg)
        return reply, output_msgs

    # --- beyond the stock suite: the project's settings and the display layer inside the kernel ---

    def run_cell(self, code):
        self.flush_channels()
        reply, output_msgs = self.execute_helper(code, timeout=60)
        self.assertEqual(reply["content"]["status"], "ok", f"{code!r} failed: {output_msgs}")
        return output_msgs

    def test_kernel_runs_in_project_dir_with_settings(self):
        msgs = self.run_cell(
            'await Deno.jupyter.display({ "text/plain": JSON.stringify({ cwd: Deno.cwd(), '
            'backend: Deno.env.get("TRAINLARGE_BACKEND") ?? null, '
            'hasConfig: (() => { try { Deno.statSync("deno.json"); return true; } catch { return false; } })() }) }, '
            "{ raw: true })"
        )
        data = [m["content"]["data"]["text/plain"] for m in msgs if m["msg_type"] == "display_data"]
        self.assertEqual(len(data), 1, msgs)
        seen = json.loads(data[0])
        self.assertEqual(seen["cwd"], os.environ["TRAINLARGE_PROJECT_DIR"])
        self.assertEqual(seen["backend"], os.environ["TRAINLARGE_EXPECT_BACKEND"])
        self.assertTrue(seen["hasConfig"])

    def test_show_emits_table_bundle(self):
        msgs = self.run_cell(
            'import pl from "nodejs-polars";\n'
            'import { show } from "./lib/display/mod.ts";\n'
            'await show(pl.DataFrame({ step: [1, 2], loss: [3.5, 2.25] }));'
        )
        displays = [m for m in msgs if m["msg_type"] == "display_data"]
        self.assertEqual(len(displays), 1, msgs)
        data = displays[0]["content"]["data"]
        self.assertIn("<td style=\"text-align:right\">2.25</td>", data["text/html"])
        self.assertIn("shape: (2, 2)", data["text/plain"])

    def test_show_emits_plotly_bundle(self):
        msgs = self.run_cell(
            'import { show } from "./lib/display/mod.ts";\n'
            'await show({ data: [{ type: "scatter", x: [1, 2, 3], y: [4, 1, 2] }], layout: { width: 400, height: 300 } }, { png: false });'
        )
        displays = [m for m in msgs if m["msg_type"] == "display_data"]
        self.assertEqual(len(displays), 1, msgs)
        # show() resolves to undefined in the kernel, so it adds no execute_result ("Out[n]") of its own.
        self.assertEqual([m for m in msgs if m["msg_type"] == "execute_result"], [])
        data = displays[0]["content"]["data"]
        self.assertEqual(data["application/vnd.plotly.v1+json"]["data"][0]["y"], [4, 1, 2])
        self.assertIn("Plotly.newPlot", data["text/html"])

    def test_show_with_display_id_updates_a_figure_in_place(self):
        msgs = self.run_cell(
            'import { show } from "./lib/display/mod.ts";\n'
            'const fig = (y: number[]) => ({ data: [{ type: "scatter", y }], layout: {} });\n'
            'await show(fig([1]), { displayId: "live-loss", png: false });\n'
            'await show(fig([1, 2]), { displayId: "live-loss", update: true, png: false });'
        )
        shown = [(m["msg_type"], m["content"]["transient"]["display_id"], m["content"]["data"]["application/vnd.plotly.v1+json"]["data"][0]["y"])
                 for m in msgs if m["msg_type"] in ("display_data", "update_display_data")]
        self.assertEqual(shown, [("display_data", "live-loss", [1]), ("update_display_data", "live-loss", [1, 2])])

    def test_progress_bar_updates_one_display_in_place(self):
        msgs = self.run_cell(
            'import { progressBar } from "./lib/display/mod.ts";\n'
            "const bar = progressBar({ seconds: 4, total: 3, minIntervalMs: 0 });\n"
            "for (let step = 1; step <= 3; step++) bar({ step, seconds: step, tokens: 100 * step, trainLoss: 5 - step });\n"
            "await bar.done();"
        )
        kinds = [m["msg_type"] for m in msgs if m["msg_type"] in ("display_data", "update_display_data")]
        self.assertEqual(kinds, ["display_data"] + ["update_display_data"] * 3, msgs)
        ids = {m["content"]["transient"]["display_id"] for m in msgs if "transient" in m["content"]}
        self.assertEqual(len(ids), 1)
        last = [m for m in msgs if m["msg_type"] == "update_display_data"][-1]["content"]["data"]
        self.assertIn("step 3/3", last["text/plain"])
        self.assertIn("done", last["text/plain"])
        self.assertIn('<progress value="1.0000"', last["text/html"])

    def test_library_warnings_show_under_the_cell(self):
        msgs = self.run_cell(
            'import "trainlarge";\n'
            'import { warn } from "./lib/util/warnings.ts";\n'
            'warn("kernel test", "shown in the notebook");\n'
            "await new Promise((resolve) => setTimeout(resolve, 200));"
        )
        texts = [m["content"]["data"].get("text/plain") for m in msgs if m["msg_type"] == "display_data"]
        self.assertIn("warning (kernel test): shown in the notebook", texts, msgs)


if __name__ == "__main__":
    unittest.main()
