/**
 * The batch script of a study's job array. Task i runs the run whose hash is line i + 1 of the list file
 * next to the script: `deno run -A <project>/mod.ts study run-one <store> <hash>`. The shell starts Deno in
 * the background and waits, so a signal to the batch shell (`--signal=B:USR1@…`, `scancel --signal=USR1
 * --batch`, or SIGTERM at preemption) is passed on at once, as SIGTERM (Deno would answer a SIGUSR1 by also
 * opening its inspector port); the run checkpoints and exits 3. After SIGUSR1 (the time-limit warning) the
 * script requeues its own task, which then resumes from that checkpoint; after SIGTERM (scancel) it does not,
 * since Slurm would requeue even a cancelled job.
 *
 * @module
 */

/** What the script needs. */
export interface TaskScript {
  /** The study's store (absolute). */
  store: string;
  /** The list file: one run hash per line, line i + 1 for array task i. */
  list: string;
  /** The project's `mod.ts` (absolute, on the shared filesystem). */
  mod: string;
  /** The Deno executable used when the node has no `TRAINLARGE_DENO` and no `deno` on its PATH. */
  deno: string;
  /** `TRAINLARGE_BACKEND` to export; none: the node's own setting (or auto). */
  backend?: string;
  /** The `sbatch` command line, recorded in the script's header. */
  command: string;
}

/** Single-quotes `s` for bash. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * The batch script's text.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { taskScript } from "./script.ts";
 * const text = taskScript({ store: "/shared/runs/sizes", list: "/shared/runs/sizes/slurm/1/runs.txt",
 *   mod: "/shared/trainlarge/mod.ts", deno: "/usr/bin/deno", command: "sbatch …" });
 * assert(text.startsWith("#!/bin/bash") && text.includes("study run-one '/shared/runs/sizes'"));
 * ```
 */
export function taskScript(t: TaskScript): string {
  return `#!/bin/bash
# Written by trainlarge: one array task per run of a study. Submitted as
#   ${t.command.replace(/\n/g, " ")}
# Task i runs the run whose hash is line i + 1 of ${t.list}.
# Exit codes of \`study run-one\`: 0 finished, 1 failed, 3 interrupted after a checkpoint (requeued here).
set -u
task="\${SLURM_ARRAY_TASK_ID:?not a Slurm array task}"
hash="$(sed -n "$((task + 1))p" ${shellQuote(t.list)})"
if [ -z "$hash" ]; then
  echo "trainlarge: no run for array task $task in ${t.list.replace(/"/g, "")}" >&2
  exit 1
fi
export TRAINLARGE_THREADS="\${SLURM_CPUS_PER_TASK:-1}"
${t.backend ? `export TRAINLARGE_BACKEND=${shellQuote(t.backend)}\n` : ""}
# Deno: $TRAINLARGE_DENO, else the one that submitted the job (same version) when the node can run it, else
# the node's own.
deno="\${TRAINLARGE_DENO:-}"
if [ -z "$deno" ]; then
  if [ -x ${shellQuote(t.deno)} ]; then deno=${shellQuote(t.deno)}; else deno="$(command -v deno || true)"; fi
fi
if [ -z "$deno" ]; then
  echo "trainlarge: no Deno on $(hostname): install it where the nodes see it, or set TRAINLARGE_DENO" >&2
  exit 1
fi
echo "trainlarge: $(date -Is) task \${SLURM_ARRAY_JOB_ID:-?}_$task (job \${SLURM_JOB_ID:-?}, restart \${SLURM_RESTART_COUNT:-0}) runs $hash on $(hostname)" >&2

child=""
requeue=""
stop() { [ -n "$child" ] && kill -TERM "$child" 2>/dev/null; }
trap 'requeue=1; stop' USR1 # the time-limit warning (--signal=B:USR1@…): checkpoint, then requeue
trap stop TERM INT           # scancel, preemption: checkpoint and end (Slurm requeues preempted jobs itself)
"$deno" run -A ${shellQuote(t.mod)} study run-one ${shellQuote(t.store)} "$hash" &
child=$!
while :; do
  wait "$child"
  rc=$?
  kill -0 "$child" 2>/dev/null || break # a trapped signal interrupted \`wait\`: wait again
done
if [ "$rc" -eq 3 ] && [ -n "$requeue" ]; then
  echo "trainlarge: run $hash checkpointed before the time limit; requeueing task $task" >&2
  scontrol requeue "\${SLURM_JOB_ID}" || echo "trainlarge: could not requeue; run the study again to resume" >&2
fi
exit "$rc"
`;
}
