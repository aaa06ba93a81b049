/**
 * Runs one stored run by hash: what a subprocess or a cluster task executes
 * (`deno run -A mod.ts study run-one <store> <hash>`). The run's `config.json` (written by the planner)
 * names its kind and config; parents must have finished. SIGTERM, SIGINT and SIGUSR1 make the run
 * checkpoint and stop ("interrupted"), so a scheduler's time-limit signal leads to a clean requeue.
 *
 * @module
 */
import { VERSION } from "../version.ts";
import { executeRun } from "./execute.ts";
import { identify, type PlannedRun } from "./plan.ts";
import { findRunKind } from "./registry.ts";
import { readConfigFile, runDir, type StatusFile } from "./store.ts";

/** Exit codes of `study run-one`: finished, failed, interrupted (requeue me). */
export const RUN_ONE_EXIT: Readonly<{ finished: number; failed: number; interrupted: number }> = Object
  .freeze({
    finished: 0,
    failed: 1,
    interrupted: 3,
  });

/**
 * Executes the run `hash` of the study at `store` and returns its final status. `signal` stops it.
 */
export async function runOne(store: string, hash: string, signal?: AbortSignal): Promise<StatusFile> {
  const dir = runDir(store, hash);
  const file = await readConfigFile(dir);
  if (file === null) {
    throw new Error(
      `${dir}/config.json not found: no run ${hash} in the store ${store} (is the store path right?)`,
    );
  }
  if (file.version !== VERSION) {
    throw new Error(
      `run ${hash} was planned by trainlarge ${file.version}; this is ${VERSION}: re-plan the study`,
    );
  }
  const kind = await findRunKind(file.kind, file.module);
  const id = await identify(kind, file.config, `run ${hash}`);
  if (id.hash !== hash) {
    throw new Error(
      `run ${hash}: its config now hashes to ${id.hash} (data fingerprint ${id.fingerprint} vs stored ` +
        `${file.fingerprint}); the data or the kind changed since the study was planned`,
    );
  }
  const parents: Record<string, string> = {};
  for (const [field, ref] of Object.entries(kind.parents(id.config))) {
    parents[field] =
      (await identify(await findRunKind(ref.kind), ref.config, `run ${hash}: parent ${field}`)).hash;
  }
  const run: PlannedRun = { ...id, kind, label: file.label, dir, parents, dependency: false };
  let parentStores: string[] = [];
  try {
    parentStores = (JSON.parse(await Deno.readTextFile(`${store}/plan.json`)).parentStores ?? []) as string[];
  } catch { /* a store without plan.json: parents are looked up in this store and its siblings */ }
  return await executeRun(run, { store, signal, parentStores });
}
