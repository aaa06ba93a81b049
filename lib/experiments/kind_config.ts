/**
 * Config plumbing shared by the run kinds: merging overrides onto frozen defaults one level deep (nested
 * sections such as `model` or `data` merge field by field), the training-length fields every training kind
 * has, the model shape derived from `{layers, width, heads?, ffn?}`, and `ParentRef` checks.
 *
 * @module
 */
import type { Json, ParentRef } from "./run_kind.ts";
import { modelShape } from "../model/config.ts";
import { checkKeys, checkNumber, describe, OptionError } from "../util/options.ts";

/** How long a training run trains, and how often it evaluates; every training kind has these fields. */
export type TrainingLength = {
  /** Wall-clock training budget in seconds (evaluation excluded); null: none (then `maxSteps` is needed). */
  seconds: number | null;
  /** When set, the run is step-bounded: schedule and evaluation points count steps, `seconds` only caps it. */
  maxSteps: number | null;
  /** Peak learning rate (linear warmup over 6% of the run, linear decay to 0 at its end). */
  peakLr: number;
  /** Evaluation points per run (the last one at its end). */
  evaluations: number;
  /** Seed of initialisation, data order and dropout. */
  seed: number;
};

/** A Transformer's size as configs give it: heads and ffn follow the width unless given (`modelShape`). */
export type ModelSize = {
  /** Layers. */
  layers: number;
  /** Model width C. */
  width: number;
  /** Attention heads; null: width / 64 (at least 1, lowered to a divisor of width; `modelShape`). */
  heads: number | null;
  /** Feed-forward width; null: 4 × width. */
  ffn: number | null;
};

/**
 * Merges `overrides` onto `defaults`: unknown keys are errors naming the nearest valid one; fields listed in
 * `sections` (plain objects in the defaults) merge one level deeper, with their own unknown-key check.
 *
 * @example
 * ```ts
 * import { assert, assertThrows } from "@std/assert";
 * import { mergeConfig } from "./kind_config.ts";
 * const d = { seconds: 60, model: { layers: 2, width: 128 } };
 * const c = mergeConfig("mlm", d, { model: { width: 64 } }, ["model"]);
 * assert(c.model.layers === 2 && c.model.width === 64 && c.seconds === 60);
 * assertThrows(() => mergeConfig("mlm", d, { model: { widht: 64 } }, ["model"]), Error, "did you mean `model.width`");
 * assert(mergeConfig("mlm", d, { seconds: undefined }).seconds === 60);
 * ```
 */
export function mergeConfig<C extends { [key: string]: Json }>(
  where: string,
  defaults: Readonly<C>,
  overrides: unknown,
  sections: readonly (keyof C & string)[] = [],
): C {
  checkKeys(where, overrides, Object.keys(defaults));
  // An option given as `undefined` keeps its default (as when it is left out).
  const defined = (x: object) => Object.fromEntries(Object.entries(x).filter(([, v]) => v !== undefined));
  const o = defined(overrides ?? {}) as Partial<C>;
  const out = { ...defaults, ...o } as C;
  for (const key of sections) {
    if (o[key] === undefined) continue;
    checkKeys(where, o[key], Object.keys(defaults[key] as object), `${key}.`);
    (out as Record<string, Json>)[key] = {
      ...(defaults[key] as object),
      ...defined(o[key] as object),
    } as Json;
  }
  return JSON.parse(JSON.stringify(out)); // a plain, unfrozen JSON copy: what run identities are hashed from
}

/** Checks the `TrainingLength` fields of a config. */
export function checkTrainingLength(where: string, c: TrainingLength): void {
  if (c.seconds !== null) checkNumber(where, "seconds", c.seconds, { min: 0 });
  if (c.maxSteps !== null) checkNumber(where, "maxSteps", c.maxSteps, { min: 0, integer: true });
  if (c.seconds === null && c.maxSteps === null) {
    throw new OptionError(
      where,
      "seconds",
      "give `seconds` or `maxSteps` (or both); with neither the run never stops",
    );
  }
  checkNumber(where, "peakLr", c.peakLr, { above: 0 });
  checkNumber(where, "evaluations", c.evaluations, { min: 1, integer: true });
  checkNumber(where, "seed", c.seed, { min: 0, integer: true });
}

