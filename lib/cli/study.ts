/**
 * `deno run -A mod.ts study run-one <store> <hash>`: execute one run of a stored study (used by the
 * subprocess and cluster executors). Exit 0 when the run finished, 1 when it failed, 3 when a signal
 * interrupted it after a checkpoint (a scheduler may requeue it).
 *
 * @module
 */
import { RUN_ONE_EXIT, runOne } from "../study/run_one.ts";
import { FINISHED } from "../study/store.ts";

const USAGE = `usage: deno run -A mod.ts study run-one <store> <run hash>`;

/** The `study` command. */
export async function study(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== "run-one" || rest.length !== 2) {
    console.error(USAGE);
    return sub === "--help" ? 0 : 2;
  }
  const controller = new AbortController();
  const signals: Deno.Signal[] = ["SIGTERM", "SIGINT", "SIGUSR1"];
  const stop = () => controller.abort();
  for (const s of signals) Deno.addSignalListener(s, stop);
  try {
    const status = await runOne(rest[0], rest[1], controller.signal);
    if (status.status === "failed") console.error(`run ${rest[1]} failed: ${status.error}`);
    return FINISHED.has(status.status)
      ? RUN_ONE_EXIT.finished
      : status.status === "interrupted"
      ? RUN_ONE_EXIT.interrupted
      : RUN_ONE_EXIT.failed;
  } finally {
    for (const s of signals) Deno.removeSignalListener(s, stop);
  }
}
