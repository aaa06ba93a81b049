/**
 * Test support: a real single-node Slurm cluster for one test file. `startSlurm()` starts munged (only if
 * no munge daemon answers yet), then `slurmctld` and `slurmd` in the foreground from a `slurm.conf`
 * generated in a temporary directory (state, spool, pid and log files there; free ports), and points the
 * Slurm client commands at it through `SLURM_CONF`. `stop()` kills exactly the processes it started, by
 * PID, and removes the directory. Needs root (slurmd runs jobs as their submitter) and Debian's
 * `slurm-wlm` and `munge`.
 *
 * @module
 */

/** A running test cluster. */
export interface SlurmCluster {
  /** Its `slurm.conf` (also exported as `SLURM_CONF` while it runs). */
  conf: string;
  /** Its temporary directory. */
  dir: string;
  /** The default partition's name. */
  partition: string;
  /** Stops the daemons this fixture started (by PID) and removes `dir`. */
  stop(): Promise<void>;
  /** The daemons' log tails, for a failing test's message. */
  logs(): Promise<string>;
}

async function run(cmd: string, args: string[], env?: Record<string, string>) {
  try {
    const out = await new Deno.Command(cmd, { args, env, stdout: "piped", stderr: "piped" }).output();
    const text = (b: Uint8Array) => new TextDecoder().decode(b);
    return { ok: out.success, stdout: text(out.stdout), stderr: text(out.stderr) };
  } catch (e) {
    return { ok: false, stdout: "", stderr: (e as Error).message };
  }
}

/** True when the Slurm daemons, client commands and munge are installed and this process is root. */
export async function slurmInstalled(): Promise<boolean> {
  if (Deno.uid() !== 0) return false;
  for (const daemon of ["slurmctld", "slurmd"]) if (!(await run(daemon, ["-V"])).ok) return false;
  // The client commands need a cluster's configuration even for --version: look for them on PATH.
  const path = (Deno.env.get("PATH") ?? "").split(":");
  for (const cmd of ["sbatch", "scontrol", "sinfo", "scancel"]) {
    const found = await Promise.all(path.map((d) => Deno.stat(`${d}/${cmd}`).then(() => true, () => false)));
    if (!found.includes(true)) return false;
  }
  return (await Deno.stat("/usr/sbin/munged").then(() => true, () => false)) &&
    (await Deno.stat("/etc/munge/munge.key").then(() => true, () => false));
}

function freePort(): number {
  const l = Deno.listen({ port: 0, hostname: "127.0.0.1" });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

async function until(what: string, ok: () => Promise<boolean>, ms: number, why: () => Promise<string>) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await ok()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`test Slurm cluster: ${what} within ${ms / 1000}s\n${await why()}`);
}

const mungeWorks = async () => (await run("munge", ["-n"])).ok;

async function tail(path: string, chars = 3000): Promise<string> {
  const text = await Deno.readTextFile(path).catch(() => "");
  return `--- ${path}\n${text.slice(-chars)}`;
}

/**
 * Kills the `slurmstepd`s of this cluster that outlived their slurmd (they daemonize, so they are found by
 * the `SLURM_CONF` in their environment, which names this cluster's configuration file).
 */
async function killStrayStepDaemons(conf: string): Promise<void> {
  for await (const e of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    const read = (f: string) => Deno.readTextFile(`/proc/${e.name}/${f}`).catch(() => "");
    if (!(await read("cmdline")).startsWith("slurmstepd")) continue;
    if (!(await read("environ")).split("\0").includes(`SLURM_CONF=${conf}`)) continue;
    try {
      Deno.kill(Number(e.name), "SIGKILL");
    } catch { /* already gone */ }
  }
}

