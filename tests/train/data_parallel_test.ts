/**
 * Data-parallel training over MPI, end to end: `mpiexec -n 2` ranks of tests/train/_data_parallel_rank.ts
 * against one process running the same script. Needs Debian's `mpich` (skipped without it, failed under
 * CI=true). Tolerance: float32 summation order only — each rank sums its rows' weighted loss, then the
 * all-reduce adds the two ranks' sums — so losses, gradient norms and validation losses agree to 1e-5
 * relative and parameters to 1e-5 absolute over 20 AdamW steps (measured: about 2e-7).
 */
import { assert, assertEquals, assertMatch, assertStringIncludes } from "@std/assert";
import { commandWorks, requireTool } from "../_support/tools.ts";

const PROJECT = decodeURIComponent(new URL("../..", import.meta.url).pathname);
const RANK_SCRIPT = "tests/train/_data_parallel_rank.ts";
const HAS_MPIEXEC = await commandWorks("mpiexec", ["--version"]);
const mpiTest = (name: string, fn: () => Promise<void>) =>
  Deno.test(name, async () => {
    if (requireTool(HAS_MPIEXEC, "mpiexec (MPICH)", "apt-get install mpich")) await fn();
  });

interface Result {
  code: number;
  output: string;
  seconds: number;
}

/** Runs `deno run -A` of the rank script, through `mpiexec -n 2` unless `single`; killed after 90 s. */
async function launch(
  out: string,
  mode: string,
  options: { single?: boolean; env?: Record<string, string> } = {},
) {
  const deno = ["run", "-A", RANK_SCRIPT, out, mode, ...(options.single ? ["none"] : [])];
  const [cmd, args] = options.single
    ? [Deno.execPath(), deno]
    : ["mpiexec", ["-n", "2", Deno.execPath(), ...deno]];
  const start = performance.now();
  const result = await new Deno.Command(cmd, {
    args,
    cwd: PROJECT,
    env: options.env,
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(90_000), // a hang fails the test instead of blocking CI
  }).output();
  const text = new TextDecoder();
  return {
    code: result.code,
    output: text.decode(result.stdout) + text.decode(result.stderr),
    seconds: (performance.now() - start) / 1000,
  } satisfies Result;
}

interface Trace {
  loss: number[];
  gradNorm: number[];
  hash: number[];
  valLoss: number;
  final: Record<string, number[]>;
  status: string;
}

const read = async (path: string): Promise<Trace> => JSON.parse(await Deno.readTextFile(path));

function assertRelClose(actual: number, expected: number, tol: number, what: string) {
  const rel = Math.abs(actual - expected) / Math.abs(expected);
  assert(
    rel <= tol,
    `${what}: ${actual} vs single-process ${expected} (relative ${rel.toExponential(2)} > ${tol})`,
  );
}

mpiTest(
  "2 ranks at global batch B follow one process at batch B (MLM, seq2seq, classification, resume)",
  async () => {
    const single = await Deno.makeTempDir(), parallel = await Deno.makeTempDir();
    const [s, p] = await Promise.all([
      launch(single, "train", { single: true }),
      launch(parallel, "train", { env: { TRAINLARGE_MPI_TIMEOUT: "60" } }), // a desync fails, not hangs
    ]);
    assertEquals(s.code, 0, s.output);
    assertEquals(p.code, 0, p.output);
    // Every tensor the data-parallel steps, evaluations and checkpoints made was disposed, on both ranks.
    for (const rank of [0, 1]) assertStringIncludes(p.output, `rank ${rank}: train done, 0 tensors left`);
    for (const name of ["mlm", "seq2seq", "classification", "resume-first", "resume-second"]) {
      const ref = await read(`${single}/${name}.0.json`);
      const [r0, r1] = [await read(`${parallel}/${name}.0.json`), await read(`${parallel}/${name}.1.json`)];
      assertEquals(r0.loss.length, name.startsWith("resume") ? 10 : 20, name);
      // Identical parameters on every rank after every step, and the same logged values.
      assertEquals(r0.hash, r1.hash, `${name}: parameter hashes differ between ranks`);
      assertEquals([r0.loss, r0.gradNorm, r0.valLoss], [r1.loss, r1.gradNorm, r1.valLoss], name);
      ref.loss.forEach((l, i) => assertRelClose(r0.loss[i], l, 1e-5, `${name} loss at step ${i + 1}`));
      ref.gradNorm.forEach((g, i) =>
        assertRelClose(r0.gradNorm[i], g, 1e-5, `${name} grad norm at step ${i + 1}`)
      );
      assertRelClose(r0.valLoss, ref.valLoss, 1e-5, `${name} validation loss`);
      for (const [param, values] of Object.entries(ref.final)) {
        const worst = Math.max(...values.map((v, i) => Math.abs(v - r0.final[param][i])));
        assert(worst <= 1e-5, `${name} ${param}: final parameters differ by ${worst}`);
      }
    }
    // A wall-clock budget with a time-based schedule: both ranks stop at the same step with equal parameters.
    const [b0, b1] = [await read(`${parallel}/budget.0.json`), await read(`${parallel}/budget.1.json`)];
    assertEquals([b0.status, b0.hash], ["budget", b1.hash]);
    // Rank 1's signal aborted after step 4: both ranks stop after step 5 (its all-reduce carried the abort),
    // which yields no record.
    const [a0, a1] = [await read(`${parallel}/abort.0.json`), await read(`${parallel}/abort.1.json`)];
    assertEquals([a0.status, a0.hash.length, a1.status, a1.hash], ["aborted", 4, "aborted", a0.hash]);
    assertEquals(a0.final, a1.final); // the same fifth update on both ranks
    // An interrupt (the notebook's stop button) on rank 1 alone: the same, and rank 1 ends interrupted.
    const [i0, i1] = [await read(`${parallel}/interrupt.0.json`), await read(`${parallel}/interrupt.1.json`)];
    assertEquals([i0.status, i0.hash.length, i1.status, i1.hash], ["aborted", 4, "interrupted", i0.hash]);
    assertEquals(i0.final, i1.final);
    // The run trained: the loss fell, so the comparison is not between two frozen models.
    const mlm = await read(`${single}/mlm.0.json`);
    assert(mlm.loss.at(-1)! < mlm.loss[0] - 0.1, `MLM loss ${mlm.loss[0]} → ${mlm.loss.at(-1)}`);
  },
);

