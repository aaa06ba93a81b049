/**
 * The process the trainlarge kernelspec starts: it runs Deno's Jupyter kernel (`deno jupyter --kernel`) as
 * its child and owns the stop button. The kernelspec says `interrupt_mode: "signal"`, so every front end
 * (JupyterLab and jupyter_client signal the process group, VS Code the process) sends SIGINT here.
 *
 * Deno's kernel cannot take SIGINT itself: with no listener Deno exits, and a listener cannot run while
 * JavaScript is busy. So the child starts with SIGINT ignored, and on each SIGINT this launcher:
 * - when the kernel is running stoppable work (the file named by `TRAINLARGE_INTERRUPT_FLAG` exists;
 *   see lib/util/interrupt.ts: a training loop or study keeps it while it runs), forwards SIGINT to the
 *   kernel, whose listener stops the work at its next step, after a checkpoint;
 * - otherwise sends Deno's kernel the `interrupt_request` message a front end in "message" mode would
 *   send, which terminates running synchronous JavaScript (`while (true) {}`) and leaves an idle kernel
 *   as it is. (That message would also leave an awaiting training cell hung, hence the flag.)
 *
 * SIGTERM, SIGHUP and SIGQUIT are passed on; the launcher exits with the kernel's exit code.
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

async function main(connectionFile: string | undefined): Promise<number> {
  if (!connectionFile) {
    console.error("usage: deno run --allow-all --no-config kernels/launcher.ts CONNECTION_FILE");
    return 2;
  }
  const info: ConnectionInfo = JSON.parse(await Deno.readTextFile(connectionFile));
  const flag = `${connectionFile.replace(/\.json$/, "")}.trainlarge-busy`;
  await Deno.remove(flag).catch(() => {});
  // `trap '' INT` makes SIGINT ignored in the kernel (ignored dispositions survive exec); a listener
  // registered by lib/util/interrupt.ts replaces that, so only stoppable work ever sees SIGINT.
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
      if (await exists(flag)) send("SIGINT");
      else await sendInterruptRequest(info);
    } catch (error) {
      console.error(`trainlarge kernel launcher: ${(error as Error).message}`);
    } finally {
      busy = false;
    }
  });
  for (const signal of ["SIGTERM", "SIGHUP", "SIGQUIT"] as const) {
    Deno.addSignalListener(signal, () => send(signal));
  }
  const status = await kernel.status;
  await Deno.remove(flag).catch(() => {});
  return status.code;
}

if (import.meta.main) Deno.exit(await main(Deno.args[0]));
