/**
 * Worker threads that run WebAssembly kernels on the arena's shared memory: the main thread splits a kernel
 * call into parts (disjoint rows or columns of the output), hands one part to each worker and runs one
 * itself, then waits until all are done. Kernels are named by their export (`POOL_FUNCTIONS`); arguments
 * are numbers (byte offsets into the arena, sizes, float32 scalars).
 *
 * Protocol, through a small `SharedArrayBuffer` (`ctl`, Int32) and an argument block (`args`, Float64):
 * `ctl[GEN]` counts dispatches (workers sleep on it with `Atomics.wait`, after a short spin); `ctl[PENDING]`
 * counts parts still running (the last worker to finish wakes the main thread); `ctl[ERROR]` is set when
 * a part threw; `ctl[READY + w]` is 1 once worker w has instantiated the modules, `ctl[TASK + w]` while
 * worker w has a part to take. Parts go only to ready
 * workers, so the pool starts lazily and without blocking: until the workers are up, the main thread runs
 * everything itself.
 *
 * Workers are `node:worker_threads` workers, `unref`-ed so that an idle pool never keeps the process alive;
 * `close()` ends them. State is per pool (no module-level state besides the worker URL).
 *
 * @module
 */
import { Worker } from "node:worker_threads";
import { gemmModule, kernelsModule } from "./modules.ts";

/**
 * What pool workers can run: the GEMM's `sgemm`, the SIMD kernels by name, and JavaScript loops around
 * the worker's own GEMM and kernels: attention over (sequence, head) pairs (`attention_pairs.ts`) and
 * LayerNorm's backward over chunks of rows (`layer_norm_chunks.ts`).
 */
export const POOL_FUNCTIONS: readonly string[] = [
  "sgemm",
  "gelu",
  "gelu_grad",
  "add",
  "sub",
  "mul",
  "layer_norm",
  "softmax_rows",
  "softmax_grad_rows",
  "log_softmax_grad_rows",
  "row_max_sumexp",
  "sub_rows",
  "adamw",
  "dropout",
  "attention_pairs",
  "attention_grad_pairs",
  "layer_norm_grad_chunks",
];

/** Indices into `ctl`: counters, then per worker a ready flag and a has-a-part flag. */
export const GEN = 0, PENDING = 1, ERROR = 2, STOP = 3, READY = 4, TASK = READY + 64;
/** Float64 slots per worker in `args`: function index, argument count, then up to 22 arguments. */
export const SLOT = 24;
/** Length of the error message a worker can pass back. */
export const ERROR_CHARS = 512;
/** Most worker threads a pool starts. */
export const MAX_WORKERS = 64;

/** One part of a split kernel call: an export of `POOL_FUNCTIONS` and its arguments. */
export interface PoolTask {
  /** The export to call. */
  fn: string;
  /** Its arguments (at most 22). */
  args: number[];
}

/** What a worker needs to instantiate the kernels: the shared memory and which GEMM build to use. */
export interface PoolSetup {
  /** The arena's memory. */
  memory: WebAssembly.Memory;
  /** Use the relaxed-SIMD GEMM build. */
  relaxed: boolean;
  /**
   * The system BLAS that attention's pair loops multiply with on a worker (the worker opens it on first
   * use; see `Blas.concurrentCalls`); absent: the worker's built-in GEMM.
   */
  blas?: string;
}

// Iterations of an `Atomics.load` poll before sleeping (workers, for the next dispatch; the main thread,
// for the workers to finish): about 20-50 µs, which covers the gap between consecutive kernels of a step.
const SPIN = 20000;

/**
 * A lazily started pool of `threads − 1` workers plus the calling thread.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { ThreadPool } from "./thread_pool.ts";
 * const memory = new WebAssembly.Memory({ initial: 1, maximum: 16, shared: true });
 * const ran: number[] = [];
 * const pool = new ThreadPool({ memory, relaxed: false }, 1);
 * pool.provide({ gelu: (x: number) => ran.push(x) });
 * pool.run([{ fn: "gelu", args: [7, 0, 0] }]); // one part: runs here, no worker starts
 * assert(ran.join() === "7" && pool.ready === 1);
 * pool.close();
 * ```
 */
export class ThreadPool {
  #setup: PoolSetup;
  #local = new Map<string, (...args: number[]) => unknown>();
  #threads: number;
  #workers: Worker[] = [];
  #ctl = new Int32Array(new SharedArrayBuffer(4 * (TASK + MAX_WORKERS)));
  #args = new Float64Array(new SharedArrayBuffer(8 * SLOT * MAX_WORKERS));
  #error = new Uint16Array(new SharedArrayBuffer(2 * ERROR_CHARS));

  /** `threads` counts the calling thread. */
  constructor(setup: PoolSetup, threads: number) {
    this.#setup = setup;
    this.#threads = checkThreads(threads);
  }

