/**
 * The input every corpus-level translation metric (BLEU, chrF) takes: `hypotheses[i]`, the system's output
 * for segment i, and `references[k][i]`, reference stream k's translation of it (sacreBLEU's layout).
 *
 * @module
 */
import { OptionError } from "../util/options.ts";

/**
 * Throws unless `hypotheses` is a non-empty array and `references` a non-empty array of streams, each with
 * one segment per hypothesis; errors start with `where` (the metric) and say what to give instead.
 *
 * @example
 * ```ts
 * import { assertThrows } from "@std/assert";
 * import { checkSegments } from "./segments.ts";
 * checkSegments("bleu", ["a cat"], [["a cat"], ["the cat"]]);
 * assertThrows(() => checkSegments("bleu", ["a"], [["a", "b"]]), Error, "reference stream 0 has 2 segments");
 * assertThrows(() => checkSegments("chrf", [], [[]]), Error, "no hypotheses");
 * ```
 */
export function checkSegments(
  where: string,
  hypotheses: readonly string[],
  references: readonly (readonly string[])[],
): void {
  if (!Array.isArray(hypotheses)) throw new Error(`${where}: hypotheses must be an array of strings`);
  if (hypotheses.length === 0) {
    throw new OptionError(
      where,
      "hypotheses",
      "no hypotheses: give at least one segment (a score of nothing is undefined)",
    );
  }
  if (!Array.isArray(references) || references.length === 0 || !references.every(Array.isArray)) {
    throw new Error(`${where}: references must be a non-empty array of reference streams (references[k][i])`);
  }
  references.forEach((stream, k) => {
    if (stream.length !== hypotheses.length) {
      throw new Error(
        `${where}: reference stream ${k} has ${stream.length} segments but there are ${hypotheses.length} hypotheses`,
      );
    }
  });
}
