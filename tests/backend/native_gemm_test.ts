/**
 * The native backend's own WebAssembly GEMM (`simd/gemm_wat.ts`, `simd/gemm.ts`): the committed binaries
 * match their source; both builds (relaxed-SIMD FMA and plain SIMD), on one thread and split over worker
 * threads, equal a plain float64 triple loop for every transpose, odd sizes, leading dimensions wider than
 * the rows, alpha and beta; operands outside the arena are copied in and out; and a process that used the
 * thread pool exits promptly and cleanly.
 */
import { assert, assertEquals, assertThrows } from "@std/assert";
import { compileGemm, gemmBytesFile } from "../../lib/backend/native/simd/build.ts";
import { Arena } from "../../lib/backend/native/simd/arena.ts";
import { hasRelaxedSimd, type WasmBlas, wasmBlas } from "../../lib/backend/native/simd/gemm.ts";
import { gemmBlocks } from "../../lib/backend/native/simd/gemm_wat.ts";
import { seeded } from "./_native.ts";
import { assertClose } from "../_support/close.ts";

Deno.test("the committed GEMM binaries are the compiled gemm_wat.ts (rebuild with simd/build.ts)", async () => {
  const committed = await Deno.readTextFile(
    new URL("../../lib/backend/native/simd/gemm_bytes.ts", import.meta.url),
  );
  assertEquals(
    committed,
    gemmBytesFile(...await compileGemm()),
    "run: deno run -A lib/backend/native/simd/build.ts",
  );
});

/** C = alpha·op(A)·op(B) + beta·C in float64, on row-major storage with leading dimensions. */
function reference(
  [transA, transB, m, n, k]: [boolean, boolean, number, number, number],
  alpha: number,
  a: Float32Array,
  lda: number,
  b: Float32Array,
  ldb: number,
  beta: number,
  c: Float32Array,
  ldc: number,
): Float32Array {
  const out = c.slice();
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) {
        s += (transA ? a[p * lda + i] : a[i * lda + p]) * (transB ? b[j * ldb + p] : b[p * ldb + j]);
      }
      out[i * ldc + j] = alpha * s + (beta === 0 ? 0 : beta * c[i * ldc + j]);
    }
  }
  return out;
}

// Sizes around the blocking: below and across MR, NR, KC, MC, NC, and edges in every direction.
const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [3, 5, 7],
  [7, 9, 4],
  [13, 17, 300],
  [130, 9, 257],
  [9, 1030, 33],
  [64, 64, 64],
  [241, 70, 520],
];

for (const relaxed of [true, false]) {
  for (const threads of [1, 3]) {
    Deno.test(
      {
        name: `wasmBlas() (${relaxed ? "relaxed SIMD" : "plain SIMD"}, ${threads} thread${
          threads > 1 ? "s" : ""
        }) equals a float64 triple loop for every transpose and odd sizes`,
        ignore: relaxed && !hasRelaxedSimd(),
      },
      async () => {
        const arena = new Arena();
        // Every product is split (splitMinFlops 0) once the workers are up.
        const blas = wasmBlas(arena, { threads, relaxed, splitMinFlops: 0 })!;
        assert(blas.relaxed === relaxed);
        try {
          if (threads > 1) await waitForThreads(blas, arena, threads);
          let seed = 1;
          for (const [m, n, k] of SHAPES) {
            for (const transA of [false, true]) {
              for (const transB of [false, true]) {
                // Leading dimensions 3 wider than the stored rows: the padding must be neither read nor written.
                const lda = (transA ? m : k) + 3, ldb = (transB ? k : n) + 3, ldc = n + 3;
                const a = arena.take((transA ? k : m) * lda)!, b = arena.take((transB ? n : k) * ldb)!;
                const c = arena.take(m * ldc)!;
                a.set(seeded(a.length, seed++, 2));
                b.set(seeded(b.length, seed++, 2));
                c.set(seeded(c.length, seed++, 2));
                for (const [alpha, beta] of [[1, 0], [0.75, 1], [-1.5, 0.5]]) {
                  const want = reference([transA, transB, m, n, k], alpha, a, lda, b, ldb, beta, c, ldc);
                  blas.sgemm(transA, transB, m, n, k, alpha, a, b, beta, c, lda, ldb, ldc);
                  assertClose(`${m}×${n}×${k} tA=${transA} tB=${transB} α=${alpha} β=${beta}`, c, want, 1e-5);
                  want.forEach((v, i) => c[i] = v); // the next case starts from the exact result
                }
                for (const x of [a, b, c]) arena.free(x);
              }
            }
          }
        } finally {
          blas.close();
        }
      },
    );
  }
}

// Large products split only over threads that are ready; give the workers a moment to start.
async function waitForThreads(blas: WasmBlas, arena: Arena, threads: number): Promise<void> {
  const a = arena.take(512 * 512)!.fill(1), c = arena.take(512 * 512)!;
  for (let i = 0; i < 200; i++) {
    blas.sgemm(false, false, 512, 512, 512, 1, a, a, 0, c);
    if (c[0] !== 512) throw new Error(`warm-up product: ${c[0]}`);
    await new Promise((r) => setTimeout(r, 10));
    if (blas.readyThreads() >= threads) return;
  }
  throw new Error("the GEMM's worker threads did not start within 2 s");
}

