/**
 * Unit groups for structured pruning of the library's RoBERTa-style encoder (lib/model/encoder.ts: Hugging
 * Face names, PyTorch (out, in) linear layout): one attention-head group and one FFN-neuron group per layer.
 *
 * @module
 */
import type { EncoderConfig } from "../model/config.ts";
import { attentionHeadGroup, ffnNeuronGroup, type UnitGroup } from "./structured_prune.ts";

/** Per-layer head and neuron groups for `unitMasks`. */
export interface EncoderUnitGroups {
  /** `heads[l]`: the attention heads of encoder layer `l`. */
  heads: UnitGroup[];
  /** `neurons[l]`: the FFN hidden neurons of encoder layer `l`. */
  neurons: UnitGroup[];
}

/**
 * Head groups (Q/K/V rows and biases, output-projection columns, head size `hiddenSize / numHeads`) and
 * FFN neuron groups (intermediate rows and bias, output columns) of every layer.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { encoderUnitGroups } from "./encoder_groups.ts";
 * const g = encoderUnitGroups({ numLayers: 2, hiddenSize: 8, numHeads: 2 });
 * assert(g.heads.length === 2 && g.heads[1].unitSize === 4);
 * assert(g.neurons[0].slices[0].name === "roberta.encoder.layer.0.intermediate.dense.weight");
 * ```
 */
export function encoderUnitGroups(
  config: Pick<EncoderConfig, "numLayers" | "hiddenSize" | "numHeads">,
): EncoderUnitGroups {
  const { numLayers, hiddenSize, numHeads } = config;
  if (!Number.isInteger(numHeads) || numHeads < 1 || hiddenSize % numHeads !== 0) {
    throw new Error(
      `encoderUnitGroups: hiddenSize ${hiddenSize} must split into numHeads ${numHeads} equal heads`,
    );
  }
  const heads: UnitGroup[] = [], neurons: UnitGroup[] = [];
  for (let i = 0; i < numLayers; i++) {
    const l = `roberta.encoder.layer.${i}`;
    const proj = ["query", "key", "value"].map((p) => `${l}.attention.self.${p}`);
    heads.push(attentionHeadGroup({
      qkv: proj.map((p) => `${p}.weight`),
      qkvBias: proj.map((p) => `${p}.bias`),
      output: `${l}.attention.output.dense.weight`,
      headSize: hiddenSize / numHeads,
    }));
    neurons.push(ffnNeuronGroup({
      intermediate: `${l}.intermediate.dense.weight`,
      intermediateBias: `${l}.intermediate.dense.bias`,
      output: `${l}.output.dense.weight`,
    }));
  }
  return { heads, neurons };
}
