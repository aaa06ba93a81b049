/**
 * Recycles the float32 output arrays of native kernels.
 *
 * A fresh 4 MB `Float32Array` costs about three times as much to fill as a reused one (the operating system
 * maps and zeroes new pages on first touch); a training step allocates hundreds of them. The pool hands
 * kernels an array of the length they ask for, with arbitrary contents, and takes it back when the tensor
 * that stored it is freed.
 *
 * An array is recycled only when that is safe: the pool made it, exactly one tensor stored it whole, and
 * nobody outside the backend was ever given it. `escaped` (called when `dataSync()`/`data()` hands the array
 * out) and any second store or view of its buffer (a `Slice` that returns a subarray, say) make it an
 * ordinary array for good, left to the garbage collector.
 *
 * @module
 */

type State = "taken" | "owned";

/**
 * A pool of float32 arrays keyed by length, capped at `maxBytes` of idle arrays.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { BufferPool } from "./buffer_pool.ts";
 * const pool = new BufferPool();
 * const a = pool.take(4);
 * pool.stored(a); // a tensor now owns it
 * pool.released(a); // … and was freed
 * assert(pool.take(4) === a);
 * ```
 */
export class BufferPool {
  #free = new Map<number, Float32Array[]>();
  #idleBytes = 0;
  #state = new WeakMap<ArrayBufferLike, State>();

  /** Idle arrays are dropped (left to the garbage collector) beyond this many bytes. */
  constructor(readonly maxBytes: number = 512 * 2 ** 20) {}

  /** A float32 array of length `n` with arbitrary contents: the caller writes every element. */
  take(n: number): Float32Array {
    const reused = this.#free.get(n)?.pop();
    if (reused) {
      this.#idleBytes -= reused.byteLength;
      this.#state.set(reused.buffer, "taken");
      return reused;
    }
    const fresh = new Float32Array(n);
    this.#state.set(fresh.buffer, "taken");
    return fresh;
  }

  /** Like `take`, filled with zeros (a fill costs far less than fresh pages). */
  takeZeroed(n: number): Float32Array {
    return this.take(n).fill(0);
  }

  /** A tensor stored `values`: the first whole store of a taken array owns it; anything else disowns it. */
  stored(values: unknown): void {
    if (!ArrayBuffer.isView(values)) return;
    const state = this.#state.get(values.buffer);
    if (state === undefined) return;
    if (state === "taken" && whole(values)) this.#state.set(values.buffer, "owned");
    else this.#state.delete(values.buffer);
  }

  /** `values` was handed outside the backend: never recycle it. */
  escaped(values: unknown): void {
    if (ArrayBuffer.isView(values)) this.#state.delete(values.buffer);
  }

  /** The tensor that owned `values` was freed: keep the array for reuse if it is safe and fits. */
  released(values: unknown): void {
    if (!(values instanceof Float32Array) || !whole(values)) return;
    if (this.#state.get(values.buffer) !== "owned") return;
    this.#state.delete(values.buffer);
    if (this.#idleBytes + values.byteLength > this.maxBytes) return;
    this.#idleBytes += values.byteLength;
    const list = this.#free.get(values.length);
    if (list) list.push(values);
    else this.#free.set(values.length, [values]);
  }

  /** Bytes held by idle arrays. */
  get idleBytes(): number {
    return this.#idleBytes;
  }
}

function whole(v: ArrayBufferView): boolean {
  return v.byteOffset === 0 && v.byteLength === v.buffer.byteLength;
}
