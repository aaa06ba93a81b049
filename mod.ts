/**
 * trainlarge: reproduce "Train Large, Then Compress" (Li, Wallace et al., ICML 2020) on your own hardware.
 *
 * Pick a backend, load data, train Transformers of any size under a wall-clock budget, compress them, and
 * see the results as polars DataFrames and Plotly figures in a Deno Jupyter notebook.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { useBackend } from "trainlarge";
 * const backend = await useBackend("cpu");
 * assert(backend.name === "cpu");
 * ```
 * @module
 */
export { backendNames, useBackend } from "./lib/backend/mod.ts";
export type {
  BackendDescription,
  BackendName,
  Scalar,
  Tensor,
  Tensor1D,
  Tensor2D,
  Tensor4D,
  Variable,
} from "./lib/backend/mod.ts";
export {
  adamwStep,
  affine,
  attentionCore,
  gelu as fusedGelu,
  kernelProfile,
  layerNorm as fusedLayerNorm,
  logSoftmax as fusedLogSoftmax,
  profileKernels,
  setNativeThreads,
  sumSquares,
} from "./lib/backend/native/mod.ts";
export type { AdamWStep, AttentionCoreDims, KernelTime } from "./lib/backend/native/mod.ts";
export type { Rng, RngState } from "./lib/util/random.ts";
export { interrupt, InterruptedError, interruptScope } from "./lib/util/interrupt.ts";
export type { InterruptScope } from "./lib/util/interrupt.ts";
export * from "./lib/data/mod.ts";
export * from "./lib/model/mod.ts";
export * from "./lib/train/mod.ts";
export * from "./lib/distributed/mod.ts";
export * from "./lib/metrics/mod.ts";
export * from "./lib/compress/mod.ts";
export { DEMO_VOCAB_SIZE, PRETRAIN_DEFAULTS, pretrainMlm } from "./lib/experiments/pretrain.ts";
export type { PretrainOptions } from "./lib/experiments/pretrain.ts";
export * from "./lib/display/mod.ts";
export * from "./lib/study/mod.ts";
export * from "./lib/studies/mod.ts";
export { RUN_KINDS } from "./lib/experiments/kinds.ts";
export type { AnyRunKind, KindConfig } from "./lib/experiments/kinds.ts";
export type { ClassifyData, EvalSplit } from "./lib/experiments/classification_data.ts";
export { MLM_RUN_DEFAULTS, mlmRun } from "./lib/experiments/mlm_run.ts";
export type { MlmData, MlmRunConfig } from "./lib/experiments/mlm_run.ts";
export { SEQ2SEQ_RUN_DEFAULTS, seq2seqRun } from "./lib/experiments/seq2seq_run.ts";
export type {
  Seq2SeqData,
  Seq2SeqDecode,
  Seq2SeqRunConfig,
  Seq2SeqSize,
} from "./lib/experiments/seq2seq_run.ts";
export { CLASSIFY_RUN_DEFAULTS, classifyRun } from "./lib/experiments/classify_run.ts";
export type { ClassifyRunConfig, ParentField } from "./lib/experiments/classify_run.ts";
export { PRUNE_RUN_DEFAULTS, pruneRun } from "./lib/experiments/prune_run.ts";
export type { PruneRunConfig } from "./lib/experiments/prune_run.ts";
export { QUANTIZE_RUN_DEFAULTS, quantizeRun } from "./lib/experiments/quantize_run.ts";
export type { QuantizeRunConfig } from "./lib/experiments/quantize_run.ts";
export type { ModelSize, TrainingLength } from "./lib/experiments/kind_config.ts";
export { LINREG_DEFAULTS, linregKind } from "./lib/experiments/linreg_kind.ts";
export type { LinregConfig } from "./lib/experiments/linreg_kind.ts";
export type { Json, ParentRef, RunContext, RunKind, RunSummary } from "./lib/experiments/run_kind.ts";
export * from "./lib/studies/batch_size_public.ts";

if (import.meta.main) {
  const { main } = await import("./lib/cli/main.ts");
  Deno.exit(await main(Deno.args));
}
