import { assertEquals } from "@std/assert";
import { tf } from "../../lib/backend/tf.ts";
import { sparsityReport } from "../../lib/compress/sparsity_report.ts";

Deno.test("sparsityReport() counts nonzeros per tensor, over the selection and over the record", async () => {
  const p = {
    "embeddings.weight": tf.tensor2d([[0, 1], [1, 1]]),
    "a.weight": tf.tensor2d([[0, 0], [0, 2]]),
    "b.weight": tf.tensor2d([[-0, 3, 0, 4]]),
    "b.bias": tf.tensor1d([0, 5]),
  };
  const r = await sparsityReport(p);
  assertEquals(r.tensors, [
    { name: "a.weight", numel: 4, nonzero: 1, sparsity: 0.75 },
    { name: "b.weight", numel: 4, nonzero: 2, sparsity: 0.5 },
  ]);
  assertEquals(r.overall, { name: "(selected)", numel: 8, nonzero: 3, sparsity: 1 - 3 / 8 });
  assertEquals([r.totalNonzero, r.totalParameters], [7, 14]);
  const withEmb = await sparsityReport(p, { includeEmbeddings: true });
  assertEquals(withEmb.overall.nonzero, 6);
  tf.dispose(Object.values(p));
});
