/** Tiny configs and synthetic batches shared by the model and train tests. */
import { type EncoderConfig, encoderConfig } from "../../lib/model/config.ts";
import type { MlmBatch, Seq2SeqBatch } from "../../lib/data/types.ts";
import { type Seq2SeqConfig, seq2seqConfig } from "../../lib/model/seq2seq_config.ts";
import { createRng } from "../../lib/util/random.ts";

/** A 2-layer, 16-wide encoder over 30 ids: fast enough for gradient checks on the cpu backend. */
export function tinyConfig(overrides: Partial<EncoderConfig> = {}): EncoderConfig {
  return encoderConfig({
    vocabSize: 30,
    numLayers: 2,
    hiddenSize: 16,
    numHeads: 2,
    intermediateSize: 64,
    maxPositions: 12,
    ...overrides,
  });
}

/**
 * A random MLM batch: ids in [4, V), ids 0..3 reserved (0 = <s>, 1 = <pad>, 2 = </s>, 3 = <mask>); row b
 * has `lengths[b]` real tokens and the rest padding; ~30% of real positions are masked (id 3).
 */
export function syntheticMlmBatch(
  seed: number,
  vocabSize: number,
  lengths: number[],
  seqLen: number,
): MlmBatch {
  const rng = createRng(`batch:${seed}`);
  const b = lengths.length;
  const inputIds = new Int32Array(b * seqLen).fill(1);
  const attentionMask = new Uint8Array(b * seqLen);
  const positions: number[] = [], labels: number[] = [];
  for (let r = 0; r < b; r++) {
    for (let t = 0; t < lengths[r]; t++) {
      const i = r * seqLen + t;
      const id = 4 + rng.int(vocabSize - 4);
      attentionMask[i] = 1;
      inputIds[i] = id;
      if (rng.next() < 0.3 || t === 1) {
        positions.push(i);
        labels.push(id);
        inputIds[i] = 3;
      }
    }
  }
  return {
    batchSize: b,
    seqLen,
    inputIds,
    attentionMask,
    maskedPositions: Int32Array.from(positions),
    maskedLabels: Int32Array.from(labels),
  };
}

/** A 2+2-layer, 32-wide encoder-decoder over 12 ids (0 = <s>, 1 = <pad>, 2 = </s>). */
export const tinySeq2Seq = (o: Partial<Seq2SeqConfig> = {}): Seq2SeqConfig =>
  seq2seqConfig({
    vocabSize: 12,
    encoderLayers: 2,
    decoderLayers: 2,
    hiddenSize: 32,
    numHeads: 4,
    intermediateSize: 64,
    maxPositions: 8,
    ...o,
  });
/**
 * A 1+1-layer, 16-wide encoder-decoder over 30 ids (as {@linkcode tinyConfig}'s encoder) without dropout, so
 * that a batch's loss and its shards' losses are deterministic: the sharding and data-parallel tests' model.
 */
export const shardSeq2Seq = (): Seq2SeqConfig =>
  tinySeq2Seq({
    vocabSize: 30,
    encoderLayers: 1,
    decoderLayers: 1,
    hiddenSize: 16,
    numHeads: 2,
    intermediateSize: 32,
    dropout: 0,
    attentionDropout: 0,
  });
/** Special ids of the seq2seq fixtures. */
export const BOS = 0, PAD = 1, EOS = 2;

/** Pairs → a padded batch: source `src </s>`, decoder input `<s> tgt`, target `tgt </s>`. */
export function seq2seqBatch(pairs: Array<[number[], number[]]>): Seq2SeqBatch {
  const s = Math.max(...pairs.map(([a]) => a.length + 1)),
    t = Math.max(...pairs.map(([, b]) => b.length + 1));
  const b = pairs.length;
  const batch: Seq2SeqBatch = {
    batchSize: b,
    srcLen: s,
    tgtLen: t,
    srcIds: new Int32Array(b * s).fill(PAD),
    srcMask: new Uint8Array(b * s),
    decoderInputIds: new Int32Array(b * t).fill(PAD),
    targetIds: new Int32Array(b * t).fill(PAD),
    targetMask: new Uint8Array(b * t),
  };
  pairs.forEach(([src, tgt], r) => {
    [...src, EOS].forEach((id, i) => [batch.srcIds[r * s + i], batch.srcMask[r * s + i]] = [id, 1]);
    [BOS, ...tgt].forEach((id, i) => batch.decoderInputIds[r * t + i] = id);
    [...tgt, EOS].forEach((id, i) => [batch.targetIds[r * t + i], batch.targetMask[r * t + i]] = [id, 1]);
  });
  return batch;
}