mpiTest("ranks started with different configurations stop with an error naming the difference", async () => {
  const out = await Deno.makeTempDir();
  const r = await launch(out, "mismatch");
  assertEquals(r.code, 0, r.output);
  const rank1 = await Deno.readTextFile(`${out}/mismatch.1.error`);
  assertStringIncludes(rank1, "seed is 1 on rank 1 but 0 on rank 0");
  assertStringIncludes(await Deno.readTextFile(`${out}/mismatch.0.error`), "different configurations: seed");
});

mpiTest("a rank that exits first does not cut off the others' remaining work", async () => {
  const out = await Deno.makeTempDir();
  const r = await launch(out, "late");
  assertEquals(r.code, 0, r.output);
  assertEquals(await Deno.readTextFile(`${out}/late.1.done`), "finished");
});

mpiTest("a rank that dies ends the whole job with an error instead of a hang", async () => {
  const r = await launch(await Deno.makeTempDir(), "die");
  assert(r.code !== 0, r.output); // hydra sees the killed rank, kills the other and reports it
  assertStringIncludes(r.output, "BAD TERMINATION");
  assertStringIncludes(r.output, "Killed (signal 9)");
});

mpiTest("a rank that exits with status 0 mid-run aborts the job instead of ending it silently", async () => {
  const r = await launch(await Deno.makeTempDir(), "exit0");
  assert(r.code !== 0, r.output);
  assertStringIncludes(r.output, "rank 1 is exiting in the middle of a distributed training run");
});

mpiTest("a rank that stops taking part makes the watchdog abort every rank", async () => {
  const r = await launch(await Deno.makeTempDir(), "hang", { env: { TRAINLARGE_MPI_TIMEOUT: "5" } });
  assert(r.code !== 0, r.output);
  // Rank 0, waiting for rank 1 at step 4 (or, on a loaded machine, a rank waiting for a slow start).
  assertMatch(r.output, /rank [01] waited more than 5 s in an MPI collective/);
  assert(r.seconds < 60, `the job took ${r.seconds} s to end; rank 1 sleeps for 60 s`);
});

Deno.test('distributed: "mpi" without an MPI library fails with the install hint', async () => {
  const code = `import { runCommunicator } from "./lib/train/data_parallel.ts";
    try { runCommunicator("mpi"); } catch (e) { console.log(String(e)); }`;
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["eval", code],
    cwd: PROJECT,
    env: { TRAINLARGE_MPI: "/nonexistent/libmpich.so.12" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const output = new TextDecoder().decode(r.stdout);
  assertStringIncludes(output, "no MPI library could be opened (/nonexistent/libmpich.so.12");
  assertStringIncludes(output, "apt-get install mpich");
});

Deno.test("srun tasks without an MPI plugin train alone, with a warning saying how to make one run", async () => {
  const code = `import { runCommunicator } from "./lib/train/data_parallel.ts";
    import { pendingWarnings } from "./lib/util/warnings.ts";
    console.log(JSON.stringify([runCommunicator(), pendingWarnings().map((w) => w.message)]));`;
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["eval", code],
    cwd: PROJECT,
    env: { SLURM_NTASKS: "4", SLURM_PROCID: "2" },
    stdout: "piped",
  }).output();
  const [comm, warnings] = JSON.parse(new TextDecoder().decode(r.stdout));
  assertEquals(comm, null);
  assertStringIncludes(warnings[0], "srun started 4 tasks without an MPI plugin");
});
