/**
 * Distributed: data-parallel training over MPI (MPICH through Deno FFI). The communicator and its
 * collectives, launch detection, the agreed clock, the configuration check and the hang watchdog; the
 * training loop's `distributed: "mpi"` option (lib/train/data_parallel.ts) composes them.
 *
 * @module
 */
export { agreeOnConfig } from "./agree.ts";
export { allReduceTensors } from "./all_reduce.ts";
export type { Reduced } from "./all_reduce.ts";
export { agreedClock } from "./clock.ts";
export { broadcastJson, distributedRank, mpiCommunicator, singleProcess } from "./communicator.ts";
export type { CollectiveBuffer, Communicator, ReduceOp } from "./communicator.ts";
export { launchedInParallel, mpiLaunch } from "./launch.ts";
export type { MpiLaunch } from "./launch.ts";
export { MPI_INSTALL_HINT } from "./mpi.ts";
export { DEFAULT_MPI_TIMEOUT_SECONDS, mpiTimeoutSeconds } from "./watchdog.ts";

// Types from lower layers that the signatures above mention (public here too, so the docs are whole).
export type { Tensor } from "../backend/tf.ts";
