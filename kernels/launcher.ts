/**
 * The process the trainlarge kernelspec starts: it runs Deno's Jupyter kernel (`deno jupyter --kernel`) as
 * its child and owns the stop button. The kernelspec says `interrupt_mode: "signal"`, so every front end
 * (JupyterLab and jupyter_client signal the process group, VS Code the process) sends SIGINT here.
 *
 * Deno's kernel cannot take SIGINT itself: with no listener Deno exits, and a listener cannot run while
 * JavaScript is busy. So the child starts with SIGINT ignored (lib/util/interrupt.ts, once loaded in the
 * kernel, listens), and on each SIGINT this launcher forwards SIGINT to the kernel, then:
 * - when the kernel runs stoppable work (the file named by `TRAINLARGE_INTERRUPT_FLAG` exists: a training
 *   loop or study keeps it while it runs), does nothing more: the listener stops the work at its next
 *   step, after a checkpoint;
 * - otherwise waits up to 2 s for the listener's answer (`<flag>.ack`); without one, JavaScript is
 *   busy (or trainlarge is not loaded), so it sends Deno's kernel the `interrupt_request` message a front
 *   end in "message" mode would send, which terminates running synchronous code (`while (true) {}`).
 *   That message is never sent when JavaScript answered: in a cell awaiting something it would leave the
 *   cell, and the kernel, hung.
 *
 * SIGTERM, SIGHUP and SIGQUIT are passed on; the launcher exits with the kernel's exit code. Like ipykernel's
 * parent poller, it ends the kernel when the front end that started it has died (its parent changed), so a
 * crashed or killed client leaves no kernel behind.
 *
 * ```sh
 * deno run --allow-all --no-config kernels/launcher.ts CONNECTION_FILE
 * ```
 *
 * @module
 */
import { type ConnectionInfo, sendInterruptRequest } from "./interrupt_request.ts";

const FLAG_ENV = "TRAINLARGE_INTERRUPT_FLAG"; // = INTERRUPT_FLAG_ENV in lib/util/interrupt.ts

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

/** How long the kernel's JavaScript has to answer a forwarded SIGINT before it counts as busy. */
const ACK_MS = 2000;

async function answered(path: string, withinMs: number): Promise<boolean> {
  for (const end = performance.now() + withinMs; performance.now() < end;) {
    if (await exists(path)) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return exists(path);
}

async function main(connectionFile: string | undefined): Promise<number> {
  if (!connectionFile) {
    console.error("usage: deno run --allow-all --no-config kernels/launcher.ts CONNECTION_FILE");
    return 2;
  }
  const info: ConnectionInfo = JSON.parse(await Deno.readTextFile(connectionFile));
  const flag = `${connectionFile.replace(/\.json$/, "")}.trainlarge-busy`, ack = `${flag}.ack`;
  await Deno.remove(flag).catch(() => {});
  // `trap '' INT` makes SIGINT ignored in the kernel (ignored dispositions survive exec) until
  // lib/util/interrupt.ts registers its listener: a SIGINT never ends the kernel.
  const kernel = new Deno.Command("/bin/sh", {
    args: ["-c", `trap '' INT && exec "$0" jupyter --kernel --conn "$1"`, Deno.execPath(), connectionFile],
    env: { [FLAG_ENV]: flag },
    stdin: "inherit",
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
  const send = (signal: Deno.Signal) => {
    try {
      kernel.kill(signal);
    } catch { /* already exited */ }
  };
  let busy = false; // one interrupt at a time: a burst of SIGINTs is one press
  Deno.addSignalListener("SIGINT", async () => {
    if (busy) return;
    busy = true;
    try {
      const stoppable = await exists(flag);
      await Deno.remove(ack).catch(() => {});
      send("SIGINT");
      if (!stoppable && !await answered(ack, ACK_MS)) await sendInterruptRequest(info);
    } catch (error) {
      console.error(`trainlarge kernel launcher: ${(error as Error).message}`);
    } finally {
      busy = false;
    }
  });
  for (const signal of ["SIGTERM", "SIGHUP", "SIGQUIT"] as const) {
    Deno.addSignalListener(signal, () => send(signal));
  }
  const parent = Deno.ppid;
  const poller = setInterval(() => Deno.ppid !== parent && send("SIGTERM"), 1000);
  const status = await kernel.status;
  clearInterval(poller);
  await Deno.remove(flag).catch(() => {});
  await Deno.remove(ack).catch(() => {});
  return status.code;
}

if (import.meta.main) Deno.exit(await main(Deno.args[0]));
