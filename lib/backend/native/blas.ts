/**
 * The system BLAS through Deno FFI: finds a CBLAS library, binds `cblas_sgemm` and the thread-count call.
 *
 * Nothing is compiled at install time: only a BLAS the operating system already ships is loaded
 * (OpenBLAS or MKL on Linux, Accelerate on macOS). `TRAINLARGE_BLAS=/path/to/lib` picks one explicitly.
 *
 * @module
 */

import { memoryViews } from "./memory_views.ts";

/** CBLAS enum values (cblas.h). */
const ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112;

const SGEMM = {
  parameters: [
    "i32",
    "i32",
    "i32", // order, transA, transB
    "i32",
    "i32",
    "i32", // M, N, K
    "f32",
    "buffer",
    "i32", // alpha, A, lda
    "buffer",
    "i32", // B, ldb
    "f32",
    "buffer",
    "i32", // beta, C, ldc
  ],
  result: "void",
} as const;

const SYMBOLS = {
  cblas_sgemm: SGEMM,
  openblas_set_num_threads: { parameters: ["i32"], result: "void", optional: true },
  openblas_get_num_threads: { parameters: [], result: "i32", optional: true },
  openblas_get_config: { parameters: [], result: "pointer", optional: true },
  MKL_Set_Num_Threads: { parameters: ["i32"], result: "void", optional: true },
  MKL_Get_Max_Threads: { parameters: [], result: "i32", optional: true },
} as const;

type BlasLibrary = Deno.DynamicLibrary<typeof SYMBOLS>;

/** A loaded BLAS: single-precision GEMM plus what is known about it. */
export interface Blas {
  /** The file that was loaded. */
  path: string;
  /** What it says it is (OpenBLAS's config string, or the file name). */
  vendor: string;
  /**
   * Row-major `C = alpha·op(A)·op(B) + beta·C` with `op(A)` (m, k), `op(B)` (k, n), `C` (m, n). Arrays
   * are passed without copying; subarrays address batches. The leading dimensions (row strides of the
   * stored matrices) default to dense storage; larger ones address a block of columns, e.g. one head's
   * slice of a (T, C) activation.
   */
  sgemm(
    transA: boolean,
    transB: boolean,
    m: number,
    n: number,
    k: number,
    alpha: number,
    a: Float32Array,
    b: Float32Array,
    beta: number,
    c: Float32Array,
    lda?: number,
    ldb?: number,
    ldc?: number,
  ): void;
  /** Sets the BLAS thread count where the library allows it; returns the count now in effect. */
  setThreads(n: number): number;
  /** The BLAS thread count (the hardware concurrency where the library does not say). */
  threads(): number;
  /**
   * For kernels that multiply on several threads at once, each thread its own small products (attention's
   * heads, see `simd/attention_pairs.ts`): switches the library to one thread per call (the next product
   * through `sgemm` switches back to the thread count set) and returns the file a worker thread opens to call
   * `cblas_sgemm` itself (`offsetSgemm`). Absent on the built-in GEMM, whose workers have their own.
   */
  concurrentCalls?(): string;
}

/**
 * Row-major `C = alpha·op(A)·op(B) + beta·C` on byte offsets into a WebAssembly memory (the arena), on the
 * calling thread: the signature of the built-in GEMM's export, whose last argument is its packing scratch
 * (a system BLAS ignores it). Transposes are 0 or 1.
 */
export type OffsetSgemm = (
  transA: number,
  transB: number,
  m: number,
  n: number,
  k: number,
  alpha: number,
  a: number,
  lda: number,
  b: number,
  ldb: number,
  beta: number,
  c: number,
  ldc: number,
  scratch: number,
) => void;

/**
 * `cblas_sgemm` of the library at `path` on byte offsets into `memory`, for threads that cannot share the
 * loading thread's binding (a pool worker): opens the library again (the operating system hands back the
 * one already loaded). Nothing is checked: the caller passes operands that lie inside `memory`.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { offsetSgemm } from "./blas.ts";
 * import { tryLoadBlas } from "./provider.ts";
 * const loaded = tryLoadBlas();
 * if (!("missing" in loaded)) { // BLAS is optional: nothing to show where none is installed
 *   const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
 *   new Float32Array(memory.buffer).set([1, 2, 3, 4], 0);
 *   offsetSgemm(loaded.path, memory)(0, 0, 1, 1, 2, 1, 0, 2, 8, 1, 0, 16, 1, 0);
 *   assert(new Float32Array(memory.buffer)[4] === 11);
 * }
 * ```
 */
