/**
 * Data: bundled offline corpora (WordNet pretraining text, WordNet gloss classification, generated
 * English→French translation), loaders for user data (text, parallel, labelled tables, MNLI), byte-level
 * BPE tokenizers (train, HF `tokenizer.json` load/save) and batchers producing the typed-array batches of
 * `types.ts`.
 *
 * @module
 */
export type {
  ClassificationBatch,
  EncoderInput,
  MlmBatch,
  Seq2SeqBatch,
  SpecialIds,
  Tokenizer,
} from "./types.ts";
export { classificationRows, mlmRows, rowShare, seq2seqRows } from "./batch_rows.ts";
export {
  LEXNAMES,
  loadWordNetCorpus,
  readWordNetSynsets,
  splitSynsets,
  WORDNET_CORPUS_VERSION,
} from "./wordnet.ts";
export type { Synset, WordNetCorpus, WordNetSplit, WordNetSplitOptions } from "./wordnet.ts";
export { classBalance, loadWordNetClassification } from "./wordnet_classification.ts";
export type { ClassBalance, ClassificationDataset, TextExample } from "./wordnet_classification.ts";
export { loadWordNetTokenized } from "./wordnet_tokenized.ts";
export type { WordNetTokenized, WordNetTokenizedOptions } from "./wordnet_tokenized.ts";
export { generateTranslationCorpus, TRANSLATION_DEFAULTS } from "./translation/generator.ts";
export type { TranslationCorpus, TranslationCorpusOptions } from "./translation/generator.ts";
export { loadTextDocuments, readTextDocuments } from "./text_files.ts";
export type { TextDocumentOptions } from "./text_files.ts";
export {
  readParallelFiles,
  readParallelJsonl,
  readParallelParquet,
  readParallelTsv,
} from "./parallel_files.ts";
export type { ParallelFieldOptions, TextPair } from "./parallel_files.ts";
export { MNLI_LABELS, readMnli, readTextLabelTable } from "./labelled_files.ts";
export type { LabelledTexts, NliExample, TextLabelTableOptions } from "./labelled_files.ts";
export { createBpeTokenizer, SPECIAL_TOKENS } from "./bpe_tokenizer.ts";
export type { BpeSpec, BpeTokenizer } from "./bpe_tokenizer.ts";
export { TRAIN_BPE_DEFAULTS, trainBpe } from "./bpe_train.ts";
export type { TrainBpeOptions } from "./bpe_train.ts";
export {
  fromTokenizerJson,
  loadTokenizer,
  saveTokenizer,
  tokenizerFingerprint,
  toTokenizerJson,
} from "./tokenizer_json.ts";
export { tokenizeCached } from "./token_cache.ts";
export type { TokenizedDocs } from "./token_cache.ts";
export { batchStream } from "./batch_stream.ts";
export type { BatchPosition, BatchStream } from "./batch_stream.ts";
export { MLM_DEFAULTS, mlmBatches, mlmValidationBatches } from "./mlm_batches.ts";
export type { MlmBatchOptions } from "./mlm_batches.ts";
export { seq2seqBatches } from "./seq2seq_batches.ts";
export type { Seq2SeqBatchOptions, TokenizedPair } from "./seq2seq_batches.ts";
export { classificationBatches, pairIds } from "./classification_batches.ts";
export type { ClassificationBatchOptions, TokenizedExample } from "./classification_batches.ts";
export { loadTranslationTokenized } from "./translation_tokenized.ts";
export type {
  EncodedPair,
  TranslationTokenized,
  TranslationTokenizedOptions,
} from "./translation_tokenized.ts";
