/**
 * trainlarge: reproduce "Train Large, Then Compress" (Li, Wallace et al., ICML 2020) on your own hardware.
 *
 * Pick a backend, load data, train Transformers of any size under a wall-clock budget, compress them, and
 * see the results as polars DataFrames and Plotly figures in a Deno Jupyter notebook.
 *
 * This entry point is the notebook surface: what a notebook cell calls. Everything else is in a subpath,
 * each with its own docs: `trainlarge/data`, `trainlarge/model`, `trainlarge/train`, `trainlarge/metrics`,
 * `trainlarge/compress`, `trainlarge/experiments`, `trainlarge/study`, `trainlarge/studies`,
 * `trainlarge/display`, `trainlarge/distributed` (MPI) and `trainlarge/native` (the fused ops, the kernel
 * profiler and BLAS threads). The full list, with what each name is: `docs/api.md`.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { tf, useBackend } from "trainlarge";
 * const backend = await useBackend("cpu");
 * assert(backend.name === "cpu");
 * const best = tf.tidy(() => tf.argMax(tf.tensor1d([0.1, 0.7, 0.2])).arraySync());
 * assert(best === 1);
 * ```
 * @module
 */

// Backend: which tfjs backend computes, and tfjs itself.
import { tf as tfjs } from "./lib/backend/mod.ts";
import { inKernel, showWarnings } from "./lib/display/mod.ts";
/**
 * TensorFlow.js (tfjs-core 4.22, every gradient registered) on the backend `useBackend` chose: `tf.argMax`,
 * `tf.tidy`, `tf.memory`, …. The library's own tensor math uses this same instance.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { tf } from "trainlarge";
 * const x = tf.tensor2d([[1, 5], [7, 2]]);
 * assert((await tf.argMax(x, 1).data()).join() === "1,0");
 * tf.dispose(x);
 * ```
 */
export const tf: typeof tfjs = tfjs;
export { backendNames, useBackend } from "./lib/backend/mod.ts";
export type {
  BackendDescription,
  BackendName,
  Scalar,
  Tensor,
  Tensor2D,
  Variable,
} from "./lib/backend/mod.ts";
export { onWarning } from "./lib/util/warnings.ts";
export type { Warning } from "./lib/util/warnings.ts";
export { OptionError } from "./lib/util/options.ts";
export { InputError } from "./lib/util/input_error.ts";
// The notebook's stop button: training cells stop after a checkpoint and throw InterruptedError.
export { interrupt, InterruptedError, interruptScope } from "./lib/util/interrupt.ts";
export type { InterruptScope } from "./lib/util/interrupt.ts";

// Data: bundled corpora, loaders for your own files, tokenizers, batches.
export {
  classificationBatches,
  generateTranslationCorpus,
  loadTextDocuments,
  loadTokenizer,
  loadTranslationTokenized,
  loadWordNetClassification,
  loadWordNetCorpus,
  loadWordNetTokenized,
  mlmBatches,
  readMnli,
  readParallelFiles,
  readTextLabelTable,
  saveTokenizer,
  seq2seqBatches,
  trainBpe,
} from "./lib/data/mod.ts";
export type {
  BatchPosition,
  BatchStream,
  BpeSpec,
  BpeTokenizer,
  ClassificationBatch,
  ClassificationBatchOptions,
  ClassificationDataset,
  EncodedPair,
  LabelledTexts,
  MlmBatch,
  MlmBatchOptions,
  NliExample,
  Seq2SeqBatch,
  Seq2SeqBatchOptions,
  SpecialIds,
  TextDocumentOptions,
  TextExample,
  TextLabelTableOptions,
  TextPair,
  TokenizedDocs,
  TokenizedExample,
  TokenizedPair,
  Tokenizer,
  TrainBpeOptions,
  TranslationCorpus,
  TranslationCorpusOptions,
  TranslationTokenized,
  TranslationTokenizedOptions,
  WordNetCorpus,
  WordNetSplitOptions,
  WordNetTokenized,
  WordNetTokenizedOptions,
} from "./lib/data/mod.ts";

// Models: configs, constructors, losses, decoding, sizes.
export {
  beamSearch,
  classificationLoss,
  classifierLogits,
  disposeParams,
  encoderConfig,
  encoderForward,
  flopsPerToken,
  greedyDecode,
  initClassifier,
  initEncoder,
  initSeq2Seq,
  mlmLoss,
  paramCount,
  seq2seqConfig,
  seq2seqLoss,
} from "./lib/model/mod.ts";
export type {
  BeamOptions,
  DecodeOptions,
  EncoderConfig,
  EncoderInput,
  FlopsOptions,
  ForwardOptions,
  InitClassifierOptions,
  InitEncoderOptions,
  LayerNormPosition,
  ParamCountOptions,
  Params,
  RngState,
  Seq2SeqConfig,
  Seq2SeqLossOptions,
  SourceInput,
} from "./lib/model/mod.ts";

