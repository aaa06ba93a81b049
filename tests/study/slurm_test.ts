/**
 * The Slurm executor against a real single-node Slurm started by the test (tests/_support/slurm_cluster.ts):
 * a 4-run study goes to the cluster as a job array; one task is signalled mid-run, checkpoints, requeues
 * itself and resumes from its checkpoint; the results equal the inline executor's. Also: a partition the
 * scheduler rejects, and a task that dies without a status. Under CI=true a missing Slurm fails the test.
 */
import { assert, assertEquals, assertMatch, assertRejects } from "@std/assert";
import { useBackend } from "../../lib/backend/use_backend.ts";
import { runStudy, StudyInterruptedError } from "../../lib/study/runner.ts";
import { queryTasks } from "../../lib/study/slurm/commands.ts";
import { readRecords, readStatus, runDir } from "../../lib/study/store.ts";
import { slurmInstalled, startSlurm } from "../_support/slurm_cluster.ts";
import { requireTool } from "../_support/tools.ts";
import { childKind, exitingKind, loggedKind, type Start } from "./_slurm_kinds.ts";
import { untimed } from "./_support.ts";

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, ms = 90_000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = await probe();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out after ${ms / 1000}s waiting for ${what}`);
}

async function sh(cmd: string, args: string[]) {
  const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  if (!out.success) throw new Error(`${cmd} ${args.join(" ")} failed: ${text(out.stderr)}`);
  return text(out.stdout);
}

const SMOKE = {
  name: "smoke",
  kind: loggedKind,
  base: { maxSteps: 3000, evaluations: 10, dim: 8 }, // long enough to be signalled between two records
  grid: { batchSize: [4, 16], lr: [0.02, 0.05] },
};

Deno.test("slurm executor: a job array on a real Slurm equals the inline study, and a signalled task resumes", async (t) => {
  if (
    !requireTool(
      await slurmInstalled(),
      "a Slurm cluster to start (slurmctld, slurmd, sbatch and munged, run as root)",
      "apt-get install slurm-wlm munge",
    )
  ) return;
  await useBackend("cpu");
  const dir = await Deno.makeTempDir();
  const cluster = await startSlurm();
  const executor = { kind: "slurm" as const, partition: cluster.partition, pollSeconds: 0.5 };
  try {
    await t.step("a job the controller does not know, with no accounting (sacct), has no tasks", async () => {
      assertEquals(await queryTasks("999999"), []);
    });

    await t.step("a partition the scheduler rejects is an error with its message", async () => {
      await assertRejects(
        () =>
          runStudy(SMOKE, {
            store: `${dir}/rejected`,
            progress: "silent",
            executor: { ...executor, partition: "nosuchpartition" },
          }),
        Error,
        "Invalid partition name specified",
      );
    });

    await t.step("4 runs as a job array; task 0 is signalled mid-run and resumes after requeue", async () => {
      const inline = await runStudy(SMOKE, { store: `${dir}/inline`, progress: "silent" });
      const store = `${dir}/slurm`;
      const handle = await runStudy(SMOKE, {
        store,
        progress: "silent",
        backend: "cpu",
        executor: { ...executor, maxParallel: 2 },
      });
      assertMatch(handle.jobId ?? "", /^\d+$/);
      const hashes = (await Deno.readTextFile(`${handle.dirs[0]}/runs.txt`)).trim().split("\n");
      assertEquals(hashes.length, 4);
      const statusesAtReturn = await Promise.all(hashes.map((h) => readStatus(runDir(store, h))));
      assert(statusesAtReturn.every((s) => s === null), "runStudy returned before any run started");
      const attached = await runStudy(SMOKE, { store, progress: "silent", executor });
      assertEquals(
        attached.jobIds,
        handle.jobIds,
        "a second call follows the queued job instead of submitting",
      );

      const target = runDir(store, hashes[0]);
      const signaller = (async () => {
        const rows = await until("task 0's first record", async () => {
          const r = await readRecords(target);
          return r.length > 0 ? r : null;
        });
        // Not awaited: the task ends (requeues) right after the signal, and scancel then keeps retrying
        // "Job can not be altered now" for a minute or more; whether the signal arrived is checked below.
        const scancel = new Deno.Command("scancel", {
          args: ["--signal=USR1", "--batch", `${handle.jobId}_0`],
          stdout: "null",
          stderr: "null",
        }).spawn();
        // Slurm holds a requeued job about two minutes before it may start again (its own safety delay);
        // the test lets it start at once (again if the requeue's end set the hold anew).
        await until("task 0 to be requeued and restarted", async () => {
          const task = (await handle.tasks()).find((x) => x.index === 0);
          if (task?.state === "PENDING" && task.reason === "BeginTime") {
            await sh("scontrol", ["update", `JobId=${handle.jobId}_0`, "StartTime=now"]).catch(() => {});
          }
          return task !== undefined && task.restarts === 1 && task.state !== "PENDING";
        });
        try {
          scancel.kill();
        } catch { /* it has finished */ }
        await scancel.status;
        return rows;
      })();
      const [result, rowsAtSignal] = await Promise.all([handle.wait(), signaller]);

      assertEquals(result.runs.getColumn("status").toArray(), [
        "max_steps",
        "max_steps",
        "max_steps",
        "max_steps",
      ]);
      assertEquals(result.records.toRecords().map(untimed), inline.records.toRecords().map(untimed));
      // wait() ends when every run's status is final; the tasks' processes may still be exiting.
      const tasks = await until("the tasks to complete", async () => {
        const all = await handle.tasks();
        return all.every((x) => x.state === "COMPLETED") ? all : null;
      });
      assertEquals(tasks.map((x) => [x.index, x.run, x.state, x.restarts]), [
        [0, hashes[0], "COMPLETED", 1],
        [1, hashes[1], "COMPLETED", 0],
        [2, hashes[2], "COMPLETED", 0],
        [3, hashes[3], "COMPLETED", 0],
      ]);
      const starts = (h: string) =>
        Deno.readTextFile(`${runDir(store, h)}/work/starts.jsonl`).then((s) =>
          s.trim().split("\n").map((l) => JSON.parse(l) as Start)
        );
      const [first, second, ...more] = await starts(hashes[0]);
      assertEquals(more, []);
      assertEquals(first, { checkpoint: null, firstStep: 300 });
      const resumedAt = Number(second.checkpoint?.replace("step-", ""));
      const signalledAt = rowsAtSignal[rowsAtSignal.length - 1].step as number;
      assert(
        resumedAt >= signalledAt && resumedAt < 3000,
        `resumed from ${second.checkpoint}, signalled at ${signalledAt}`,
      );
      assert(
        second.firstStep! > resumedAt,
        `the resumed run went on from its checkpoint: ${JSON.stringify(second)}`,
      );
      for (const h of hashes.slice(1)) assertEquals((await starts(h)).length, 1, `run ${h} started once`);

      const again = await runStudy(SMOKE, { store, progress: "silent", executor });
      assertEquals(again.jobId, null, "a finished study submits nothing");
      assertEquals((await again.wait()).records.height, result.records.height);
    });

    await t.step(
      "cancel() stops the tasks after a checkpoint; the next call resubmits and they resume",
      async () => {
        const study = { ...SMOKE, name: "cancelled", grid: { seed: [1, 2] } };
        const store = `${dir}/cancelled`;
        const handle = await runStudy(study, { store, progress: "silent", backend: "cpu", executor });
        const hashes = (await Deno.readTextFile(`${handle.dirs[0]}/runs.txt`)).trim().split("\n");
        await until(
          "run 0's first record",
          async () => (await readRecords(runDir(store, hashes[0]))).length > 0,
        );
        await handle.cancel();
        await assertRejects(
          () => handle.wait(),
          StudyInterruptedError,
          "call it again to resume",
        );
        assertEquals((await readStatus(runDir(store, hashes[0])))?.status, "interrupted");
        const again = await runStudy(study, { store, progress: "silent", backend: "cpu", executor });
        assert(
          again.jobId !== null && again.jobId !== handle.jobId,
          "the unfinished runs are submitted again",
        );
        const result = await again.wait();
        assertEquals(result.runs.getColumn("status").toArray(), ["max_steps", "max_steps"]);
        const starts = (await Deno.readTextFile(`${runDir(store, hashes[0])}/work/starts.jsonl`)).trim()
          .split("\n")
          .map((l) => JSON.parse(l) as Start);
        assertEquals(starts.length, 2);
        assert(starts[1].checkpoint !== null, `the resubmitted run resumed: ${JSON.stringify(starts)}`);
      },
    );

    await t.step("runs that start from another run wait for it in a second array", async () => {
      const study = {
        name: "children",
        kind: childKind,
        base: { maxSteps: 300, evaluations: 2, dim: 4 },
        grid: { lr: [0.02, 0.05] },
      };
      const handle = await runStudy(study, {
        store: `${dir}/children`,
        progress: "silent",
        backend: "cpu",
        executor,
      });
      assertEquals(handle.jobIds.length, 2, "the parent's array, then the children's");
      const result = await handle.wait();
      assertEquals(result.runs.getColumn("status").toArray(), ["max_steps", "max_steps"]);
      const inline = await runStudy(study, { store: `${dir}/children-inline`, progress: "silent" });
      assertEquals(result.records.toRecords().map(untimed), inline.records.toRecords().map(untimed));
    });

    await t.step("a task that dies without a status is failed with its Slurm state and stderr", async () => {
      const study = {
        name: "dies",
        kind: exitingKind,
        base: { maxSteps: 40, evaluations: 2, dim: 4 },
        grid: { noise: [0.5, 13] },
      };
      const handle = await runStudy(study, {
        store: `${dir}/dies`,
        progress: "silent",
        backend: "cpu",
        executor,
      });
      const result = await handle.wait();
      assertEquals(result.runs.getColumn("status").toArray(), ["max_steps", "failed"]);
      const hash = result.runs.getColumn("run").toArray()[1] as string;
      const error = (await readStatus(runDir(`${dir}/dies`, hash)))?.error ?? "";
      assert(error.includes("FAILED (exit code 7:0)"), error);
      assert(error.includes("linreg-exiting: noise 13, giving up the whole process"), error);
    });
  } catch (e) {
    (e as Error).message += `\n${await cluster.logs()}`;
    throw e;
  } finally {
    await cluster.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
