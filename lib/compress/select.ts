/**
 * Which tensors of a named parameter record compression touches.
 *
 * Compression works on any `Record<string, Tensor>`; it never assumes one model's naming. By default it
 * selects every weight matrix (rank ≥ 2) except embeddings, the usual choice in the pruning literature
 * (and in the paper, which prunes and quantizes the Transformer's linear layers).
 *
 * @module
 */
import { OptionError } from "../util/options.ts";
import type { Tensor } from "../backend/tf.ts";

/** A tensor record keyed by parameter name (a model's parameters, or masks for them). */
export type TensorRecord = Record<string, Tensor>;

/** How to choose tensors; shared by pruning, quantization and the compressed file writer. */
export interface SelectOptions {
  /** Names to consider: a regex tested against the name, or a predicate. Default: every tensor of rank ≥ 2. */
  include?: RegExp | ((name: string, tensor: Tensor) => boolean);
  /** Also select embedding tables (names matching `embeddingPattern`). Default false. */
  includeEmbeddings?: boolean;
  /** What counts as an embedding. Default `/embed/i` (HF: `embeddings.word_embeddings.weight`). */
  embeddingPattern?: RegExp;
}

/** Frozen defaults of `SelectOptions`. */
export const SELECT_DEFAULTS: Readonly<{ includeEmbeddings: boolean; embeddingPattern: RegExp }> = Object
  .freeze({ includeEmbeddings: false, embeddingPattern: /embed/i });

/**
 * Names of the tensors `options` selects, in the record's key order (the order global pruning
 * concatenates them in).
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { tf } from "../backend/tf.ts";
 * import { selectTensors } from "./select.ts";
 * const params = { "embeddings.weight": tf.zeros([4, 2]), "l0.weight": tf.zeros([2, 2]), "l0.bias": tf.zeros([2]) };
 * assert(selectTensors(params).join() === "l0.weight");
 * assert(selectTensors(params, { includeEmbeddings: true }).join() === "embeddings.weight,l0.weight");
 * Object.values(params).forEach((t) => t.dispose());
 * ```
 */
export function selectTensors(params: TensorRecord, options: SelectOptions = {}): string[] {
  // `??` rather than spreading, so an explicit `undefined` (forwarded options) still gets the default.
  const includeEmbeddings = options.includeEmbeddings ?? SELECT_DEFAULTS.includeEmbeddings;
  const embeddingPattern = options.embeddingPattern ?? SELECT_DEFAULTS.embeddingPattern;
  const include = options.include;
  const names: string[] = [];
  for (const [name, t] of Object.entries(params)) {
    const wanted = include === undefined
      ? t.rank >= 2
      : include instanceof RegExp
      ? (include.lastIndex = 0, include.test(name)) // a /g or /y regex would otherwise carry state
      : include(name, t);
    if (!wanted) continue;
    if (!includeEmbeddings && embeddingPattern.test(name)) continue;
    names.push(name);
  }
  return names;
}

/** The option names of `SelectOptions`, for the callers' unknown-option checks. */
export const SELECT_KEYS: readonly string[] = ["include", "includeEmbeddings", "embeddingPattern"];

/**
 * `selectTensors`, but an explicit `include` that selects no tensor is an `OptionError` naming a few of
 * the record's tensors (a typo in a regex must not silently compress nothing).
 *
 * @example
 * ```ts
 * import { assertThrows } from "@std/assert";
 * import { tf } from "../backend/tf.ts";
 * import { selectSome } from "./select.ts";
 * const params = { "l0.weight": tf.zeros([2, 2]) };
 * assertThrows(() => selectSome("prune", params, { include: /layer/ }), Error, "l0.weight");
 * params["l0.weight"].dispose();
 * ```
 */
export function selectSome(where: string, params: TensorRecord, options: SelectOptions = {}): string[] {
  const names = selectTensors(params, options);
  if (names.length === 0 && options.include !== undefined) {
    const some = Object.keys(params).slice(0, 4).join(", ");
    throw new OptionError(
      where,
      "include",
      `\`include\` ${
        options.include instanceof RegExp ? options.include : "(a predicate)"
      } selects no tensor; ` +
        `the record has ${some}${Object.keys(params).length > 4 ? ", …" : ""}` +
        (options.includeEmbeddings ? "" : " (embeddings are excluded unless includeEmbeddings: true)"),
    );
  }
  return names;
}