/**
 * The encoder shape of a `ModelSize`, checked; heads and feed-forward width not given follow the width
 * through `modelShape` (lib/model/config.ts), the one place that derives them.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { modelSizeShape } from "./kind_config.ts";
 * const s = modelSizeShape("mlm", { layers: 2, width: 128, heads: null, ffn: null });
 * assert(s.numHeads === 2 && s.intermediateSize === 512 && s.numLayers === 2);
 * ```
 */
export function modelSizeShape(
  where: string,
  m: ModelSize,
  prefix = "model",
): { numLayers: number; hiddenSize: number; numHeads: number; intermediateSize: number } {
  checkNumber(where, `${prefix}.layers`, m.layers, { min: 1, integer: true });
  checkNumber(where, `${prefix}.width`, m.width, { min: 1, integer: true });
  if (m.heads !== null) checkNumber(where, `${prefix}.heads`, m.heads, { min: 1, integer: true });
  if (m.ffn !== null) checkNumber(where, `${prefix}.ffn`, m.ffn, { min: 1, integer: true });
  const shape = modelShape(m.width, { numHeads: m.heads ?? undefined, intermediateSize: m.ffn ?? undefined });
  if (m.width % shape.numHeads !== 0) {
    throw new OptionError(
      where,
      `${prefix}.heads`,
      `${prefix}.width ${m.width} does not split into ${shape.numHeads} heads; give ${prefix}.heads dividing it`,
    );
  }
  return { numLayers: m.layers, hiddenSize: m.width, ...shape };
}

/** Checks that `value` is a `ParentRef` of one of `kinds` (or null when `nullable`), naming the field. */
export function checkParentRef(
  where: string,
  field: string,
  value: unknown,
  kinds: readonly string[],
  nullable: boolean,
): ParentRef | null {
  if (value === null && nullable) return null;
  const ref = value as ParentRef;
  if (
    ref === null || typeof ref !== "object" || typeof ref.kind !== "string" ||
    ref.config === null || typeof ref.config !== "object" || Array.isArray(ref.config)
  ) {
    throw new OptionError(
      where,
      field,
      `\`${field}\` must be a parent run {kind, config}${nullable ? " or null" : ""}, got ${describe(value)}`,
    );
  }
  if (!kinds.includes(ref.kind)) {
    throw new OptionError(
      where,
      field,
      `\`${field}\` must be a ${kinds.join(" or ")} run, got a "${ref.kind}" run`,
    );
  }
  return ref;
}

/**
 * The parent reference with its config completed and validated by its kind (`kinds[ref.kind].config`), so
 * that a partly given parent and its full spelling are the same run (the same identity hash). Errors say
 * which field of which parent was wrong.
 */
export function fullParentRef(
  where: string,
  field: string,
  ref: ParentRef,
  kinds: Readonly<
    Record<string, { config(overrides?: Partial<{ [key: string]: Json }>): { [key: string]: Json } }>
  >,
): { kind: string; config: { [key: string]: Json } } {
  try {
    return { kind: ref.kind, config: kinds[ref.kind].config(ref.config) };
  } catch (e) {
    throw new OptionError(
      where,
      `${field}.config`,
      `\`${field}\` (a ${ref.kind} run): ${(e as Error).message}`,
    );
  }
}

/** Checks that `value` is a non-empty path string or null, naming the field. */
export function checkPathOrNull(where: string, field: string, value: unknown): void {
  if (value !== null && (typeof value !== "string" || value === "")) {
    throw new OptionError(
      where,
      field,
      `\`${field}\` must be a path (a non-empty string) or null, got ${describe(value)}`,
    );
  }
}

/** Checks that `value` is one of `choices`, naming the field. */
export function checkOneOf<T extends Json>(where: string, field: string, value: T, choices: readonly T[]): T {
  if (!choices.includes(value)) {
    throw new OptionError(
      where,
      field,
      `\`${field}\` must be one of ${choices.map((c) => JSON.stringify(c)).join(", ")}, got ${
        describe(value)
      }`,
    );
  }
  return value;
}