/** Starts a single-node cluster (see the module doc). */
export async function startSlurm(): Promise<SlurmCluster> {
  const dir = await Deno.makeTempDir({ prefix: "trainlarge-slurm-" });
  const started: Deno.ChildProcess[] = [];
  const host = (await run("hostname", ["-s"])).stdout.trim() || Deno.hostname();
  const cpus = navigator.hardwareConcurrency || 1;
  const memMiB = Math.floor(Deno.systemMemoryInfo().total / 2 ** 20 / 2);
  const partition = "test";
  const conf = `${dir}/slurm.conf`;
  const lines = [
    `ClusterName=trainlarge-test`,
    `SlurmctldHost=${host}(127.0.0.1)`, // no name resolution needed on a bare CI machine
    `SlurmUser=root`,
    `SlurmdUser=root`,
    `SlurmctldPort=${freePort()}`,
    `SlurmdPort=${freePort()}`,
    `AuthType=auth/munge`,
    `CredType=cred/munge`,
    `StateSaveLocation=${dir}/state`,
    `SlurmdSpoolDir=${dir}/spool`,
    `SlurmctldPidFile=${dir}/slurmctld.pid`,
    `SlurmdPidFile=${dir}/slurmd.pid`,
    `SlurmctldLogFile=${dir}/slurmctld.log`,
    `SlurmdLogFile=${dir}/slurmd.log`,
    `ProctrackType=proctrack/linuxproc`,
    `TaskPlugin=task/none`,
    `SelectType=select/cons_tres`,
    `SelectTypeParameters=CR_CPU`,
    `SchedulerType=sched/backfill`,
    `SchedulerParameters=sched_interval=2`,
    `JobAcctGatherType=jobacct_gather/none`,
    `AccountingStorageType=accounting_storage/none`,
    `JobCompType=jobcomp/none`,
    `MpiDefault=none`,
    `SwitchType=switch/none`,
    `ReturnToService=2`,
    `MinJobAge=600`,
    `KillWait=5`,
    `SlurmdTimeout=60`,
    `NodeName=${host} NodeAddr=127.0.0.1 CPUs=${cpus} RealMemory=${memMiB} State=UNKNOWN`,
    `PartitionName=${partition} Nodes=${host} Default=YES MaxTime=INFINITE State=UP`,
  ];
  await Deno.mkdir(`${dir}/state`);
  await Deno.mkdir(`${dir}/spool`);
  await Deno.writeTextFile(conf, lines.join("\n") + "\n");
  const env = { SLURM_CONF: conf };
  const logs = async () => [await tail(`${dir}/slurmctld.log`), await tail(`${dir}/slurmd.log`)].join("\n");
  const stop = async () => {
    // Let the jobs end first: a job step whose slurmd is gone waits for it forever.
    if (started.length > 0 && (await run("scancel", [`--partition=${partition}`], env)).ok) {
      const end = Date.now() + 15_000;
      while (Date.now() < end && (await run("squeue", ["--noheader"], env)).stdout.trim() !== "") {
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    for (const child of started.reverse()) {
      try {
        child.kill("SIGTERM");
      } catch { /* already gone */ }
      const done = await Promise.race([
        child.status.then(() => true),
        new Promise<boolean>((r) => setTimeout(() => r(false), 5000)),
      ]);
      if (!done) {
        try {
          child.kill("SIGKILL");
        } catch { /* already gone */ }
        await child.status;
      }
    }
    await killStrayStepDaemons(conf);
    if (Deno.env.get("SLURM_CONF") === conf) Deno.env.delete("SLURM_CONF");
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };
  const spawn = (cmd: string, args: string[]) => {
    const child = new Deno.Command(cmd, { args, env, stdin: "null", stdout: "null", stderr: "piped" })
      .spawn();
    started.push(child);
    return child;
  };
  try {
    if (!(await mungeWorks())) {
      await Deno.mkdir("/run/munge", { recursive: true });
      await run("chown", ["munge:munge", "/run/munge"]);
      await Deno.chmod("/run/munge", 0o755);
      // setpriv execs munged itself, so the PID we hold is the daemon's (runuser would fork).
      spawn("setpriv", [
        "--reuid=munge",
        "--regid=munge",
        "--clear-groups",
        "/usr/sbin/munged",
        "--foreground",
      ]);
      await until(
        "munged did not answer",
        mungeWorks,
        10_000,
        async () => (await run("munge", ["-n"])).stderr,
      );
    }
    spawn("slurmctld", ["-D", "-f", conf]);
    const ping = async () => (await run("scontrol", ["ping"], env)).stdout.includes("UP");
    await until("slurmctld did not answer `scontrol ping`", ping, 30_000, logs);
    spawn("slurmd", ["-D", "-f", conf]);
    const idle = async () => {
      const out = await run("sinfo", ["--noheader", "--format=%t"], env);
      return /^(idle|mix|alloc)/m.test(out.stdout.trim());
    };
    await until("the node did not become idle", idle, 30_000, logs);
  } catch (e) {
    await stop();
    throw e;
  }
  Deno.env.set("SLURM_CONF", conf);
  return { conf, dir, partition, stop, logs };
}