// Training: the optimizer, one step, the wall-clock loop, tasks, checkpoints.
export {
  arraySource,
  budgetSchedule,
  classificationTask,
  createAdamW,
  disposeAdamW,
  evaluate,
  loadCheckpoint,
  loadParams,
  mlmTask,
  saveCheckpoint,
  saveParams,
  seq2seqTask,
  train,
  trainRecords,
  trainStep,
} from "./lib/train/mod.ts";
export type {
  AdamW,
  AdamWConfig,
  CheckpointContents,
  DecayKind,
  Distributed,
  EvalContext,
  EvalHook,
  LoadCheckpointOptions,
  ParamsFileOptions,
  RunStatus,
  SaveCheckpointOptions,
  Schedule,
  StepResult,
  Task,
  TrainCheckpointOptions,
  TrainerState,
  TrainOptions,
  TrainRecord,
  TrainResult,
  TrainStepOptions,
} from "./lib/train/mod.ts";

// Metrics.
export { accuracy, bleu, chrf, perplexity, sentenceBleu, sentenceChrf } from "./lib/metrics/mod.ts";
export type {
  AccuracyOptions,
  BleuOptions,
  BleuScore,
  BleuSmooth,
  BleuTokenizerName,
  ChrfOptions,
} from "./lib/metrics/mod.ts";

// Compression: pruning, quantization, reports, compressed files.
export {
  applyMasks,
  encoderUnitGroups,
  fakeQuantizeRecord,
  loadCompressed,
  magnitudeMasks,
  maskedCopy,
  saveCompressed,
  sparsityReport,
  unitMasks,
} from "./lib/compress/mod.ts";
export type {
  CubicSchedule,
  EncoderUnitGroups,
  FakeQuantizeResult,
  MagnitudePruneOptions,
  QuantizeOptions,
  QuantizeRow,
  SaveCompressedOptions,
  SaveCompressedResult,
  SelectOptions,
  SparsityReport,
  SparsityRow,
  TensorRecord,
  UnitGroup,
  UnitPruneResult,
  UnitSlice,
} from "./lib/compress/mod.ts";

// Experiments: whole runs, and the kinds of run a study is made of (one line per run kind).
export { pretrainMlm } from "./lib/experiments/mod.ts";
export { classifyRun, linregKind, mlmRun, pruneRun, quantizeRun, seq2seqRun } from "./lib/experiments/mod.ts";
export type {
  ClassifyData,
  ClassifyRunConfig,
  EvalSplit,
  Json,
  LinregConfig,
  MlmData,
  MlmRunConfig,
  ModelSize,
  ParentRef,
  PretrainOptions,
  PruneRunConfig,
  QuantizeRunConfig,
  RunContext,
  RunKind,
  RunSummary,
  Seq2SeqData,
  Seq2SeqDecode,
  Seq2SeqRunConfig,
  Seq2SeqSize,
  TrainingLength,
} from "./lib/experiments/mod.ts";

// Studies: the paper's studies as one call each (lib/studies), and runStudy for your own grid of runs,
// cached in a result store.
export {
  batchSizeStudy,
  compressionStudy,
  planBudget,
  pretrainSweep,
  translationSweep,
} from "./lib/studies/mod.ts";
export type {
  BatchSizeSettings,
  BatchSizeStudyOptions,
  BatchSizeStudyResult,
  BudgetPlan,
  CellOptions,
  CompressionSize,
  CompressionStudyOptions,
  CompressionStudyResult,
  Network,
  NoiseScaleSummary,
  PlanBudgetOptions,
  PretrainSweepOptions,
  Scale,
  StepsFit,
  SweepSize,
  TranslationSize,
  TranslationSweepOptions,
} from "./lib/studies/mod.ts";
export { report, reproduce, runStudy, StudyInterruptedError } from "./lib/study/mod.ts";
export type {
  Config,
  Environment,
  ExecutorSpec,
  InlineExecutor,
  LocalExecutorSpec,
  ProcessesExecutor,
  ReportOptions,
  ReproduceOptions,
  Reproduction,
  RunStudyOptions,
  SlurmExecutor,
  SlurmStudy,
  SlurmTask,
  StatusFile,
  StoredRecord,
  StoredStatus,
  StudyDefinition,
  StudyFile,
  StudyFileRun,
  StudyResult,
  StudyTables,
} from "./lib/study/mod.ts";

// Display: figures, tables, progress, show().
export { barFigure, lineFigure, progressBar, scatterFigure, show } from "./lib/display/mod.ts";
export type {
  DataFrame,
  Figure,
  FigureOptions,
  ProgressBar,
  ProgressMode,
  ProgressOptions,
  ProgressRecord,
  ProgressState,
  Showable,
  ShowOptions,
  ShowResult,
  TableOptions,
  Trace,
} from "./lib/display/mod.ts";

// In a notebook, library warnings appear under the cell that caused them (the CLI shows them on stderr).
if (inKernel()) showWarnings();

if (import.meta.main) {
  const { main } = await import("./lib/cli/main.ts");
  Deno.exit(await main(Deno.args));
}
