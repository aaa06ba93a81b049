/**
 * Data-parallel training: every rank reads the same global batches from the same source, takes its share
 * of each batch's rows (`Task.shard`), computes gradients, and one all-reduce per step sums them (with the
 * loss) as a single flat float32 buffer; every rank then applies the identical clipped AdamW update.
 *
 * The loss is a mean over a batch's N predictions, so rank r, holding n_r of them, weights its mean loss and
 * gradient by n_r / N (and by 1/k over k accumulated micro-batches): the sum over ranks is then the
 * single-process mean, whatever the split. Evaluation is sharded the same way (every rank evaluates its rows
 * of every validation batch; the prediction-weighted sums are all-reduced), so all ranks see the same
 * validation loss. Time-based decisions use rank 0's clock (`agreedClock`) and an abort on any rank stops
 * every rank at the same step. Rank 0 alone writes checkpoints; `train` hands records to `onRecord` on rank
 * 0 only. A rank that leaves a run early aborts the job when its process exits, and a collective that waits
 * past `TRAINLARGE_MPI_TIMEOUT` aborts it too (see lib/distributed/watchdog.ts).
 *
 * @module
 */
import { tf } from "../backend/tf.ts";
import type { Scalar, Tensor } from "../backend/tf.ts";
import { agreeOnConfig, hashBytes } from "../distributed/agree.ts";
import { allReduceTensors } from "../distributed/all_reduce.ts";
import { agreedClock } from "../distributed/clock.ts";
import { broadcastJson, type Communicator, holdJob, mpiCommunicator } from "../distributed/communicator.ts";
import { launchedInParallel, mpiLaunch } from "../distributed/launch.ts";
import { loadMpi } from "../distributed/mpi.ts";
import { mpiTimeoutSeconds, startWatchdog } from "../distributed/watchdog.ts";
import { warn } from "../util/warnings.ts";
import type { AdamW } from "./adamw.ts";
import type { TrainOptions } from "./loop.ts";
import type { Task } from "./task.ts";
import { applyGradients, stepGradients, type StepResult, type TrainStepOptions } from "./train_step.ts";

/** How a run is spread over processes: `"mpi"` (data-parallel over MPI's ranks) or `"none"`. */
export type Distributed = "mpi" | "none";

/** A data-parallel run in progress (one per `trainRecords` call). */
export interface DataParallel<B> {
  /** The ranks. */
  comm: Communicator;
  /** The caller's options with the agreed clock and the agreed abort signal. */
  options: TrainOptions<B>;
  /**
   * One step over the global micro-batches: local gradients, all-reduce, identical update. `stop` says this
   * rank wants the run to stop (an interrupt); with its own abort signal it stops every rank after the step.
   */
  step(batches: readonly B[], seed: number, options: TrainStepOptions, stop?: boolean): Promise<StepResult>;
  /** Rank 0's `value` on every rank (a decision only rank 0 can take, e.g. whether its checkpoint saved). */
  fromRank0<T>(value: T): T;
  /** Validation loss per prediction over all ranks' shares of `batches`. */
  evaluate(batches: readonly B[]): Promise<number>;
  /** Ends the run normally: waits for every rank, then lets the process exit without aborting the others. */
  finish(): void;
  /** Stops the watchdog; call in `finally`. */
  close(): void;
}

/**
 * The communicator a run uses, or null for a single-process run: `distributed` decides, and when it is
 * undefined a launch by `mpiexec`/`srun` with MPI variables (several ranks) means `"mpi"`.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { runCommunicator } from "./data_parallel.ts";
 * assert(runCommunicator("none") === null);
 * ```
 */
