/**
 * A communicator: the ranks of one data-parallel run and the collectives training needs (all-reduce,
 * broadcast). `mpiCommunicator()` is MPI's world communicator; `singleProcess()` is the trivial one.
 *
 * Collectives are blocking calls on the calling thread (one all-reduce per training step); every rank must
 * call the same collectives in the same order, or the run hangs — see `watchdog.ts` for the guard.
 *
 * @module
 */
import { checkMpi, loadMpi, MPI } from "./mpi.ts";
import { mpiLaunch } from "./launch.ts";
import { armWatchdog } from "./watchdog.ts";

/** Typed arrays the collectives move. */
export type CollectiveBuffer = Float32Array | Float64Array | Int32Array;

/** Reduction operations. */
export type ReduceOp = "sum" | "max" | "min";

/** The ranks of a run and their collectives. */
export interface Communicator {
  /** `"mpi"` or `"single"`. */
  readonly kind: "mpi" | "single";
  /** This process's rank, 0 … size - 1. */
  readonly rank: number;
  /** Number of ranks. */
  readonly size: number;
  /** Reduces `data` element-wise over all ranks, in place (every rank gets the result). */
  allReduce(data: CollectiveBuffer, op?: ReduceOp): void;
  /** Copies `root`'s `data` into every rank's `data` (same length everywhere), in place. */
  broadcast(data: CollectiveBuffer | Uint8Array, root?: number): void;
  /** Ends every rank of the job with exit code `code` (MPI_Abort). */
  abort(code: number): never;
}

/**
 * The communicator of a plain single process: rank 0 of 1; the collectives leave data unchanged.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { singleProcess } from "./communicator.ts";
 * const comm = singleProcess();
 * const x = new Float32Array([1, 2]);
 * comm.allReduce(x);
 * assert(comm.rank === 0 && comm.size === 1 && x[1] === 2);
 * ```
 */
export function singleProcess(): Communicator {
  return {
    kind: "single",
    rank: 0,
    size: 1,
    allReduce: () => {},
    broadcast: () => {},
    abort: (code) => Deno.exit(code),
  };
}

function datatype(data: CollectiveBuffer | Uint8Array): number {
  if (data instanceof Float32Array) return MPI.FLOAT;
  if (data instanceof Float64Array) return MPI.DOUBLE;
  if (data instanceof Int32Array) return MPI.INT;
  return MPI.BYTE;
}

const OPS: Record<ReduceOp, number> = { sum: MPI.SUM, max: MPI.MAX, min: MPI.MIN };

let world: Communicator | undefined;
let holds = 0;

/**
 * Marks this process as inside a distributed run until the returned function is called: exiting meanwhile
 * aborts every rank of the job (a rank that leaves early must not leave the others waiting).
 *
 * @example
 * ```ts
 * import { holdJob } from "./communicator.ts";
 * const release = holdJob();
 * release(); // the run ended normally
 * ```
 */
export function holdJob(): () => void {
  holds++;
  let released = false;
  return () => {
    if (!released) holds--;
    released = true;
  };
}

/**
 * MPI's world communicator; initialises MPI (thread level MULTIPLE, errors returned rather than fatal) on
 * first use. Started by `mpiexec`/`srun` it spans the launched ranks; started alone it is a singleton of
 * size 1. Throws with the install hint when no MPI library is found.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { mpiCommunicator } from "./communicator.ts";
 * try {
 *   const comm = mpiCommunicator(); // started without mpiexec: rank 0 of 1
 *   assert(comm.size >= 1 && comm.rank < comm.size);
 * } catch (e) {
 *   assert(String(e).includes("apt-get install mpich"));
 * }
 * ```
 */
export function mpiCommunicator(): Communicator {
  if (world) return world;
  const { symbols: mpi } = loadMpi();
  const flag = new Int32Array(1);
  checkMpi(mpi.MPI_Initialized(flag), "MPI_Initialized");
  if (!flag[0]) {
    const provided = new Int32Array(1);
    checkMpi(mpi.MPI_Init_thread(null, null, MPI.THREAD_MULTIPLE, provided), "MPI_Init_thread");
  }
  checkMpi(mpi.MPI_Comm_set_errhandler(MPI.COMM_WORLD, MPI.ERRORS_RETURN), "MPI_Comm_set_errhandler");
  const r = new Int32Array(1), s = new Int32Array(1);
  checkMpi(mpi.MPI_Comm_rank(MPI.COMM_WORLD, r), "MPI_Comm_rank");
  checkMpi(mpi.MPI_Comm_size(MPI.COMM_WORLD, s), "MPI_Comm_size");
  const inPlace = Deno.UnsafePointer.create(MPI.IN_PLACE);
  const rank = r[0];
  // A process that ends without MPI_Finalize makes mpiexec end the whole job at once, cutting off ranks
  // still writing their results; so exiting finalizes (which waits for every rank to exit too), except in
  // the middle of a run (`holdJob`), where it aborts every rank instead of leaving them waiting.
  globalThis.addEventListener("unload", () => {
    const done = new Int32Array(1);
    if (mpi.MPI_Finalized(done) !== 0 || done[0]) return;
    if (holds > 0) {
      // Printing is deliberate (library code otherwise prints nothing): the process is exiting, and the
      // other ranks' users need to know why their job ends.
      console.error(
        `trainlarge: rank ${rank} is exiting in the middle of a distributed training run; aborting every ` +
          "rank so that none waits forever",
      );
      mpi.MPI_Abort(MPI.COMM_WORLD, 1);
    }
    mpi.MPI_Finalize();
  });
  world = {
    kind: "mpi",
    rank,
    size: s[0],
    allReduce(data, op = "sum") {
      const disarm = armWatchdog();
      const code = mpi.MPI_Allreduce(inPlace, data, data.length, datatype(data), OPS[op], MPI.COMM_WORLD);
      disarm();
      checkMpi(code, "MPI_Allreduce");
    },
    broadcast(data, root = 0) {
      const disarm = armWatchdog();
      const code = mpi.MPI_Bcast(data, data.length, datatype(data), root, MPI.COMM_WORLD);
      disarm();
      checkMpi(code, "MPI_Bcast");
    },
    abort(code) {
      mpi.MPI_Abort(MPI.COMM_WORLD, code);
      Deno.exit(code); // not reached: MPI_Abort ends the process
    },
  };
  return world;
}

/**
 * Rank `root`'s JSON-safe `value`, on every rank (two broadcasts: length, then UTF-8 bytes). A collective.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { broadcastJson, singleProcess } from "./communicator.ts";
 * assert(broadcastJson(singleProcess(), { status: "nan" }).status === "nan");
 * ```
 */
export function broadcastJson<T>(comm: Communicator, value: T, root = 0): T {
  if (comm.size === 1) return value;
  const mine = comm.rank === root
    ? new TextEncoder().encode(JSON.stringify(value) ?? "null")
    : new Uint8Array();
  const length = new Int32Array([mine.length]);
  comm.broadcast(length, root);
  const bytes = comm.rank === root ? mine : new Uint8Array(length[0]);
  comm.broadcast(bytes, root);
  return JSON.parse(new TextDecoder().decode(bytes));
}

/**
 * This process's rank in its MPI job without starting MPI: the world communicator's rank once MPI is
 * initialised, else the launcher's (`PMI_RANK`, `PMIX_RANK`), else 0. Code that writes files of a
 * data-parallel run (records, status) writes them where this is 0.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { distributedRank } from "./communicator.ts";
 * assert(distributedRank() >= 0);
 * ```
 */
export function distributedRank(): number {
  return world?.rank ?? mpiLaunch()?.rank ?? 0;
}
