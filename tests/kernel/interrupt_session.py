"""The notebook's stop button, pressed through jupyter_client against the real trainlarge kernel.

Run by tests/kernel/interrupt_test.ts (which installs the kernelspec into a temporary JUPYTER_DATA_DIR and
asserts on what this prints); runnable by hand the same way:

    JUPYTER_DATA_DIR=/tmp/jd deno task kernel:install --backend cpu && \
      JUPYTER_DATA_DIR=/tmp/jd TRAINLARGE_TEST_CHECKPOINT=$(mktemp -d) \
      /usr/bin/python3 tests/kernel/interrupt_session.py

Interrupts come two ways, as front ends send them: `KernelManager.interrupt_kernel()` signals the kernel's
process group (jupyter_client, JupyterLab), `os.kill(pid, SIGINT)` only the process Jupyter started
(VS Code). The last line printed is a JSON report; this script asserts nothing itself.
"""
import json
import os
import signal
import sys
import time
from queue import Empty

from jupyter_client.manager import KernelManager

CHECKPOINT = os.environ["TRAINLARGE_TEST_CHECKPOINT"]
LATE_GRACE_S = 0.5  # Deno's kernel may publish a cell's output just after its reply (see README)

SETUP = """
import { pretrainMlm } from "./lib/experiments/pretrain.ts";
import { trainBpe } from "./lib/data/bpe_train.ts";
import { useBackend } from "./lib/backend/use_backend.ts";
await useBackend("cpu");
const texts = Array.from({ length: 400 }, (_, i) => `the cat number ${i} sat on the mat ${i % 7} times`);
const tokenizer = trainBpe(texts, { vocabSize: 300 });
const docs = texts.map((t) => Int32Array.from(tokenizer.encode(t)));
const data = { tokenizer, train: docs, validation: docs.slice(0, 40) };
const runs: number[][] = [];
"ready"
"""

# The training cell, run three times: interrupted, interrupted again, then to the end of its budget.
TRAIN = """
{
  const steps: number[] = [];
  runs.push(steps);
  const model = { numLayers: 1, hiddenSize: 32, numHeads: 1, intermediateSize: 64, maxPositions: 16 };
  const run = pretrainMlm({ data, model, seconds: 6, batchSize: 8, seqLen: 16, validationBatches: 2,
    evaluations: 24, checkpoint: %s });
  for await (const record of run) steps.push(record.step);
}
""" % json.dumps(CHECKPOINT)


class Session:
    def __init__(self):
        self.km = KernelManager(kernel_name=os.environ.get("TRAINLARGE_KERNEL_NAME", "trainlarge"))
        self.km.start_kernel()
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=60)

    def pid(self):
        return self.km.provisioner.process.pid

    def run(self, code, timeout, interrupt_after=None, how="group"):
        """Executes `code`; optionally interrupts after `interrupt_after` s. Returns what happened."""
        self.kc.iopub_channel.get_msgs()
        start = time.monotonic()
        msg_id = self.kc.execute(code)
        interrupted_at = None
        reply = None
        while reply is None:
            now = time.monotonic()
            if interrupt_after is not None and interrupted_at is None and now - start >= interrupt_after:
                if how == "group":
                    self.km.interrupt_kernel()
                else:
                    os.kill(self.pid(), signal.SIGINT)
                interrupted_at = time.monotonic()
            if now - start > timeout:
                break
            try:
                msg = self.kc.get_shell_msg(timeout=0.05)
            except Empty:
                continue
            if msg["parent_header"].get("msg_id") == msg_id:
                reply = msg
        end = time.monotonic()
        displays = []
        deadline = time.monotonic() + LATE_GRACE_S
        while time.monotonic() < deadline:
            try:
                msg = self.kc.get_iopub_msg(timeout=0.05)
            except Empty:
                continue
            if msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "display_data":
                displays.append(msg["content"]["data"].get("text/plain", ""))
        content = reply["content"] if reply else {}
        return {
            "status": content.get("status", "timeout"),
            "ename": content.get("ename"),
            "evalue": content.get("evalue"),
            "seconds": round(end - start, 2),
            "afterInterrupt": None if interrupted_at is None else round(end - interrupted_at, 2),
            "displays": displays,
            "alive": self.km.is_alive(),
        }

    def value(self, expression):
        """The JSON value of `expression`, shown as a raw text/plain display."""
        result = self.run(
            f'await Deno.jupyter.display({{ "text/plain": JSON.stringify({expression}) }}, {{ raw: true }})',
            timeout=20,
        )
        return json.loads(result["displays"][-1]) if result["displays"] else None

    def close(self):
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)


def trainer_step():
    """Step of the newest complete checkpoint: step-NNNNNNNN[-gen]/ directories with a manifest.json."""
    import re

    found = []
    for name in os.listdir(CHECKPOINT) if os.path.isdir(CHECKPOINT) else []:
        m = re.fullmatch(r"step-(\d{8,})(?:-(\d+))?", name)
        if m and os.path.exists(os.path.join(CHECKPOINT, name, "manifest.json")):
            found.append((int(m.group(1)), int(m.group(2) or 0), name))
    if not found:
        return None
    with open(os.path.join(CHECKPOINT, max(found)[2], "trainer_state.json")) as f:
        return json.load(f)["step"]


def main():
    s = Session()
    report = {}
    try:
        report["define"] = s.run("const kept = { answer: 41 }; kept.answer", timeout=20)
        # Before trainlarge is loaded nothing in the kernel answers SIGINT: Deno's interrupt message goes to
        # the idle kernel, which must shrug it off.
        s.km.interrupt_kernel()
        time.sleep(3)
        report["keptAfterIdleInterruptUnloaded"] = s.value("kept")
        report["setup"] = s.run(SETUP, timeout=90)
        # trainlarge is loaded now: a cell awaiting something it cannot stop runs on instead of hanging.
        report["awaiting"] = s.run(
            'await new Promise((r) => setTimeout(r, 3000)); "slept"', timeout=15, interrupt_after=1
        )
        report["train1"] = s.run(TRAIN, timeout=30, interrupt_after=2, how="group")
        report["checkpointStep1"] = trainer_step()
        report["keptAfter1"] = s.value("kept")
        report["train2"] = s.run(TRAIN, timeout=30, interrupt_after=1.5, how="pid")
        report["checkpointStep2"] = trainer_step()
        report["train3"] = s.run(TRAIN, timeout=60)
        report["runs"] = s.value("runs")
        report["busyLoop"] = s.run("while (true) {}", timeout=15, interrupt_after=1, how="group")
        report["busyLoopPid"] = s.run("while (true) {}", timeout=15, interrupt_after=1, how="pid")
        s.km.interrupt_kernel()
        time.sleep(1)
        report["keptAfterIdleInterrupt"] = s.value("kept")
        report["alive"] = s.km.is_alive()
    finally:
        s.close()
    print(json.dumps(report))


if __name__ == "__main__":
    sys.exit(main())
