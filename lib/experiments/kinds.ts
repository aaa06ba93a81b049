/**
 * The built-in run kinds by name, for the study layer (which imports this module lazily, so a cached study
 * never loads a model).
 *
 * @module
 */
import { classifyRun } from "./classify_run.ts";
import { linregKind } from "./linreg_kind.ts";
import { mlmRun } from "./mlm_run.ts";
import { pruneRun } from "./prune_run.ts";
import { quantizeRun } from "./quantize_run.ts";
import { seq2seqRun } from "./seq2seq_run.ts";
import type { Json, RunKind } from "./run_kind.ts";

/** A run kind of any config. */
// deno-lint-ignore no-explicit-any
export type AnyRunKind = RunKind<any>;

/**
 * Every built-in run kind, by its `name`.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { RUN_KINDS } from "./kinds.ts";
 * assert(Object.entries(RUN_KINDS).every(([name, kind]) => kind.name === name));
 * assert(RUN_KINDS.mlm.defaults.seconds === 60);
 * ```
 */
export const RUN_KINDS: Readonly<Record<string, AnyRunKind>> = Object.freeze({
  mlm: mlmRun,
  seq2seq: seq2seqRun,
  classify: classifyRun,
  prune: pruneRun,
  quantize: quantizeRun,
  linreg: linregKind,
});

/** Config type of a kind, e.g. `KindConfig<typeof mlmRun>`. */
export type KindConfig<K> = K extends RunKind<infer C extends { [key: string]: Json }> ? C : never;
