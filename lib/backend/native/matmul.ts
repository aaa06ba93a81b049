/**
 * Matrix products on the system BLAS: `BatchMatMul` (every `tf.matMul`) and `_FusedMatMul`
 * (`tf.fused.matMul`: product, bias and activation).
 *
 * Shapes: a (…, M, K) or (…, K, M) when transposed, b (…, K, N) or (…, N, K); batch dims broadcast the way
 * tfjs-backend-cpu does (batch index modulo each side's batch count). When b has one batch and a is not
 * transposed, the batches of a are one tall (batch·M, K) matrix and the product is a single GEMM.
 *
 * @module
 */
import { tf } from "../tf.ts";
import { type NativeArgs, nativeKernel, runKernel, valuesOf } from "./native_backend.ts";

/**
 * The product; with `bias` (a vector of the output's last-axis length) the output starts as the bias in
 * every row and BLAS accumulates onto it (β = 1), saving a pass over the output.
 */
function product(
  { inputs, backend, attrs }: NativeArgs,
  bias?: Float32Array,
): tf.TensorInfo {
  const { a, b } = inputs;
  const transposeA = Boolean(attrs.transposeA), transposeB = Boolean(attrs.transposeB);
  if (a.dtype !== "float32" || b.dtype !== "float32") {
    return runKernel("BatchMatMul", backend, inputs, attrs, "cpu");
  }
  const ra = a.shape.length, rb = b.shape.length;
  const k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const kb = transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
  const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  if (k !== kb) {
    throw new Error(
      `Error in matMul: inner shapes (${k}) and (${kb}) of Tensors with shapes ${a.shape} and ${b.shape} ` +
        `and transposeA=${transposeA} and transposeB=${transposeB} must match.`,
    );
  }
  const outer = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const batchA = tf.util.sizeFromShape(a.shape.slice(0, -2)),
    batchB = tf.util.sizeFromShape(b.shape.slice(0, -2));
  const batch = Math.max(batchA, batchB);
  const av = valuesOf(backend, a) as Float32Array, bv = valuesOf(backend, b) as Float32Array;
  // BLAS with β = 0 writes every element; only an empty inner dimension without a bias needs zeros.
  const out = k === 0 && !bias ? backend.pool.takeZeroed(batch * m * n) : backend.pool.take(batch * m * n);
  const beta = bias ? 1 : 0;
  if (bias) { for (let row = 0; row < batch * m; row++) out.set(bias, row * n); }
  const blas = backend.blas;
  if (batch * m * n > 0 && k === 0) {
    // An empty inner dimension: the product is zero (plus the bias), and BLAS rejects lda = 0.
  } else if (batchB === 1 && batchA === batch && !transposeA) {
    blas.sgemm(false, transposeB, batch * m, n, k, 1, av, bv, beta, out);
  } else {
    const sa = m * k, sb = k * n, sc = m * n;
    for (let i = 0; i < batch; i++) {
      const ia = (i % batchA) * sa, ib = (i % batchB) * sb;
      blas.sgemm(
        transposeA,
        transposeB,
        m,
        n,
        k,
        1,
        av.subarray(ia, ia + sa),
        bv.subarray(ib, ib + sb),
        beta,
        out.subarray(i * sc, (i + 1) * sc),
      );
    }
  }
  return backend.makeTensorInfo([...outer, m, n], "float32", out);
}

function batchMatMul(args: NativeArgs): tf.TensorInfo {
  return product(args);
}

function activate(
  backend: NativeArgs["backend"],
  x: tf.TensorInfo,
  activation: string,
  prelu: tf.TensorInfo | undefined,
  leakyreluAlpha: number,
): tf.TensorInfo {
  const run = (name: string, inputs: Record<string, tf.TensorInfo>, attrs: Record<string, unknown> = {}) =>
    runKernel(name, backend, inputs, attrs);
  switch (activation) {
    case "linear":
      return x;
    case "relu":
      return run("Relu", { x });
    case "relu6":
      return run("Relu6", { x });
    case "elu":
      return run("Elu", { x });
    case "sigmoid":
      return run("Sigmoid", { x });
    case "prelu":
      return run("Prelu", { x, alpha: prelu! });
    case "leakyrelu":
      return run("LeakyRelu", { x }, { alpha: leakyreluAlpha });
    default:
      throw new Error(`native backend: _FusedMatMul activation "${activation}" is not supported`);
  }
}

function fusedMatMul({ inputs, backend, attrs }: NativeArgs): tf.TensorInfo {
  const { a, b, bias, preluActivationWeights } = inputs;
  const n = attrs.transposeB ? b.shape[b.shape.length - 2] : b.shape[b.shape.length - 1];
  // A float32 bias of the output's last-axis length goes into the GEMM; any other broadcast is an Add.
  const inGemm = bias !== undefined && bias.dtype === "float32" && a.dtype === "float32" &&
    b.dtype === "float32" && tf.util.sizeFromShape(bias.shape) === n &&
    bias.shape[bias.shape.length - 1] === n;
  let y = product(
    { inputs: { a, b }, backend, attrs },
    inGemm ? valuesOf(backend, bias) as Float32Array : undefined,
  );
  if (bias && !inGemm) {
    const z = runKernel("Add", backend, { a: y, b: bias });
    backend.disposeIntermediateTensorInfo(y);
    y = z;
  }
  const act = activate(
    backend,
    y,
    (attrs.activation as string) ?? "linear",
    preluActivationWeights,
    (attrs.leakyreluAlpha as number) ?? 0.2,
  );
  if (act !== y) backend.disposeIntermediateTensorInfo(y);
  return act;
}

/** The BLAS-backed kernels. */
export const MATMUL_KERNELS: tf.KernelConfig[] = [
  nativeKernel("BatchMatMul", batchMatMul),
  nativeKernel("_FusedMatMul", fusedMatMul),
];
