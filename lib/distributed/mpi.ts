/**
 * MPICH through Deno FFI: loads the system MPI library and binds the few calls data-parallel training needs.
 *
 * No C shim is compiled: MPICH's handles are plain integers fixed by its ABI (shared by MPICH, Intel MPI and
 * MVAPICH through `libmpi.so.12`), so communicators, datatypes and operations are the constants below,
 * copied from MPICH's `mpi.h`. Open MPI's handles are pointers to globals and are not supported.
 * `TRAINLARGE_MPI=/path/to/libmpich.so` picks a library explicitly.
 *
 * @module
 */

/** MPICH ABI handles and constants (mpi.h of MPICH 3.x/4.x). */
export const MPI = Object.freeze({
  COMM_WORLD: 0x44000000,
  BYTE: 0x4c00010d,
  INT: 0x4c000405,
  FLOAT: 0x4c00040a,
  DOUBLE: 0x4c00080b,
  MAX: 0x58000001,
  MIN: 0x58000002,
  SUM: 0x58000003,
  ERRORS_RETURN: 0x54000001,
  THREAD_MULTIPLE: 3,
  MAX_ERROR_STRING: 512,
  /** `MPI_IN_PLACE` is `(void *) -1`. */
  IN_PLACE: 0xffff_ffff_ffff_ffffn,
});

const SYMBOLS = {
  MPI_Initialized: { parameters: ["buffer"], result: "i32" },
  MPI_Init_thread: { parameters: ["pointer", "pointer", "i32", "buffer"], result: "i32" },
  MPI_Comm_rank: { parameters: ["i32", "buffer"], result: "i32" },
  MPI_Comm_size: { parameters: ["i32", "buffer"], result: "i32" },
  MPI_Comm_set_errhandler: { parameters: ["i32", "i32"], result: "i32" },
  MPI_Error_string: { parameters: ["i32", "buffer", "buffer"], result: "i32" },
  // sendbuf, recvbuf, count, datatype, op, comm
  MPI_Allreduce: { parameters: ["pointer", "buffer", "i32", "i32", "i32", "i32"], result: "i32" },
  // buffer, count, datatype, root, comm
  MPI_Bcast: { parameters: ["buffer", "i32", "i32", "i32", "i32"], result: "i32" },
  MPI_Barrier: { parameters: ["i32"], result: "i32" },
  MPI_Abort: { parameters: ["i32", "i32"], result: "i32" },
  MPI_Finalize: { parameters: [], result: "i32" },
  MPI_Finalized: { parameters: ["buffer"], result: "i32" },
  MPI_Get_library_version: { parameters: ["buffer", "buffer"], result: "i32" },
} as const;

/** The bound MPI library. */
export type MpiLibrary = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

/** What `loadMpi` found: the bound calls, the file they came from and the library's version string. */
export interface LoadedMpi {
  /** The bound calls. */
  symbols: MpiLibrary;
  /** The file name that was opened. */
  path: string;
}

/** Library names tried in order when `TRAINLARGE_MPI` is not set. */
export const MPI_LIBRARY_NAMES: readonly string[] = [
  "libmpich.so.12",
  "libmpi.so.12",
  "libmpich.so",
  "libmpich.dylib",
];

/** How to install MPICH, for error messages. */
export const MPI_INSTALL_HINT: string =
  "install MPICH (Debian/Ubuntu: `apt-get install mpich`; macOS: `brew install mpich`) " +
  "or point TRAINLARGE_MPI at an MPICH-ABI libmpi.so";

let loaded: LoadedMpi | undefined;

function envLibrary(): string | undefined {
  try {
    return Deno.env.get("TRAINLARGE_MPI") || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Opens the MPI library once (later calls return the same binding). Throws an error naming every file tried
 * and how to install MPICH when none opens.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { loadMpi } from "./mpi.ts";
 * try {
 *   assert(loadMpi().path.includes("mpi"));
 * } catch (e) {
 *   assert(String(e).includes("apt-get install mpich")); // no MPI on this machine: the error says what to do
 * }
 * ```
 */
export function loadMpi(): LoadedMpi {
  if (loaded) return loaded;
  const explicit = envLibrary();
  const names = explicit ? [explicit] : MPI_LIBRARY_NAMES;
  const errors: string[] = [];
  for (const path of names) {
    try {
      const lib = Deno.dlopen(path, SYMBOLS);
      loaded = { symbols: lib.symbols, path };
      return loaded;
    } catch (e) {
      errors.push(`${path}: ${(e as Error).message.split("\n")[0]}`);
    }
  }
  throw new Error(
    `MPI: no MPI library could be opened (${errors.join("; ")}). To fix: ${MPI_INSTALL_HINT}` +
      (explicit ? " (the path came from the TRAINLARGE_MPI environment variable)" : ""),
  );
}

/**
 * Throws a readable error when an MPI call returned a code other than `MPI_SUCCESS` (0).
 *
 * @example
 * ```ts
 * import { checkMpi } from "./mpi.ts";
 * checkMpi(0, "MPI_Barrier"); // success: nothing happens
 * ```
 */
export function checkMpi(code: number, call: string): void {
  if (code === 0) return;
  let text = `error code ${code}`;
  if (loaded) {
    const buffer = new Uint8Array(MPI.MAX_ERROR_STRING), length = new Int32Array(1);
    if (loaded.symbols.MPI_Error_string(code, buffer, length) === 0) {
      text = new TextDecoder().decode(buffer.subarray(0, length[0]));
    }
  }
  throw new Error(`MPI: ${call} failed: ${text}`);
}
