/**
 * The Slurm executor's pieces that need no cluster: the sbatch arguments, the batch script's signal
 * forwarding and requeue (run by bash with a stand-in Deno and `scontrol`), the shared-store rule, and the
 * error when `sbatch` is not on PATH.
 */
import { assert, assertEquals, assertStringIncludes, assertThrows } from "@std/assert";
import { sbatchArguments } from "../../lib/study/slurm/options.ts";
import { taskScript } from "../../lib/study/slurm/script.ts";
import { checkSharedStore } from "../../lib/study/slurm/submit.ts";

Deno.test("sbatchArguments() asks for a throttled, requeueable array signalled before its time limit", () => {
  const args = sbatchArguments(
    {
      kind: "slurm",
      partition: "gpu",
      time: "4:00:00",
      cpusPerTask: 8,
      gpusPerTask: 1,
      maxParallel: 3,
      sbatchArgs: ["--mem=16G"],
    },
    { name: "sizes", count: 5, logs: "/shared/s/logs", after: ["41"] },
  );
  assertEquals(args, [
    "--parsable",
    "--job-name=sizes",
    "--array=0-4%3",
    "--output=/shared/s/logs/%a.out",
    "--error=/shared/s/logs/%a.err",
    "--open-mode=append",
    "--requeue",
    "--signal=B:USR1@120",
    "--ntasks=1",
    "--cpus-per-task=8",
    "--partition=gpu",
    "--time=4:00:00",
    "--gpus=1",
    "--dependency=afterany:41",
    "--mem=16G",
  ]);
});

async function scriptRun(deno: string, signal?: Deno.Signal) {
  const dir = await Deno.makeTempDir();
  await Deno.mkdir(`${dir}/bin`);
  await Deno.writeTextFile(`${dir}/bin/scontrol`, `#!/bin/sh\necho "$@" >> ${dir}/scontrol.txt\n`);
  await Deno.writeTextFile(`${dir}/deno`, deno.replaceAll("$DIR", dir));
  await Deno.chmod(`${dir}/bin/scontrol`, 0o755);
  await Deno.chmod(`${dir}/deno`, 0o755);
  await Deno.writeTextFile(`${dir}/runs.txt`, "aaaaaa\nbbbbbb\n");
  await Deno.writeTextFile(
    `${dir}/job.sh`,
    taskScript({
      store: `${dir}/my store`,
      list: `${dir}/runs.txt`,
      mod: "/project/mod.ts",
      deno: "/nonexistent/deno",
      command: "sbatch …",
    }),
  );
  const child = new Deno.Command("bash", {
    args: [`${dir}/job.sh`],
    env: {
      SLURM_ARRAY_TASK_ID: "1",
      SLURM_JOB_ID: "42",
      TRAINLARGE_DENO: `${dir}/deno`,
      PATH: `${dir}/bin:${Deno.env.get("PATH")}`,
    },
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const started = async () => (await Deno.readTextFile(`${dir}/args.txt`).catch(() => "")).length > 0;
  for (let i = 0; i < 100 && !(await started()); i++) await new Promise((r) => setTimeout(r, 50));
  if (signal) child.kill(signal);
  const out = await child.output();
  const read = (f: string) => Deno.readTextFile(`${dir}/${f}`).catch(() => "");
  const result = {
    code: out.code,
    args: (await read("args.txt")).trim(),
    got: (await read("got.txt")).trim(),
    scontrol: (await read("scontrol.txt")).trim(),
    stderr: new TextDecoder().decode(out.stderr),
  };
  await Deno.remove(dir, { recursive: true });
  return { ...result, dir };
}

const INTERRUPTIBLE = `#!/bin/bash
trap 'echo TERM > $DIR/got.txt; exit 3' TERM
trap 'echo USR1 > $DIR/got.txt; exit 3' USR1
echo "$@" > $DIR/args.txt
while :; do sleep 0.05; done
`;

Deno.test("the batch script runs its task's run and, on SIGUSR1, stops it with SIGTERM and requeues", async () => {
  const r = await scriptRun(INTERRUPTIBLE, "SIGUSR1");
  assertEquals(r.args, `run -A /project/mod.ts study run-one ${r.dir}/my store bbbbbb`);
  assertEquals(r.got, "TERM", "Deno gets SIGTERM (a SIGUSR1 would also open its inspector)");
  assertEquals(r.code, 3);
  assertEquals(r.scontrol, "requeue 42");
  assertStringIncludes(r.stderr, "requeueing task 1");
});

Deno.test("the batch script stops its run on SIGTERM (scancel) without requeueing it", async () => {
  const r = await scriptRun(INTERRUPTIBLE, "SIGTERM");
  assertEquals([r.got, r.code, r.scontrol], ["TERM", 3, ""]);
});

Deno.test("the batch script passes a finished run's exit code on and does not requeue it", async () => {
  const r = await scriptRun(`#!/bin/bash\necho "$@" > $DIR/args.txt\nexit 0\n`);
  assertEquals([r.code, r.scontrol], [0, ""]);
  const failed = await scriptRun(`#!/bin/bash\necho "$@" > $DIR/args.txt\nexit 1\n`);
  assertEquals([failed.code, failed.scontrol], [1, ""]);
});

Deno.test("a store under /tmp is refused when the cluster has more than one node", () => {
  checkSharedStore("/tmp/runs/a", ["n1"]);
  checkSharedStore("/home/me/runs/a", ["n1", "n2"]);
  checkSharedStore("/tmpfs-is-not-tmp/a", ["n1", "n2"]);
  for (const store of ["/tmp/runs/a", "/var/tmp/a", "/dev/shm/a"]) {
    assertThrows(() => checkSharedStore(store, ["n1", "n2", "n3"]), Error, "shared filesystem");
  }
});

Deno.test("without sbatch on PATH the slurm executor says where to run and what to install", async () => {
  const store = await Deno.makeTempDir();
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("./_slurm_missing.ts", import.meta.url).pathname, store],
    env: { PATH: "/nonexistent" },
    stderr: "inherit",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  assertStringIncludes(text, "SlurmMissingError: the slurm executor needs `sbatch` on PATH");
  assertStringIncludes(text, "login node");
  assertStringIncludes(text, "apt-get install slurm-client");
  assert(out.success);
  await Deno.remove(store, { recursive: true });
});

Deno.test("the batch script fails with a clear message on a node without Deno", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.mkdir(`${dir}/bin`);
  for (const tool of ["sed", "date", "hostname"]) {
    const path = (await new Deno.Command("sh", { args: ["-c", `command -v ${tool}`] }).output()).stdout;
    await Deno.symlink(new TextDecoder().decode(path).trim(), `${dir}/bin/${tool}`);
  }
  await Deno.writeTextFile(`${dir}/runs.txt`, "aaaaaa\n");
  const script = taskScript({
    store: `${dir}/store`,
    list: `${dir}/runs.txt`,
    mod: "/project/mod.ts",
    deno: "/nonexistent/deno",
    command: "sbatch …",
  });
  const out = await new Deno.Command("/bin/bash", {
    args: ["-c", script],
    env: { SLURM_ARRAY_TASK_ID: "0", PATH: `${dir}/bin` },
    clearEnv: true,
    stderr: "piped",
  }).output();
  assertEquals(out.code, 1);
  assertStringIncludes(new TextDecoder().decode(out.stderr), "no Deno on");
  await Deno.remove(dir, { recursive: true });
});
