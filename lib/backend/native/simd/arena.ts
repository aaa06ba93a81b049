/**
 * A float32 allocator inside one shared `WebAssembly.Memory`, so that the SIMD kernels (WebAssembly) and
 * BLAS (FFI) both work on tensor data in place.
 *
 * Blocks are 64-byte aligned and their capacity is rounded up to a size class (multiples of 16 floats up
 * to 4096 floats, then eighths of a power of two), so a freed block serves any later request of its class
 * and a vector loop may run over the padding. Memory grows in steps and is never returned to the
 * operating system (WebAssembly memories cannot shrink). When it cannot grow (`maxBytes`), the idle blocks
 * are merged into runs of free space that serve requests of any size (a sweep over model sizes frees one
 * model's shapes and then asks for another's); only when that fails too does `take` return `undefined`, and
 * the caller uses an ordinary array instead.
 *
 * Offset 0 is never handed out, so kernels can use 0 as "no array".
 *
 * Growth keeps every block: the memory is `shared`, so growing it never detaches the old `buffer` (as it
 * would for an unshared memory): a `Float32Array` taken before a growth still views the same bytes after
 * it, and writes through old and new views are the same memory (tested in `native_simd_test.ts`). Blocks
 * are checked on the way back: freeing one that is not in use (twice, or never taken) is an error.
 *
 * @module
 */

const PAGE = 65536, ALIGN = 64;

/**
 * The capacity in floats of the size class that holds `n` floats.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { sizeClass } from "./arena.ts";
 * assert(sizeClass(5) === 16 && sizeClass(4097) === 4608); // 4096 + 4096/8
 * ```
 */
export function sizeClass(n: number): number {
  if (n <= 4096) return Math.max(16, Math.ceil(n / 16) * 16);
  const step = 2 ** (Math.floor(Math.log2(n)) - 3);
  return Math.ceil(n / step) * step;
}

/**
 * Float32 blocks in a shared WebAssembly memory.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { Arena } from "./arena.ts";
 * const arena = new Arena();
 * const a = arena.take(10)!;
 * assert(a.length === 10 && arena.contains(a) && a.byteOffset % 64 === 0);
 * arena.free(a);
 * assert(arena.take(12)!.byteOffset === a.byteOffset); // same size class
 * ```
 */
export class Arena {
  /** The memory that every block lives in. */
  readonly memory: WebAssembly.Memory;
  #buffers = new WeakSet<ArrayBufferLike>();
  #top = ALIGN;
  #free = new Map<number, number[]>(); // size class (floats) → offsets of idle blocks
  #runs: Array<[number, number]> = []; // merged idle space [start, end) in bytes, by address
  #idle = 0;
  #live = new Map<number, number>(); // blocks handed out and not yet freed: byte offset → size class
  #limit: number; // bytes the memory may grow to: maxBytes in whole pages, at most 4 GiB

  /** `maxBytes` caps the memory (at most 4 GiB, WebAssembly's 32-bit limit). */
  constructor(readonly maxBytes: number = 4 * 2 ** 30 - PAGE) {
    const maximum = Math.min(65536, Math.floor(maxBytes / PAGE));
    this.#limit = maximum * PAGE;
    this.memory = new WebAssembly.Memory({ initial: Math.min(256, maximum), maximum, shared: true });
    this.#buffers.add(this.memory.buffer);
  }

  /** A block of `n` floats with arbitrary contents, or `undefined` when the memory is full. */
  take(n: number): Float32Array | undefined {
    const cap = sizeClass(n), bytes = cap * 4;
    let offset = this.#free.get(cap)?.pop();
    if (offset !== undefined) this.#idle -= bytes;
    else offset = this.#fromRuns(bytes) ?? this.#bump(bytes);
    if (offset === undefined && this.#idle >= bytes) {
      this.#mergeIdle();
      offset = this.#fromRuns(bytes) ?? this.#bump(bytes);
    }
    if (offset === undefined) return undefined;
    this.#live.set(offset, cap);
    return new Float32Array(this.memory.buffer, offset, n);
  }

  // First fit from the merged runs.
  #fromRuns(bytes: number): number | undefined {
    const i = this.#runs.findIndex(([start, end]) => end - start >= bytes);
    if (i < 0) return undefined;
    const run = this.#runs[i], offset = run[0];
    run[0] += bytes;
    if (run[0] === run[1]) this.#runs.splice(i, 1);
    this.#idle -= bytes;
    return offset;
  }

  // Every idle block and run, merged by address; a run that reaches the top lowers the top instead.
  #mergeIdle(): void {
    const pieces: Array<[number, number]> = [...this.#runs];
    for (const [cap, offsets] of this.#free) for (const o of offsets) pieces.push([o, o + cap * 4]);
    this.#free.clear();
    pieces.sort((a, b) => a[0] - b[0]);
    const runs: Array<[number, number]> = [];
    for (const [start, end] of pieces) {
      const last = runs.at(-1);
      if (last && last[1] === start) last[1] = end;
      else runs.push([start, end]);
    }
    const last = runs.at(-1);
    if (last && last[1] === this.#top) {
      this.#top = last[0];
      this.#idle -= last[1] - last[0];
      runs.pop();
    }
    this.#runs = runs;
  }

  /**
   * Gives block `a` (from `take`) back; nothing may use it afterwards. Throws on a block that is not in use
   * (freed already, a subarray, or not from this arena): a second free would hand one block to two owners.
   */
  free(a: Float32Array): void {
    const cap = sizeClass(a.length);
    if (!this.contains(a) || this.#live.get(a.byteOffset) !== cap) {
      throw new Error(
        `Arena.free: the block at byte ${a.byteOffset} (${a.length} floats) is not in use: ` +
          "freed twice, a view into a block, or not from this arena",
      );
    }
    this.#live.delete(a.byteOffset);
    const list = this.#free.get(cap);
    if (list) list.push(a.byteOffset);
    else this.#free.set(cap, [a.byteOffset]);
    this.#idle += cap * 4;
  }

  /** Whether `a` views this arena's memory. */
  contains(a: ArrayBufferView): boolean {
    return this.#buffers.has(a.buffer);
  }

  /** Bytes below the arena's top: blocks handed out, idle blocks and merged runs. */
  get usedBytes(): number {
    return this.#top;
  }

  /** Bytes in freed blocks waiting for reuse. */
  get idleBytes(): number {
    return this.#idle;
  }

  #bump(bytes: number): number | undefined {
    const offset = this.#top, end = offset + bytes;
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      if (end > this.#limit) return undefined;
      // Grow by at least a quarter of the current size, so growth stays rare.
      const want = Math.min(this.#limit, Math.max(end, have + have / 4));
      try {
        this.memory.grow(Math.ceil((want - have) / PAGE));
      } catch {
        return undefined;
      }
      this.#buffers.add(this.memory.buffer);
    }
    this.#top = end;
    return offset;
  }
}