Deno.test("wasmBlas() copies operands outside the arena in and C back out, and handles k = 0", () => {
  const arena = new Arena();
  const blas = wasmBlas(arena, { threads: 1 })!;
  const m = 5, n = 6, k = 7;
  const a = seeded(m * k, 1, 2), b = seeded(k * n, 2, 2), c = seeded(m * n, 3, 2);
  const want = reference([false, false, m, n, k], 1, a, k, b, n, 2, c, n);
  blas.sgemm(false, false, m, n, k, 1, a, b, 2, c);
  assertClose("ordinary arrays", c, want, 1e-5);
  assertEquals(arena.idleBytes > 0, true, "the copies went back to the arena");
  blas.sgemm(false, false, m, n, 0, 1, a, b, 0.5, c);
  assertClose("k = 0 scales C by beta", c, want.map((v) => v * 0.5), 1e-7);
  blas.close();
});

Deno.test("sgemm rejects arrays shorter than their sizes say, naming the operand (both BLAS paths)", () => {
  const blas = wasmBlas(new Arena(), { threads: 1 })!;
  const a = new Float32Array(6), b = new Float32Array(6), c = new Float32Array(4);
  blas.sgemm(false, false, 2, 2, 3, 1, a, b, 0, c);
  assertThrows(() => blas.sgemm(false, false, 2, 2, 3, 1, a.subarray(1), b, 0, c), Error, "A has 5 floats");
  assertThrows(() => blas.sgemm(true, false, 2, 2, 3, 1, a, b.subarray(2), 0, c), Error, "B has 4 floats");
  assertThrows(() => blas.sgemm(false, false, 2, 2, 3, 1, a, b, 0, c, 2), Error, "leading dimension of A");
  assertThrows(() => blas.sgemm(false, false, 2, 2, 3, 1, a, b, 0, c.subarray(1)), Error, "C has 3");
  blas.close();
});

Deno.test("gemmBlocks(): MC is a multiple of MR and NR of 4 in both builds", () => {
  for (const relaxed of [true, false]) {
    const { MR, NR, MC } = gemmBlocks(relaxed);
    assert(MC % MR === 0 && NR % 4 === 0, JSON.stringify(gemmBlocks(relaxed)));
  }
});

for (const ending of ["", "Deno.exit(3);"]) {
  Deno.test(
    `a process whose GEMM used worker threads exits at once and cleanly (no hang, no double free)${
      ending ? ", also through Deno.exit" : ""
    }`,
    async () => {
      const script = `
    import { Arena } from "${new URL("../../lib/backend/native/simd/arena.ts", import.meta.url)}";
    import { wasmBlas } from "${new URL("../../lib/backend/native/simd/gemm.ts", import.meta.url)}";
    const arena = new Arena(), blas = wasmBlas(arena, { threads: 2 });
    const a = arena.take(512 * 512).fill(1), c = arena.take(512 * 512);
    for (let i = 0; i < 50 && blas.readyThreads() < 2; i++) {
      blas.sgemm(false, false, 512, 512, 512, 1, a, a, 0, c);
      await new Promise((r) => setTimeout(r, 10));
    }
    blas.sgemm(false, false, 512, 512, 512, 1, a, a, 0, c);
    console.log(blas.readyThreads(), c[0]);
    ${ending}`;
      const t0 = performance.now();
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["eval", "--ext=ts", script],
        stdout: "piped",
        stderr: "piped",
      }).output();
      const stdout = new TextDecoder().decode(out.stdout), stderr = new TextDecoder().decode(out.stderr);
      assertEquals(out.code, ending ? 3 : 0, stderr);
      assertEquals(stdout.trim(), "2 512", "both threads ran the product");
      assert(!/double free|abort|panic|segmentation/i.test(stderr), stderr);
      assert(performance.now() - t0 < 20_000, "the process exited within 20 s");
    },
  );
}

Deno.test(
  "with TRAINLARGE_BLAS=none, auto starts native on the built-in GEMM and the native parity tests pass on it",
  async () => {
    const env = {
      TRAINLARGE_BLAS: "none",
      TRAINLARGE_BACKEND: "auto",
      TRAINLARGE_THREADS: "3",
      NO_COLOR: "1",
    };
    const describe = await new Deno.Command(Deno.execPath(), {
      args: [
        "eval",
        "--ext=ts",
        `import { useBackend } from "${new URL("../../lib/backend/mod.ts", import.meta.url)}";
         const d = await useBackend();
         console.log(d.name + " | " + d.device + " | " + d.threads);`,
      ],
      env,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const said = new TextDecoder().decode(describe.stdout).trim();
    assert(describe.success, new TextDecoder().decode(describe.stderr));
    assert(
      /^native \| CPU \(trainlarge WebAssembly .*GEMM\) \| 3$/.test(said),
      `TRAINLARGE_THREADS=3: ${said}`,
    );
    // Outputs and gradients of every native kernel, the fused ops and attention against cpu within 1e-4.
    const files = ["native_test.ts", "native_fused_test.ts", "native_attention_test.ts"].map((f) =>
      new URL(`./${f}`, import.meta.url).pathname
    );
    const run = await new Deno.Command(Deno.execPath(), {
      args: ["test", "-A", ...files],
      env,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const report = new TextDecoder().decode(run.stdout) + new TextDecoder().decode(run.stderr);
    assert(run.success, report.slice(-3000));
    assert(/ok \| \d+ passed \| 0 failed/.test(report), report.slice(-500));
  },
);