export function offsetSgemm(path: string, memory: WebAssembly.Memory): OffsetSgemm {
  const gemm = Deno.dlopen(path, { cblas_sgemm: SGEMM }).symbols.cblas_sgemm;
  const at = memoryViews(memory);
  return (transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) =>
    gemm(
      ROW_MAJOR,
      transA ? TRANS : NO_TRANS,
      transB ? TRANS : NO_TRANS,
      m,
      n,
      k,
      alpha,
      at(a),
      lda,
      at(b),
      ldb,
      beta,
      at(c),
      ldc,
    );
}

/** The library names tried, in order, on this operating system. */
export function blasCandidates(): string[] {
  const explicit = envBlas();
  const os = Deno.build.os;
  const list = os === "darwin"
    ? [
      "/System/Library/Frameworks/Accelerate.framework/Accelerate",
      "/opt/homebrew/opt/openblas/lib/libopenblas.dylib",
      "/usr/local/opt/openblas/lib/libopenblas.dylib",
    ]
    : os === "windows"
    ? ["libopenblas.dll", "mkl_rt.2.dll", "mkl_rt.dll"]
    : [
      "libopenblas.so.0",
      "libopenblas.so",
      "libmkl_rt.so.2",
      "libmkl_rt.so",
      "libblis.so.4",
      "libblas.so.3",
    ];
  return explicit ? [explicit, ...list] : list;
}

