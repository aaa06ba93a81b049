/**
 * The watchdog thread (see `watchdog.ts`): checks once a second whether the main thread has been inside one
 * collective past its deadline, and if so explains why on stderr and aborts the MPI job. Printing here is
 * deliberate: the process is about to end, and there is no caller left to hand an error to.
 *
 * @module
 */

interface Start {
  shared: SharedArrayBuffer;
  rank: number;
  seconds: number;
  library: string;
  exitCode: number;
}

const MPI_COMM_WORLD = 0x44000000;

self.onmessage = (event: MessageEvent<Start>) => {
  const { shared, rank, seconds, library, exitCode } = event.data;
  const deadline = new BigInt64Array(shared);
  setInterval(() => {
    const d = Atomics.load(deadline, 0);
    if (d === 0n || BigInt(Date.now()) <= d) return;
    // Written synchronously: MPI_Abort below ends the process at once, and console output from a worker
    // could still be on its way to stderr then (the message was lost that way under load).
    Deno.stderr.writeSync(
      new TextEncoder().encode(
        `trainlarge: rank ${rank} waited more than ${seconds} s in an MPI collective: another rank stopped ` +
          "taking part (it hung, was paused, or left the training loop early). Aborting every rank. " +
          "If a rank legitimately needs longer between steps (a large checkpoint), raise TRAINLARGE_MPI_TIMEOUT.\n",
      ),
    );
    try {
      const mpi = Deno.dlopen(library, { MPI_Abort: { parameters: ["i32", "i32"], result: "i32" } });
      mpi.symbols.MPI_Abort(MPI_COMM_WORLD, exitCode);
    } finally {
      Deno.kill(Deno.pid, "SIGKILL"); // MPI_Abort did not end the process
    }
  }, 1000);
};