export function runCommunicator(distributed?: Distributed): Communicator | null {
  if (distributed === "none") return null;
  if (distributed !== undefined && distributed !== "mpi") {
    throw new Error(`train: distributed must be "mpi" or "none", got ${JSON.stringify(distributed)}`);
  }
  if (distributed === undefined && !launchedInParallel()) {
    const tasks = Number(environment().SLURM_NTASKS ?? 1);
    if (tasks > 1 && mpiLaunch() === null) {
      warn(
        "train",
        `srun started ${tasks} tasks without an MPI plugin: each trains alone on the whole data. For one ` +
          'data-parallel run use `srun --mpi=pmi2`; pass distributed: "none" if independent runs are meant',
        { once: "srun-without-mpi" },
      );
    }
    return null;
  }
  const launch = mpiLaunch();
  if (launch?.via === "openmpi") {
    throw new Error(
      "train: this process was started by Open MPI's mpirun, but trainlarge binds MPICH's ABI; " +
        "start it with MPICH's mpiexec (Debian: `apt-get install mpich`, then `mpiexec.mpich -n N deno run -A …`)",
    );
  }
  const comm = mpiCommunicator();
  if (launch?.size != null && launch.size !== comm.size) {
    throw new Error(
      `train: the launcher started ${launch.size} ranks but MPI sees ${comm.size}: the mpiexec/srun MPI plugin ` +
        `does not match the MPI library ${loadMpi().path} (use MPICH's mpiexec, or srun --mpi=pmi2 or pmix)`,
    );
  }
  return comm.size > 1 ? comm : null;
}

async function tensorsHash(tensors: Record<string, Tensor>): Promise<number> {
  const hashes: number[] = [];
  for (const name of Object.keys(tensors).sort()) {
    const values = await tensors[name].data() as Float32Array;
    hashes.push(hashBytes(new Uint8Array(values.buffer, values.byteOffset, values.byteLength)));
  }
  return hashBytes(new Uint8Array(new Float64Array(hashes).buffer));
}

/** Everything that must be equal on all ranks, by name (so a mismatch names the field). */
async function runFields<B>(o: TrainOptions<B>): Promise<Record<string, unknown>> {
  const { task, optimizer: opt } = o;
  const shapes = Object.fromEntries(Object.entries(task.params).map(([n, p]) => [n, p.shape]));
  return {
    backend: tf.getBackend(),
    schedule: o.schedule,
    seed: o.seed ?? 0,
    seconds: o.seconds ?? null,
    maxSteps: o.maxSteps ?? null,
    targetValLoss: o.targetValLoss ?? null,
    evalEvery: o.evalEvery ?? null,
    logEverySteps: o.logEverySteps ?? null,
    syncEverySteps: o.syncEverySteps ?? null,
    maxGradNorm: o.maxGradNorm ?? null,
    accumulate: o.accumulate ?? 1,
    divergenceFactor: o.divergenceFactor ?? null,
    checkpoint: o.checkpoint ?? null,
    resume: o.resume ?? null,
    tags: o.tags ?? null,
    dataPosition: o.source.position?.() ?? null,
    validation: o.validation ?? null,
    parameterShapes: shapes,
    parameterValues: await tensorsHash(task.params),
    optimizer: { ...opt.config, step: opt.step },
    optimizerMoments: await tensorsHash({ ...prefixed("m.", opt.m), ...prefixed("v.", opt.v) }),
  };
}

function prefixed(prefix: string, record: Record<string, Tensor>): Record<string, Tensor> {
  return Object.fromEntries(Object.entries(record).map(([n, t]) => [prefix + n, t]));
}

function environment(): Record<string, string> {
  try {
    return Deno.env.toObject();
  } catch {
    return {};
  }
}

const LOSS_KEY = " loss"; // parameter names never start with a space

/** Local gradients of this rank's rows, weighted by their share of each micro-batch's predictions. */
function localGradients<B>(comm: Communicator, task: Task<B>, batches: readonly B[], seed: number) {
  const fns: Array<() => Scalar> = [], weights: number[] = [];
  batches.forEach((batch, j) => {
    const part = task.shard!(batch, comm.rank, comm.size);
    const n = task.predictions(part), total = task.predictions(batch);
    if (total === 0) throw new Error("train: a training batch has no predictions (nothing to learn from)");
    if (n === 0) return; // this rank's rows predict nothing: it contributes zeros
    // Dropout masks differ per rank (seed offset, a prime far from the per-layer offsets of makeDropout), as
    // they would differ per row in one process; with dropout the run matches one process in distribution.
    fns.push(() => task.loss(part, { training: true, seed: seed + 7919 * j + 15485863 * comm.rank }));
    weights.push(n / total / batches.length);
  });
  return stepGradients(task.params, fns, weights);
}