  /** Adds the calling thread's instances of exports (the workers instantiate their own). */
  provide(functions: Record<string, (...args: number[]) => unknown>): void {
    for (const [name, f] of Object.entries(functions)) this.#local.set(name, f);
  }

  /** Threads the pool may use, the calling one included. */
  get threads(): number {
    return this.#threads;
  }

  /** Changes the thread count; extra workers end, missing ones start at the next split call. */
  set threads(n: number) {
    this.#threads = checkThreads(n);
    if (this.#workers.length > n - 1) this.close();
  }

  /**
   * Threads ready to take a part now (the calling one included). The first call starts the workers; they
   * become ready a few milliseconds later.
   */
  get ready(): number {
    if (this.#threads > 1 && this.#workers.length === 0) this.#start();
    let n = 1;
    for (let w = 0; w < this.#workers.length; w++) n += Atomics.load(this.#ctl, READY + w);
    return n;
  }

  /**
   * Runs `tasks` — at most `ready` of them — in parallel: the first on the calling thread, the others on
   * ready workers, and returns when all are done. An error in a worker's part is thrown here.
   */
  run(tasks: PoolTask[]): void {
    if (tasks.length === 0) return;
    const ctl = this.#ctl;
    const workers: number[] = [];
    for (let w = 0; w < this.#workers.length && workers.length < tasks.length - 1; w++) {
      if (Atomics.load(ctl, READY + w) === 1) workers.push(w);
    }
    if (workers.length < tasks.length - 1) {
      throw new Error(`ThreadPool.run: ${tasks.length} parts but only ${workers.length + 1} threads ready`);
    }
    // PENDING is set before any part is published: a worker that wakes early and takes its part at once
    // still counts down from the right number. A worker takes its part by clearing TASK, so it runs once.
    Atomics.store(ctl, ERROR, 0);
    Atomics.store(ctl, PENDING, workers.length);
    workers.forEach((w, i) => this.#write(w, tasks[i + 1]));
    if (workers.length > 0) {
      Atomics.add(ctl, GEN, 1);
      Atomics.notify(ctl, GEN);
    }
    try {
      const local = this.#local.get(tasks[0].fn);
      if (!local) throw new Error(`ThreadPool: no local "${tasks[0].fn}" (call provide first)`);
      local(...tasks[0].args);
    } finally {
      for (let spin = 0; Atomics.load(ctl, PENDING) !== 0; spin++) {
        if (spin > SPIN) Atomics.wait(ctl, PENDING, Atomics.load(ctl, PENDING), 100);
      }
    }
    if (Atomics.load(ctl, ERROR) !== 0) {
      const end = this.#error.indexOf(0);
      const message = String.fromCharCode(...this.#error.subarray(0, end < 0 ? ERROR_CHARS : end));
      throw new Error(`native backend: ${tasks[1]?.fn ?? "a kernel"} failed on a worker thread: ${message}`);
    }
  }

  /** Ends the workers (they are idle between calls); a later split call starts new ones. */
  close(): void {
    if (this.#workers.length === 0) return;
    Atomics.store(this.#ctl, STOP, 1);
    Atomics.add(this.#ctl, GEN, 1);
    Atomics.notify(this.#ctl, GEN);
    for (const w of this.#workers) w.terminate();
    this.#workers = [];
    this.#ctl.fill(0);
  }

  #write(w: number, task: PoolTask): void {
    const fn = POOL_FUNCTIONS.indexOf(task.fn);
    if (fn < 0 || task.args.length > SLOT - 2) {
      throw new Error(`ThreadPool: "${task.fn}" with ${task.args.length} arguments cannot run on a worker`);
    }
    const base = w * SLOT;
    this.#args[base] = fn;
    this.#args[base + 1] = task.args.length;
    this.#args.set(task.args, base + 2);
    Atomics.store(this.#ctl, TASK + w, 1);
  }

  #start(): void {
    const count = Math.min(MAX_WORKERS, this.#threads - 1);
    for (let w = 0; w < count; w++) {
      const worker = new Worker(new URL("./pool_worker.ts", import.meta.url), {
        workerData: {
          ...this.#setup,
          // The compiled modules themselves: one artefact (and one tier-up) for every thread.
          kernels: kernelsModule(),
          gemm: gemmModule(this.#setup.relaxed),
          ctl: this.#ctl.buffer,
          args: this.#args.buffer,
          error: this.#error.buffer,
          index: w,
          spin: SPIN,
        },
      });
      worker.unref();
      this.#workers.push(worker);
    }
  }
}

function checkThreads(n: number): number {
  if (!(Number.isInteger(n) && n >= 1)) {
    throw new Error(`native backend: threads must be a positive integer, got ${n}`);
  }
  return n;
}
