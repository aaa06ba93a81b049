import { assertAlmostEquals, assertThrows } from "@std/assert";
import { tf } from "../../lib/backend/tf.ts";
import { crossEntropy } from "../../lib/model/loss.ts";

const logits = [[2, 0, -1], [0.5, 0.5, 3]];
const labels = new Int32Array([0, 1]);
// Hand computation: logp row 0 = [2,0,-1] - ln(e² + 1 + e⁻¹); row 1 = [.5,.5,3] - ln(2e^.5 + e³).
const lse0 = Math.log(Math.exp(2) + 1 + Math.exp(-1)), lse1 = Math.log(2 * Math.exp(0.5) + Math.exp(3));
const nll = [lse0 - 2, lse1 - 0.5];
const uniform = [lse0 - (2 + 0 - 1) / 3, lse1 - (0.5 + 0.5 + 3) / 3]; // -mean_v logp

async function value(options: Parameters<typeof crossEntropy>[2]) {
  const l = tf.tidy(() => crossEntropy(tf.tensor2d(logits), labels, options));
  const v = (await l.data())[0];
  l.dispose();
  return v;
}

Deno.test("crossEntropy() matches a hand-computed mean NLL", async () => {
  assertAlmostEquals(await value({}), (nll[0] + nll[1]) / 2, 1e-5);
});

Deno.test("crossEntropy() with label smoothing matches PyTorch's (1-ε)·nll + ε·mean(-logp)", async () => {
  const eps = 0.1;
  const expected = ((1 - eps) * nll[0] + eps * uniform[0] + (1 - eps) * nll[1] + eps * uniform[1]) / 2;
  assertAlmostEquals(await value({ labelSmoothing: eps }), expected, 1e-5);
});

Deno.test("crossEntropy() weights rows and rejects bad labels", async () => {
  assertAlmostEquals(await value({ weights: new Uint8Array([0, 1]) }), nll[1], 1e-5);
  assertThrows(
    () => tf.tidy(() => crossEntropy(tf.zeros([1, 3]) as tf.Tensor2D, new Int32Array([3]))),
    Error,
    "label 3 at row 0",
  );
});
