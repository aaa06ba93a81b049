/**
 * Compression: magnitude and structured pruning, the cubic sparsity schedule, k-bit quantization with
 * PyTorch's arithmetic, sparsity/size reports, and a compressed file format. Pruning while finetuning is the
 * `prune` run kind (`pruneRun` of `trainlarge/experiments`), which uses these pieces inside the training loop.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { tf } from "../backend/tf.ts";
 * import { magnitudeMasks, maskedCopy, sparsityReport } from "./mod.ts";
 * const params = { "layer.0.weight": tf.randomNormal([8, 8], 0, 1, "float32", 1) };
 * const masks = await magnitudeMasks(params, { sparsity: 0.75 });
 * const pruned = maskedCopy(params, masks);
 * assert((await sparsityReport(pruned)).overall.nonzero === 16);
 * tf.dispose([...Object.values(params), ...Object.values(masks), ...Object.values(pruned)]);
 * ```
 * @module
 */
export { SELECT_DEFAULTS, selectTensors } from "./select.ts";
export type { SelectOptions, TensorRecord } from "./select.ts";
export { pruneCount, roundHalfEven } from "./select_k.ts";
export { applyMasks, magnitudeMasks, maskedCopy } from "./magnitude_prune.ts";
export type { MagnitudePruneOptions } from "./magnitude_prune.ts";
export { attentionHeadGroup, ffnNeuronGroup, unitMasks } from "./structured_prune.ts";
export type { UnitGroup, UnitPruneResult, UnitSlice, WeightLayout } from "./structured_prune.ts";
export { encoderUnitGroups } from "./encoder_groups.ts";
export type { EncoderUnitGroups } from "./encoder_groups.ts";
export { cubicSparsity, isPruneStep } from "./schedule.ts";
export type { CubicSchedule } from "./schedule.ts";
export { sparsityReport } from "./sparsity_report.ts";
export type { SparsityReport, SparsityRow } from "./sparsity_report.ts";
export {
  dequantizeCodes,
  fakeQuantizeValues,
  QUANTIZE_DEFAULTS,
  quantizeCodes,
  quantizedBits,
  quantParams,
  quantRange,
} from "./quantize.ts";
export type { QuantizeOptions, QuantParams } from "./quantize.ts";
export { fakeQuantizeRecord } from "./quantize_record.ts";
export type { FakeQuantizeResult, QuantizeRow } from "./quantize_record.ts";
export { decodeCompressed, encodeCompressed } from "./compressed_format.ts";
export type { RawTensor, TensorEncoding } from "./compressed_format.ts";
export { encodeRecord, loadCompressed, saveCompressed } from "./compressed_file.ts";
export type { SaveCompressedOptions, SaveCompressedResult } from "./compressed_file.ts";

// Types from lower layers that the signatures above mention (public here too, so the docs are whole).
export type { Tensor, Variable } from "../backend/tf.ts";
export type { EncoderConfig, LayerNormPosition } from "../model/config.ts";