async function step<B>(
  comm: Communicator,
  task: Task<B>,
  optimizer: AdamW,
  batches: readonly B[],
  seed: number,
  options: TrainStepOptions,
  abortHere: boolean,
): Promise<StepResult & { aborted: boolean }> {
  const local = localGradients(comm, task, batches, seed);
  const names = Object.keys(task.params);
  // Fixed layout on every rank: zeros where this rank has no gradient, with a flag saying so.
  const full = tf.tidy(() => {
    const out: Record<string, Tensor> = {};
    for (const n of names) out[n] = local.grads[n] ?? tf.zerosLike(task.params[n]);
    return out;
  });
  full[LOSS_KEY] = local.loss;
  const has = names.map((n) => (n in local.grads ? 1 : 0));
  const reduced = await allReduceTensors(comm, full, [...has, abortHere ? 1 : 0]);
  tf.dispose(Object.values(full)); // holds local.loss and every local gradient
  const grads: Record<string, Tensor> = {};
  names.forEach((n, i) => {
    if (reduced.extra[i] > 0) grads[n] = reduced.tensors[n];
  });
  const gradNorm = applyGradients(task.params, optimizer, grads, options);
  tf.dispose(names.map((n) => reduced.tensors[n]));
  return { loss: reduced.tensors[LOSS_KEY] as Scalar, gradNorm, aborted: reduced.extra[names.length] > 0 };
}

async function evaluateShards<B>(comm: Communicator, task: Task<B>, batches: readonly B[]): Promise<number> {
  const parts: Scalar[] = [];
  let count = 0;
  for (const batch of batches) {
    const part = task.shard!(batch, comm.rank, comm.size);
    const n = task.predictions(part);
    if (n === 0) continue;
    count += n;
    parts.push(tf.tidy(() => tf.mul(task.loss(part, { training: false }), n)));
  }
  const sum = tf.tidy(() => parts.reduce((a, b) => tf.add(a, b), tf.scalar(0)));
  tf.dispose(parts);
  const totals = new Float64Array([(await sum.data())[0], count]);
  sum.dispose();
  comm.allReduce(totals, "sum");
  return totals[0] / totals[1];
}

/**
 * Starts data parallelism for a `trainRecords` call, or returns null for a single-process run. Checks that
 * every rank was given the same configuration, parameters and optimizer state, and starts the watchdog.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { startDataParallel } from "./data_parallel.ts";
 * // Not started by mpiexec: a single-process run.
 * assert(await startDataParallel({ distributed: "none" } as never) === null);
 * ```
 */
export async function startDataParallel<B>(o: TrainOptions<B>): Promise<DataParallel<B> | null> {
  const comm = runCommunicator(o.distributed);
  if (comm === null) return null;
  if (o.noiseScale) {
    throw new Error("train: noiseScale is measured by single-process training only; drop one of them");
  }
  if (!o.task.shard) {
    throw new Error(
      "train: distributed training needs a task with shard(batch, part, parts) to split batches over ranks; " +
        "mlmTask, seq2seqTask and classificationTask have one",
    );
  }
  const stopWatchdog = startWatchdog({
    rank: comm.rank,
    seconds: mpiTimeoutSeconds(),
    library: loadMpi().path,
  });
  const release = holdJob(); // leaving the run early aborts every rank
  try {
    agreeOnConfig(comm, await runFields(o));
  } catch (e) {
    stopWatchdog();
    release();
    throw e;
  }
  const controller = new AbortController();
  const aborted = new Int32Array([o.signal?.aborted ? 1 : 0]);
  comm.allReduce(aborted, "max"); // a run aborted on any rank before it starts takes no step on any
  if (aborted[0]) controller.abort();
  return {
    comm,
    options: {
      ...o,
      clock: agreedClock(comm, o.clock ?? (() => performance.now())),
      signal: controller.signal,
    },
    async step(batches, seed, options, stop = false) {
      const r = await step(
        comm,
        o.task,
        o.optimizer,
        batches,
        seed,
        options,
        stop || (o.signal?.aborted ?? false),
      );
      if (r.aborted) controller.abort();
      return { loss: r.loss, gradNorm: r.gradNorm };
    },
    fromRank0: (value) => broadcastJson(comm, value, 0),
    evaluate: (batches) => evaluateShards(comm, o.task, batches),
    finish() {
      comm.allReduce(new Int32Array(1)); // a barrier: no rank leaves before rank 0's final checkpoint is written
      release();
    },
    close: stopWatchdog,
  };
}
