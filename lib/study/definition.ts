/**
 * A study: a name, a run kind, and the set of run configs it is made of — a base config, a grid over any
 * fields (by dot path, e.g. `"model.width"`), an explicit list of configs, and repeats over seeds. This file
 * turns a definition into its list of run configs; `runStudy` (runner.ts) runs them.
 *
 * @module
 */
import type { Json, RunKind } from "../experiments/run_kind.ts";
import type { Figure } from "../display/figure.ts";
import type { DataFrame } from "../display/data_frame.ts";
import { checkKeys, describe, OptionError } from "../util/options.ts";

/** A JSON object config. */
export type Config = { [key: string]: Json };

/** The tables a study's figures are drawn from. */
export interface StudyTables {
  /** One row per evaluation point per run: record fields, `run` (hash), `label` and the config's fields. */
  records: DataFrame;
  /** One row per run: config fields, `run`, `label`, `status`, and the run's summary. */
  runs: DataFrame;
}

/** What a study is. */
export interface StudyDefinition<C extends Config = Config> {
  /** The study's name; its store defaults to `runs/<name>/`. Letters, digits, `-`, `_` and `.`. */
  name: string;
  /** The kind of every run, or the name of a registered kind (e.g. `"mlm"`). */
  kind: RunKind<C> | string;
  /** Overrides applied to every run (on top of the kind's defaults). */
  base?: Partial<C> | Config;
  /** Field path → values: the cartesian product of all fields (after `base`, crossed with `runs`). */
  grid?: Record<string, readonly Json[]>;
  /** Explicit configs (each on top of `base`); crossed with the grid when both are given. */
  runs?: readonly (Partial<C> | Config)[];
  /** Repeats: each config once per seed (sets the field `seed`). */
  seeds?: readonly number[];
  /** Figures drawn from the study's tables (default: validation loss against training seconds). */
  figures?: (tables: StudyTables) => Figure[];
  /** A short label for a run (progress, legends); default: the grid's and list's values, e.g. `4×256`. */
  label?: (config: C) => string;
}

const DEFINITION_KEYS = ["name", "kind", "base", "grid", "runs", "seeds", "figures", "label"];

/** Sets `value` at dot `path` in a copy of `config` (creating nested objects). */
export function setPath(config: Config, path: string, value: Json): Config {
  const [head, ...rest] = path.split(".");
  if (rest.length === 0) return { ...config, [head]: value };
  const inner = config[head];
  const obj = inner !== null && typeof inner === "object" && !Array.isArray(inner) ? inner as Config : {};
  return { ...config, [head]: setPath(obj, rest.join("."), value) };
}

/** Reads dot `path` of `config` (undefined when absent). */
export function getPath(config: Config, path: string): Json | undefined {
  let x: Json | undefined = config;
  for (const part of path.split(".")) {
    if (x === null || typeof x !== "object" || Array.isArray(x)) return undefined;
    x = (x as Config)[part];
  }
  return x;
}

/** Deep merge of plain objects (arrays and scalars of `over` replace). */
export function mergeConfig(base: Config, over: Config): Config {
  const out: Config = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] =
      v !== null && typeof v === "object" && !Array.isArray(v) && b !== null && typeof b === "object" &&
        !Array.isArray(b)
        ? mergeConfig(b as Config, v as Config)
        : v;
  }
  return out;
}

/** A planned run before defaults: its overrides and its label. */
export interface PlannedRun {
  /** Overrides on top of the kind's defaults. */
  overrides: Config;
  /** Short label from the varied values. */
  label: string;
}

function labelValue(v: Json): string {
  return typeof v === "object" && v !== null ? JSON.stringify(v) : String(v);
}

/**
 * Expands a definition's base, grid, explicit runs and seeds into the list of runs (overrides + label), in a
 * stable order: explicit runs, then grid points (last field varies fastest), then seeds.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { expandRuns } from "./definition.ts";
 * const runs = expandRuns({ name: "s", kind: "mlm", base: { seconds: 30 },
 *   grid: { "model.layers": [2, 4], "model.width": [128, 256] }, seeds: [0, 1] });
 * assert(runs.length === 8);
 * assert(JSON.stringify(runs[0].overrides) === '{"seconds":30,"model":{"layers":2,"width":128},"seed":0}');
 * assert(runs[0].label === "layers=2 width=128 seed=0");
 * ```
 */
export function expandRuns(definition: StudyDefinition<Config>): PlannedRun[] {
  const where = `study "${definition.name}"`;
  checkKeys(where, definition, DEFINITION_KEYS);
  const grid = Object.entries(definition.grid ?? {});
  for (const [path, values] of grid) {
    if (!Array.isArray(values) || values.length === 0) {
      throw new OptionError(
        where,
        `grid.${path}`,
        `grid field \`${path}\` needs a non-empty list of values, got ${describe(values)}`,
      );
    }
  }
  const seeds = definition.seeds;
  if (seeds !== undefined) {
    if (!Array.isArray(seeds) || seeds.length === 0 || !seeds.every((s) => Number.isInteger(s) && s >= 0)) {
      throw new OptionError(
        where,
        "seeds",
        `\`seeds\` must be a non-empty list of integers ≥ 0, got ${describe(seeds)}`,
      );
    }
  }
  const explicit = definition.runs ?? [{}];
  if (!Array.isArray(explicit) || explicit.length === 0) {
    throw new OptionError(
      where,
      "runs",
      `\`runs\` must be a non-empty list of configs, got ${describe(explicit)}`,
    );
  }
  const base = (definition.base ?? {}) as Config;
  const out: PlannedRun[] = [];
  const points: Array<Array<[string, Json]>> = [[]];
  for (const [path, values] of grid) {
    const next: Array<Array<[string, Json]>> = [];
    for (const p of points) for (const v of values) next.push([...p, [path, v]]);
    points.splice(0, points.length, ...next);
  }
  const listLabel = (i: number) => explicit.length > 1 ? `#${i}` : "";
  explicit.forEach((run, i) => {
    for (const point of points) {
      for (const seed of seeds ?? [undefined]) {
        let c = mergeConfig(base, run as Config);
        const parts: string[] = [];
        if (listLabel(i)) parts.push(listLabel(i));
        for (const [path, v] of point) {
          c = setPath(c, path, v);
          parts.push(`${path.split(".").at(-1)}=${labelValue(v)}`);
        }
        if (seed !== undefined) {
          c = { ...c, seed };
          parts.push(`seed=${seed}`);
        }
        out.push({ overrides: c, label: parts.join(" ") || definition.name });
      }
    }
  });
  return out;
}

/**
 * The config's scalar leaves as flat columns named by dot path (`model.width`); arrays and objects inside
 * arrays become JSON strings.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { flattenConfig } from "./definition.ts";
 * const flat = flattenConfig({ seed: 1, model: { width: 64 }, bits: [8, 4], init: null });
 * assert(flat["model.width"] === 64 && flat.bits === "[8,4]" && flat.init === null);
 * ```
 */
export function flattenConfig(config: Config, prefix = ""): Record<string, string | number | boolean | null> {
  const out: Record<string, string | number | boolean | null> = {};
  for (const [k, v] of Object.entries(config)) {
    const name = prefix + k;
    if (v !== null && typeof v === "object" && !Array.isArray(v)) {
      Object.assign(out, flattenConfig(v, `${name}.`));
    } else if (Array.isArray(v)) out[name] = JSON.stringify(v);
    else out[name] = v;
  }
  return out;
}
