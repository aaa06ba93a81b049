/**
 * The contracts between data and model: batches as plain typed arrays, and the tokenizer interface.
 *
 * Shape vocabulary: B = batch size, T = sequence length (target length for seq2seq), S = source length,
 * M = number of masked positions in an MLM batch. Arrays are row-major: element (b, t) is at `b * T + t`.
 * Batches hold no tensors; the model turns them into tensors (and disposes them).
 *
 * @module
 */

/** Ids of the special tokens every tokenizer provides. */
export interface SpecialIds {
  /** `<s>`: start of sequence (RoBERTa's CLS position). */
  bos: number;
  /** `</s>`: end of sequence / separator. */
  eos: number;
  /** `<pad>`. */
  pad: number;
  /** `<mask>`. */
  mask: number;
  /** `<unk>`. */
  unk: number;
}

/** A tokenizer: text ↔ ids. Implementations live in `lib/data/`. */
export interface Tokenizer {
  /** Number of ids, specials included; every id is in [0, vocabSize). */
  readonly vocabSize: number;
  /** Special-token ids. */
  readonly special: SpecialIds;
  /** Text to ids, without special tokens. */
  encode(text: string): number[];
  /** Ids to text; special tokens are dropped. */
  decode(ids: readonly number[]): string;
}

/** Token ids and padding mask: the part of every encoder batch the encoder reads. */
export interface EncoderInput {
  /** B. */
  batchSize: number;
  /** T. */
  seqLen: number;
  /** (B, T) token ids. */
  inputIds: Int32Array;
  /** (B, T) 1 for real tokens, 0 for padding. */
  attentionMask: Uint8Array;
}

/**
 * A masked-language-modelling batch: `inputIds` are the ids after masking (`<mask>`, random or kept tokens
 * at the chosen positions).
 */
export interface MlmBatch extends EncoderInput {
  /** (M) flat indices `b * T + t` of the positions whose original token is predicted. */
  maskedPositions: Int32Array;
  /** (M) the original token id at each masked position. */
  maskedLabels: Int32Array;
}

/** A sequence-to-sequence (translation) batch; the decoder input is the target shifted right. */
export interface Seq2SeqBatch {
  /** B. */
  batchSize: number;
  /** S. */
  srcLen: number;
  /** T. */
  tgtLen: number;
  /** (B, S) source ids, `</s>`-terminated, padded with `<pad>`. */
  srcIds: Int32Array;
  /** (B, S) 1 for real source tokens, 0 for padding. */
  srcMask: Uint8Array;
  /** (B, T) decoder input: `<s>` followed by the target without its last token. */
  decoderInputIds: Int32Array;
  /** (B, T) what the decoder must predict at each position: the target followed by `</s>`. */
  targetIds: Int32Array;
  /** (B, T) 1 where `targetIds` is a real token (loss is computed there), 0 for padding. */
  targetMask: Uint8Array;
}

/**
 * A sequence-classification batch: `inputIds` are `<s> … </s>` padded with `<pad>` to T, the longest
 * sequence in the batch.
 */
export interface ClassificationBatch extends EncoderInput {
  /** (B) class ids in [0, numClasses). */
  labels: Int32Array;
}