function envBlas(): string | undefined {
  try {
    return Deno.env.get("TRAINLARGE_BLAS") || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Checks a GEMM call's sizes against its arrays before anything reads or writes them (a short array
 * passed to BLAS through FFI would be read or written past its end): every leading dimension covers its
 * row, and each array holds its last element. Throws an error naming the operand. Leading dimensions left
 * out are those of dense row-major operands; returns the three it checked.
 *
 * @example
 * ```ts
 * import { assertEquals, assertThrows } from "@std/assert";
 * import { checkGemmOperands } from "./blas.ts";
 * const a = new Float32Array(6), b = new Float32Array(6), c = new Float32Array(3);
 * assertThrows(() => checkGemmOperands(false, false, 2, 2, 3, a, b, c, 3, 2, 2), Error, "C");
 * assertEquals(checkGemmOperands(false, true, 2, 2, 3, a, b, new Float32Array(4)), [3, 3, 2]);
 * ```
 */
export function checkGemmOperands(
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  a: Float32Array,
  b: Float32Array,
  c: Float32Array,
  lda: number = transA ? m : k,
  ldb: number = transB ? k : n,
  ldc: number = n,
): [number, number, number] {
  // No allocation on the way through: decoding makes tens of thousands of tiny calls.
  if (!(isIndex(m) && isIndex(n) && isIndex(k) && isIndex(lda) && isIndex(ldb) && isIndex(ldc))) {
    for (const [name, v] of Object.entries({ m, n, k, lda, ldb, ldc })) {
      if (!isIndex(v)) throw new Error(`sgemm: ${name} must be a non-negative 32-bit integer, got ${v}`);
    }
  }
  const operand = (name: string, x: Float32Array, rows: number, cols: number, ld: number) => {
    if (ld < Math.max(1, cols)) {
      throw new Error(`sgemm: leading dimension of ${name} (${ld}) is less than its row length ${cols}`);
    }
    const need = rows === 0 || cols === 0 ? 0 : (rows - 1) * ld + cols;
    if (x.length < need) {
      throw new Error(
        `sgemm: ${name} has ${x.length} floats but a (${rows}, ${cols}) matrix with leading dimension ${ld} ` +
          `needs ${need}`,
      );
    }
  };
  if (k > 0) {
    operand("A", a, transA ? k : m, transA ? m : k, lda);
    operand("B", b, transB ? n : k, transB ? k : n, ldb);
  }
  operand("C", c, m, n, ldc);
  return [lda, ldb, ldc];
}

function isIndex(v: number): boolean {
  return Number.isInteger(v) && v >= 0 && v < 2 ** 31;
}

/** Why no BLAS loaded: one line per library tried. */
export class BlasNotFound extends Error {
  /** `name: reason` for each candidate. */
  readonly tried: string[];
  constructor(tried: string[]) {
    super(`no CBLAS library with cblas_sgemm could be loaded (tried ${tried.join("; ")})`);
    this.tried = tried;
  }
}

let loaded: Blas | undefined;

/**
 * Loads the first CBLAS library of `candidates` (default `blasCandidates()`, then cached) that works, or
 * throws `BlasNotFound` listing every name tried. Needs `--allow-ffi`.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { loadBlas } from "./blas.ts";
 * import { tryLoadBlas } from "./provider.ts";
 * if (!("missing" in tryLoadBlas())) { // BLAS is optional: nothing to show where none is installed
 *   const blas = loadBlas();
 *   const c = new Float32Array(1);
 *   blas.sgemm(false, false, 1, 1, 2, 1, new Float32Array([1, 2]), new Float32Array([3, 4]), 0, c);
 *   assert(c[0] === 11);
 * }
 * ```
 */
export function loadBlas(candidates?: string[]): Blas {
  if (loaded && candidates === undefined) return loaded;
  const tried: string[] = [];
  for (const path of candidates ?? blasCandidates()) {
    let lib: BlasLibrary;
    try {
      lib = Deno.dlopen(path, SYMBOLS);
    } catch (e) {
      if (e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied) throw e;
      tried.push(`${path}: ${(e as Error).message.split("\n")[0]}`);
      continue;
    }
    const blas = wrap(lib, path);
    if (candidates === undefined) loaded = blas;
    return blas;
  }
  throw new BlasNotFound(tried);
}

function wrap(lib: BlasLibrary, path: string): Blas {
  const s = lib.symbols;
  const config = s.openblas_get_config ? s.openblas_get_config() : null;
  const vendor = config ? new Deno.UnsafePointerView(config).getCString() : path.split("/").pop() ?? path;
  const hardware = navigator.hardwareConcurrency ?? 1;
  const gemm = s.cblas_sgemm;
  // OpenBLAS decides itself which products to thread (those above m·n·k = 262,144); on a quiet machine its
  // second thread pays from there on (8 × 256 × 256: 22.6 µs on one thread, 17.9 on two; a beam search
  // 245 → 191–205 ms once small products were no longer held to one thread, session 6). The count is held
  // at one only while pair loops call the library from several threads (`concurrentCalls`), and switched
  // only when it changes, so consecutive calls cost no FFI call. `wanted` is the user's count
  // (setThreads), `current` what OpenBLAS has now.
  const set = s.openblas_set_num_threads;
  let wanted = s.openblas_get_num_threads ? s.openblas_get_num_threads() : 1, current = wanted;
  const useThreads = (n: number) => {
    if (set && n !== current) set(current = n);
  };
  return {
    path,
    vendor,
    sgemm(transA, transB, m, n, k, alpha, a, b, beta, c, lda, ldb, ldc) {
      [lda, ldb, ldc] = checkGemmOperands(transA, transB, m, n, k, a, b, c, lda, ldb, ldc);
      useThreads(wanted);
      gemm(
        ROW_MAJOR,
        transA ? TRANS : NO_TRANS,
        transB ? TRANS : NO_TRANS,
        m,
        n,
        k,
        alpha,
        a,
        lda,
        b,
        ldb,
        beta,
        c,
        ldc,
      );
    },
    setThreads(n) {
      if (!(Number.isInteger(n) && n >= 1)) {
        throw new Error(`native backend: threads must be a positive integer, got ${n}`);
      }
      if (set) set(wanted = current = n);
      else if (s.MKL_Set_Num_Threads) s.MKL_Set_Num_Threads(n);
      return this.threads();
    },
    threads() {
      if (set) return wanted;
      if (s.MKL_Get_Max_Threads) return s.MKL_Get_Max_Threads();
      return hardware;
    },
    concurrentCalls() {
      useThreads(1);
      return path;
    },
  };
}
