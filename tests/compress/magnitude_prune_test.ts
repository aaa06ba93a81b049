import { assertEquals, assertRejects, assertThrows } from "@std/assert";
import { tf } from "../../lib/backend/tf.ts";
import { applyMasks, magnitudeMasks, maskedCopy } from "../../lib/compress/magnitude_prune.ts";
import { fakeQuantizeRecord } from "../../lib/compress/quantize_record.ts";
import { OptionError } from "../../lib/util/options.ts";

const values = async (r: Record<string, tf.Tensor>) =>
  Object.fromEntries(
    await Promise.all(Object.entries(r).map(async ([k, t]) => [k, Array.from(await t.data())])),
  );

Deno.test("magnitudeMasks() global vs per-tensor on a hand-computed case", async () => {
  const params = {
    "embeddings.word_embeddings.weight": tf.tensor2d([[0.01, 0.02], [0.03, 0.04]]),
    "a.weight": tf.tensor2d([[1, -2], [3, -4]]),
    "b.weight": tf.tensor2d([[10, 20], [-30, 0.5]]),
    "b.bias": tf.tensor1d([0.001, 0.002]),
  };
  // global over a, b (8 weights): 50% prunes the 4 smallest |w|: 0.5, 1, 2, 3
  const g = await magnitudeMasks(params, { sparsity: 0.5 });
  assertEquals(await values(g), { "a.weight": [0, 0, 0, 1], "b.weight": [1, 1, 1, 0] });
  // per tensor: 2 of each
  const p = await magnitudeMasks(params, { sparsity: 0.5, scope: "per-tensor" });
  assertEquals(await values(p), { "a.weight": [0, 0, 1, 1], "b.weight": [0, 1, 1, 0] });
  // embeddings join the global ranking when asked: 12 weights, round(0.25 × 12) = 3 smallest are embeddings
  const e = await magnitudeMasks(params, { sparsity: 0.25, includeEmbeddings: true });
  assertEquals((await values(e))["embeddings.word_embeddings.weight"], [0, 0, 0, 1]);
  // regex selection
  const r = await magnitudeMasks(params, { sparsity: 1, include: /bias$/ });
  assertEquals(await values(r), { "b.bias": [0, 0] });
  tf.dispose([
    ...Object.values(params),
    ...Object.values(g),
    ...Object.values(p),
    ...Object.values(e),
    ...Object.values(r),
  ]);
});

Deno.test("magnitudeMasks() keeps previous masks' zeros and rejects bad input", async () => {
  const params = { w: tf.tensor1d([5, 4, 3, 2, 1, 6]).reshape([2, 3]) };
  const previous = { w: tf.tensor2d([[0, 1, 1], [1, 1, 1]]) }; // 5 was pruned earlier
  const m = await magnitudeMasks(params, { sparsity: 0.5, previous });
  assertEquals(Array.from(await m.w.data()), [0, 1, 1, 0, 0, 1]); // 3 zeros: the old one plus |1|, |2|
  await assertRejects(
    () => magnitudeMasks(params, { sparsity: 2 }),
    Error,
    "`sparsity` must be a finite number in [0, 1], got 2",
  );
  await assertRejects(
    () => magnitudeMasks(params, { sparsity: 0.5, include: /nothing/ }),
    Error,
    "`include` /nothing/ selects no tensor; the record has w",
  );
  const nan = { w: tf.tensor2d([[1, NaN]]) };
  await assertRejects(
    () => magnitudeMasks(nan, { sparsity: 0.5 }),
    Error,
    'tensor "w" has NaN at flat index 1',
  );
  tf.dispose([params.w, previous.w, m.w, nan.w]);
});

Deno.test("applyMasks() and maskedCopy() zero pruned weights without leaking tensors", async () => {
  const w = tf.variable(tf.tensor2d([[1, 2], [3, 4]]));
  const mask = tf.tensor2d([[0, 1], [1, 0]]);
  const before = tf.memory().numTensors;
  applyMasks({ w }, { w: mask });
  const copy = maskedCopy({ w }, { w: mask });
  assertEquals(tf.memory().numTensors, before + 1); // only the copy
  assertEquals(Array.from(await w.data()), [0, 2, 3, 0]);
  assertEquals(Array.from(await copy.w.data()), [0, 2, 3, 0]);
  assertThrows(() => applyMasks({ w }, { v: mask }), Error, 'mask "v" has no parameter');
  tf.dispose([w, mask, copy.w]);
});

Deno.test("magnitudeMasks() and unitMasks() allocate only the returned masks", async () => {
  const params = {
    "a.weight": tf.randomNormal([8, 8], 0, 1, "float32", 5),
    "b.weight": tf.randomNormal([8, 4], 0, 1, "float32", 6),
  };
  const before = tf.memory().numTensors;
  const g = await magnitudeMasks(params, { sparsity: 0.3 });
  const p = await magnitudeMasks(params, { sparsity: 0.3, scope: "per-tensor", previous: g });
  assertEquals(tf.memory().numTensors, before + 4);
  tf.dispose([...Object.values(g), ...Object.values(p)]);
  assertEquals(tf.memory().numTensors, before);
  tf.dispose(Object.values(params));
});

Deno.test("masks of another shape than their weight are errors, never broadcasts (applyMasks, maskedCopy, previous)", async () => {
  const w = tf.variable(tf.tensor2d([[1, 2], [3, 4]]));
  const row = tf.tensor1d([0, 1]); // would broadcast over rows
  assertThrows(
    () => applyMasks({ w }, { w: row }),
    OptionError,
    'mask "w" has shape [2] but the weight has [2,2]',
  );
  assertThrows(() => maskedCopy({ w }, { w: row }), OptionError, "[2,2]");
  await assertRejects(
    () => magnitudeMasks({ w }, { sparsity: 0.5, previous: { w: row } }),
    OptionError,
    'previous mask "w" has shape [2]',
  );
  await assertRejects(() => magnitudeMasks({ w }, { sparsity: NaN }), OptionError, "sparsity");
  await assertRejects(
    () => magnitudeMasks({ w }, { sparsity: 0.5, scope: "local" as never }),
    OptionError,
    "scope",
  );
  await assertRejects(
    () => magnitudeMasks({ w }, { sparsty: 0.5 } as never),
    OptionError,
    "did you mean `sparsity`",
  );
  await assertRejects(
    () => fakeQuantizeRecord({ w }, { bits: 4, include: /encoder/ }),
    OptionError,
    "`include`",
  );
  assertEquals(Array.from(await w.data()), [1, 2, 3, 4]);
  tf.dispose([w, row]);
});
