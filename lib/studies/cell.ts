/**
 * What every study cell (`pretrainSweep`, `translationSweep`, `batchSizeStudy`, `compressionStudy`) shares:
 * the `scale` presets and the options passed through to `runStudy` (store, seeds, executor, …), one name
 * each, validated the same way.
 *
 * @module
 */
import type { ProgressMode } from "../display/progress.ts";
import type { ExecutorSpec } from "../study/executors.ts";
import type { RunStudyOptions, StudyResult } from "../study/runner.ts";
import type { SlurmStudy } from "../study/slurm/submit.ts";
import type { Config } from "../study/definition.ts";
import type { Json } from "../experiments/run_kind.ts";
import { checkChoice, checkNumber, OptionError } from "../util/options.ts";

/**
 * How big a study is: `"smoke"` runs in under a minute (tests, CI); `"demo"` shows the finding on 2 CPU
 * cores in at most 10 minutes; `"full"` uses paper-like sizes, for a GPU or a cluster.
 */
export type Scale = "smoke" | "demo" | "full";

/** The scales, smallest first. */
export const SCALES: readonly Scale[] = ["smoke", "demo", "full"];

/** Options every study cell takes besides its own. */
export interface CellOptions {
  /** Preset size of the study. Default: `$TRAINLARGE_SCALE`, else `"demo"`. */
  scale?: Scale;
  /** The study's store directory. Default `runs/<study name>-<scale>`. */
  store?: string;
  /** Repeat every config once per seed. Default `[0]`. */
  seeds?: number[];
  /**
   * How missing runs are carried out (see `runStudy`). Default `"inline"`. With `{ kind: "slurm", … }` the
   * cell submits a job array and waits for it (a cell returns data); run the cell again after a restart to
   * follow the same job.
   */
  executor?: ExecutorSpec;
  /** Backend to start (`useBackend`), or for subprocesses. Default: the current one, else auto. */
  backend?: string;
  /** Where the live display draws. Default `"auto"`. */
  progress?: ProgressMode;
  /** Stops the study (the current run checkpoints; the call throws `StudyInterruptedError`). */
  signal?: AbortSignal;
  /** Force runs again (`"all"` or `"failed"`). */
  rerun?: "all" | "failed" | "none";
}

/** The keys of {@linkcode CellOptions}, for `checkKeys`. */
export const CELL_OPTION_KEYS: readonly string[] = [
  "scale",
  "store",
  "seeds",
  "executor",
  "backend",
  "progress",
  "signal",
  "rerun",
];

/**
 * The scale a cell runs at: the option, else `$TRAINLARGE_SCALE`, else `"demo"`; an unknown value is an
 * error naming where it came from.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { resolveScale } from "./cell.ts";
 * assert(resolveScale("pretrainSweep", "smoke") === "smoke");
 * ```
 */
export function resolveScale(where: string, scale: Scale | undefined): Scale {
  if (scale !== undefined) return checkChoice(where, "scale", scale, SCALES)!;
  let env: string | undefined;
  try {
    env = Deno.env.get("TRAINLARGE_SCALE") || undefined;
  } catch {
    env = undefined;
  }
  if (env === undefined) return "demo";
  if (!(SCALES as readonly string[]).includes(env)) {
    throw new OptionError(
      where,
      "scale",
      `TRAINLARGE_SCALE must be one of ${SCALES.join(", ")}, got ${JSON.stringify(env)}`,
    );
  }
  return env as Scale;
}

/** Checks `seeds` (non-empty integers ≥ 0) and returns them, default `[0]`. */
export function resolveSeeds(where: string, seeds: number[] | undefined): number[] {
  if (seeds === undefined) return [0];
  if (!Array.isArray(seeds) || seeds.length === 0) {
    throw new OptionError(
      where,
      "seeds",
      `\`seeds\` must be a non-empty list of integers ≥ 0, got ${JSON.stringify(seeds)}`,
    );
  }
  seeds.forEach((s, i) => checkNumber(where, `seeds[${i}]`, s, { integer: true, min: 0 }));
  return seeds;
}

/** What a run's label adds for its seed: nothing in a one-seed study, ` seed N` in one with several. */
export function seedLabel(seeds: readonly number[], seed: unknown): string {
  return seeds.length > 1 ? ` seed ${seed}` : "";
}

/** The `runStudy` options of a cell's options (store defaults to `runs/<name>`). */
export function studyOptions(options: CellOptions, name: string): RunStudyOptions {
  return {
    store: options.store ?? `runs/${name}`,
    ...(options.executor !== undefined ? { executor: options.executor } : {}),
    ...(options.backend !== undefined ? { backend: options.backend } : {}),
    ...(options.progress !== undefined ? { progress: options.progress } : {}),
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
    ...(options.rerun !== undefined ? { rerun: options.rerun } : {}),
  };
}

/**
 * The result of a cell's `runStudy` call: a Slurm executor's handle is waited for, so a cell always
 * resolves to its study's result.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { cellResult } from "./cell.ts";
 * import { runStudy } from "../study/runner.ts";
 * import { linregKind } from "../experiments/linreg_kind.ts";
 * const store = await Deno.makeTempDir();
 * const study = { name: "lr", kind: linregKind, base: { maxSteps: 20 } };
 * const result = await cellResult(runStudy(study, { store, progress: "silent" }));
 * assert(result.runs.height === 1);
 * await Deno.remove(store, { recursive: true });
 * ```
 */
export async function cellResult(study: Promise<StudyResult | SlurmStudy>): Promise<StudyResult> {
  const out = await study;
  return "wait" in out ? await out.wait() : out;
}

/**
 * A cell's base run config: the scale's preset with every run field the caller gave (`keys`) laid over it.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { presetRun } from "./cell.ts";
 * const run = presetRun({ seconds: 90, batchSize: 32 }, { seconds: 10, scale: "demo" }, ["seconds", "batchSize"]);
 * assert(run.seconds === 10 && run.batchSize === 32 && !("scale" in run));
 * ```
 */
export function presetRun(preset: object, options: object, keys: readonly string[]): Config {
  const run: Config = { ...(preset as Config) };
  for (const k of keys) {
    const v = (options as Record<string, unknown>)[k];
    if (v !== undefined) run[k] = v as Json;
  }
  return run;
}
