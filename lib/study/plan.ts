/**
 * Planning a study: each run's full config (the kind's defaults merged and validated), its data
 * fingerprint and hash, its directory, and the parent runs it starts from (found finished in this store or
 * a sibling store under the same root, else planned as dependencies in this store).
 *
 * @module
 */
import type { Json, RunKind } from "../experiments/run_kind.ts";
import { VERSION } from "../version.ts";
import { type Config, expandRuns, type StudyDefinition } from "./definition.ts";
import { runHash } from "./hash.ts";
import { findRunKind } from "./registry.ts";
import { FINISHED, readStatus, runDir } from "./store.ts";

// deno-lint-ignore no-explicit-any
type AnyKind = RunKind<any>;

/** A run ready to execute or to read from the store. */
export interface PlannedRun {
  /** Its 12-hex-digit identity. */
  hash: string;
  /** Its kind. */
  kind: AnyKind;
  /** Full config. */
  config: Config;
  /** Data fingerprint. */
  fingerprint: string;
  /** Short label. */
  label: string;
  /** Its directory. */
  dir: string;
  /** Parent field → parent run's hash. */
  parents: Record<string, string>;
  /** True for a parent planned only because no finished copy was found. */
  dependency: boolean;
}

/** A run's identity from its kind and overrides. */
export async function identify(
  kind: AnyKind,
  overrides: Config,
  where: string,
): Promise<{ config: Config; fingerprint: string; hash: string }> {
  let config: Config;
  try {
    config = kind.config(overrides) as Config;
  } catch (e) {
    (e as Error).message = `${where}: ${(e as Error).message}`;
    throw e;
  }
  const fingerprint = await kind.fingerprint(config);
  const hash = await runHash({ kind: kind.name, config: config as Json, fingerprint, version: VERSION });
  return { config, fingerprint, hash };
}

async function finishedDir(dir: string): Promise<boolean> {
  const s = await readStatus(dir).catch(() => null);
  return s !== null && FINISHED.has(s.status) && s.status !== "nan" && s.status !== "diverged";
}

/**
 * Where the finished run `hash` lives: this store, then sibling stores under the same parent folder, then
 * `extra` stores (and their sub-stores); null when there is none.
 */
export async function findFinishedRun(
  store: string,
  hash: string,
  extra: readonly string[] = [],
): Promise<string | null> {
  if (await finishedDir(runDir(store, hash))) return runDir(store, hash);
  const parentOf = (dir: string) => dir.replace(/\/+$/, "").split("/").slice(0, -1).join("/") || ".";
  for (const root of [parentOf(store), ...extra]) {
    if (await finishedDir(runDir(root, hash))) return runDir(root, hash);
    try {
      for await (const e of Deno.readDir(root)) {
        if (!e.isDirectory) continue;
        const dir = runDir(`${root}/${e.name}`, hash);
        if (await finishedDir(dir)) return dir;
      }
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  }
  return null;
}

/**
 * Expands and identifies a study's runs; duplicates (same hash) are kept once. Parents are resolved
 * recursively: a parent that is not finished anywhere is planned as a dependency before its children.
 */
export async function planStudy(
  definition: StudyDefinition<Config>,
  store: string,
  parentStores: readonly string[] = [],
): Promise<{ runs: PlannedRun[]; dependencies: PlannedRun[] }> {
  const kind = typeof definition.kind === "string" ? await findRunKind(definition.kind) : definition.kind;
  const planned = expandRuns(definition);
  const runs: PlannedRun[] = [];
  const seen = new Set<string>();
  const dependencies: PlannedRun[] = [];
  const depSeen = new Set<string>();

  const resolveParents = async (
    k: AnyKind,
    config: Config,
    where: string,
  ): Promise<Record<string, string>> => {
    const out: Record<string, string> = {};
    for (const [field, ref] of Object.entries(k.parents(config))) {
      const pk = await findRunKind(ref.kind);
      const id = await identify(pk, ref.config, `${where}: parent \`${field}\``);
      out[field] = id.hash;
      if (depSeen.has(id.hash) || (await findFinishedRun(store, id.hash, parentStores)) !== null) continue;
      depSeen.add(id.hash);
      const parents = await resolveParents(pk, id.config, `${where}: parent \`${field}\``);
      dependencies.push({
        ...id,
        kind: pk,
        label: `${pk.name} ${id.hash.slice(0, 6)} (parent)`,
        dir: runDir(store, id.hash),
        parents,
        dependency: true,
      });
    }
    return out;
  };

  for (const p of planned) {
    const where = `study "${definition.name}", run ${p.label}`;
    const id = await identify(kind, p.overrides, where);
    if (seen.has(id.hash)) continue;
    seen.add(id.hash);
    const label = definition.label ? definition.label(id.config) : p.label;
    const parents = await resolveParents(kind, id.config, where);
    runs.push({ ...id, kind, label, dir: runDir(store, id.hash), parents, dependency: false });
  }
  return { runs, dependencies };
}
