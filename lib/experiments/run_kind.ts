/**
 * The run protocol: every kind of run the studies are made of (MLM pretraining, translation, classification
 * finetuning, gradual pruning, quantize-then-evaluate) is a `RunKind`: a typed config with frozen defaults,
 * a fingerprint of the data it reads, and a `run` generator that yields flat records from the wall-clock
 * training loop and returns a summary. The study layer (`lib/study/`) only sees this interface.
 *
 * A run owns one directory (`RunContext.dir`): it keeps its checkpoints there (all-or-nothing, see
 * `lib/train/checkpoint.ts`) and, when called again on the same directory, resumes from the newest complete
 * checkpoint. A run that starts from another run's weights names that run's full config in its own config
 * (`init`); the study layer makes sure the parent has finished and passes its directory in `RunContext.parents`.
 *
 * @module
 */
import type { TrainRecord } from "../train/loop.ts";

/** A config's plain JSON value (what a run's identity is hashed from). */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * A reference to the run whose final checkpoint another run starts from. A type, not an interface, so that
 * it is itself plain JSON and can be a field of a run's config.
 */
export type ParentRef = {
  /** The parent's run kind, e.g. `"mlm"`. */
  kind: string;
  /** The parent's full (defaults-merged) config. */
  config: { [key: string]: Json };
};

/** What a run is given besides its config. */
export interface RunContext {
  /** The run's own directory (exists, writable): checkpoints and any files the run keeps. */
  dir: string;
  /** For each `ParentRef` field of the config (by field name), the finished parent run's directory. */
  parents: Readonly<Record<string, string>>;
  /** Stops the run at the next step; it then checkpoints and returns status `"aborted"`. */
  signal?: AbortSignal;
  /** Millisecond clock; default `performance.now` (tests inject a fake one). */
  clock?: () => number;
}

/** How a run ended: flat and JSON-safe; becomes one row of a study's `runs` table. */
export interface RunSummary {
  /** Why it stopped: the loop's status ("budget", "max_steps", "target", "nan", "diverged", "aborted"). */
  status: string;
  /** A human-readable reason. */
  message: string;
  /** Updates applied. */
  step: number;
  /** Training seconds (evaluation excluded). */
  seconds: number;
  /** Seconds spent evaluating (excluded from `seconds`). */
  evalSeconds: number;
  /** Training tokens. */
  tokens: number;
  /** Trainable parameters. */
  params: number;
  /** Training FLOPs per token (forward + backward). */
  flopsPerToken: number;
  /** Final metrics (valLoss, valPerplexity, bleu, accuracy, …) as measured at the last evaluation. */
  [metric: string]: string | number | boolean | null;
}

/** One kind of run. `C` is its config: plain JSON, every field defaulted. */
export interface RunKind<C extends { [key: string]: Json }> {
  /** Its name in configs, stores and CLIs, e.g. `"mlm"`. */
  readonly name: string;
  /** Frozen defaults, each commented where the kind is defined. */
  readonly defaults: Readonly<C>;
  /** Merges `overrides` onto the defaults and validates them (unknown keys and bad values are errors). */
  config(overrides?: Partial<C>): C;
  /**
   * A short string that changes whenever the data this config reads changes (corpus version, tokenizer,
   * files' sizes and hashes). Cheap: called for every run of a cached study, without starting a backend.
   */
  fingerprint(config: C): Promise<string>;
  /** Field names of `config` that hold a `ParentRef` (runs that must finish first). */
  parents(config: C): Readonly<Record<string, ParentRef>>;
  /**
   * Trains (or evaluates), resuming from the newest complete checkpoint in `context.dir` when there is one;
   * yields one record per log point (records after a resume continue the step count) and returns the summary.
   * Frees every tensor it made when it finishes, whether it returns or throws.
   */
  run(config: C, context: RunContext): AsyncGenerator<TrainRecord, RunSummary>;
}
