/**
 * The arrays of one WebAssembly kernel call, placed in the arena: the kernels address memory by byte offset
 * into the arena, so an array that lives there is used in place, and any other one is copied into an arena
 * block for the call (and, when the kernel writes it, copied back afterwards).
 *
 * On `native` almost every float32 array is in the arena already; the rest are tensors under 16 floats
 * (`BufferPool.storable` does not copy those in), arrays made while the arena was full, and operands that
 * callers of the GEMM pass from outside. A full arena cannot hold the copies either: then the call throws
 * an error saying so, rather than running some other code.
 *
 * @module
 */
import type { Arena } from "./arena.ts";

/**
 * Byte offsets of a kernel call's arrays in the arena (copies for arrays outside it). Made by `inArena`,
 * which copies the written ones back and frees the copies.
 */
export class ArenaOperands {
  #copies: { block: Float32Array; back: Float32Array | undefined }[] = [];

  constructor(readonly arena: Arena) {}

  /** The offset of `a`, which the kernel reads. */
  read(a: Float32Array): number {
    return this.#place(a, true, false);
  }

  /** The offset of `a`, which the kernel writes (every element) and does not read. */
  write(a: Float32Array): number {
    return this.#place(a, false, true);
  }

  /** The offset of `a`, which the kernel reads and writes. */
  update(a: Float32Array): number {
    return this.#place(a, true, true);
  }

  /**
   * An arena array standing for `a`, which the call reads and writes by address and through the array
   * (handing it to BLAS, say): `a` itself when it lives in the arena, else a copy that is copied back.
   */
  view(a: Float32Array): Float32Array {
    if (this.arena.contains(a)) return a;
    const block = this.#take(a.length, a);
    block.set(a);
    return block;
  }

  /** An arena block of `n` floats with arbitrary contents for the call's own use, freed with the copies. */
  scratch(n: number): Float32Array {
    return this.#take(n, undefined);
  }

  #place(a: Float32Array, copyIn: boolean, copyBack: boolean): number {
    if (this.arena.contains(a)) return a.byteOffset;
    const block = this.#take(a.length, copyBack ? a : undefined);
    if (copyIn) block.set(a);
    return block.byteOffset;
  }

  #take(n: number, back: Float32Array | undefined): Float32Array {
    const block = this.arena.take(n);
    if (!block) {
      throw new Error(
        `native backend: the ${(this.arena.maxBytes / 2 ** 30).toFixed(1)} GiB tensor arena is full, so a ` +
          `WebAssembly kernel has no room for ${n} floats of operands; dispose tensors you no longer need ` +
          "(or use another backend)",
      );
    }
    this.#copies.push({ block, back });
    return block;
  }

  /** Copies every written block back into its array. */
  copyBack(): void {
    for (const { block, back } of this.#copies) back?.set(block);
  }

  /** Frees every copy; nothing may use their offsets afterwards. */
  free(): void {
    for (const { block } of this.#copies) this.arena.free(block);
    this.#copies = [];
  }
}

/**
 * Runs `call` with an `ArenaOperands` on `arena`, then copies the arrays it wrote back and frees the copies
 * (also when `call` throws). Returns what `call` returns.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { Arena } from "./arena.ts";
 * import { simdKernels } from "./simd.ts";
 * import { inArena } from "./arena_operands.ts";
 * const arena = new Arena(), k = simdKernels(arena);
 * const a = new Float32Array([1, 2, 3]), out = new Float32Array(3); // outside the arena
 * inArena(arena, (at) => k.add(at.read(a), at.read(a), at.write(out), 3));
 * assert(out.join() === "2,4,6" && arena.idleBytes > 0); // the copies went back to the arena
 * ```
 */
export function inArena<R>(arena: Arena, call: (at: ArenaOperands) => R): R {
  const at = new ArenaOperands(arena);
  try {
    const result = call(at);
    at.copyBack();
    return result;
  } finally {
    at.free();
  }
}
