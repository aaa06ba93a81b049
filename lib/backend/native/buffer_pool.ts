/**
 * Recycles the float32 output arrays of native kernels.
 *
 * A fresh 4 MB `Float32Array` costs about three times as much to fill as a reused one (the operating system
 * maps and zeroes new pages on first touch); a training step allocates hundreds of them. The pool hands
 * kernels an array of the length they ask for, with arbitrary contents, and takes it back when the tensor
 * that stored it is freed.
 *
 * Arrays come from the arena (`simd/arena.ts`, one shared WebAssembly memory that the SIMD kernels
 * address) while it has room, else they are ordinary arrays. An array is recycled only when that is safe:
 * the pool made it, exactly one tensor stored it whole, and nobody outside the backend was ever given it.
 * For arena arrays this is enforced at the boundary: a second store, or a view (a `Slice` that returns a
 * subarray, say), stores a copy instead (`storable`), and `dataSync()`/`data()` hand out a copy
 * (`exposed`). Ordinary arrays are handed out as they are and then become the garbage collector's for
 * good, as does one that a second tensor stores or views.
 *
 * @module
 */
import { Arena } from "./simd/arena.ts";
import { warn } from "../../util/warnings.ts";

type State = "taken" | "owned";

// Foreign float32 arrays at least this long are copied into the arena when a tensor stores them.
const COPY_IN_MIN = 16;

/**
 * A pool of float32 arrays keyed by length, capped at `maxBytes` of idle arrays.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { BufferPool } from "./buffer_pool.ts";
 * const pool = new BufferPool();
 * const a = pool.take(4);
 * assert(pool.storable(a) === a); // a tensor now owns it
 * pool.released(a); // … and was freed
 * assert(pool.take(4).byteOffset === a.byteOffset);
 * ```
 */
export class BufferPool {
  /** Where arrays come from while it has room (absent: ordinary arrays only). */
  readonly arena: Arena | undefined;
  #free = new Map<number, Float32Array[]>();
  #idleBytes = 0;
  // Keyed by the array for arena arrays (they share one buffer), by the buffer for ordinary ones.
  #state = new WeakMap<object, State>();
  #warned = false;

  /**
   * Idle ordinary arrays are dropped (left to the garbage collector) beyond `maxBytes`; `arena` supplies
   * arrays first (pass `null` for none).
   */
  constructor(readonly maxBytes: number = 512 * 2 ** 20, arena: Arena | null = new Arena()) {
    this.arena = arena ?? undefined;
  }

  /** A float32 array of length `n` with arbitrary contents: the caller writes every element. */
  take(n: number): Float32Array {
    const block = this.arena?.take(n);
    if (block) {
      this.#state.set(block, "taken");
      return block;
    }
    if (this.arena && !this.#warned) {
      this.#warned = true;
      warn(
        "native backend",
        `the ${(this.arena.maxBytes / 2 ** 30).toFixed(1)} GiB tensor arena is full; ` +
          "kernel outputs are ordinary arrays now, which the SIMD kernels copy into the arena, and they fail " +
          "when it has no room for the copies (dispose tensors you no longer need)",
      );
    }
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

  /** Whether `a` lives in the arena (so the SIMD kernels can address it at `a.byteOffset`). */
  inArena(a: ArrayBufferView): boolean {
    return this.arena !== undefined && this.arena.contains(a);
  }

  /**
   * A tensor is about to store `values`; returns what it should store. The first store of a taken array
   * owns it; any other store of an arena array gets a copy; any other store of an ordinary pool array
   * disowns it.
   */
  storable<T>(values: T): T {
    if (!ArrayBuffer.isView(values)) return values;
    if (this.inArena(values)) {
      if (this.#state.get(values) !== "taken") return this.#copyIn(values as unknown as Float32Array) as T;
      this.#state.set(values, "owned");
      return values;
    }
    const state = this.#state.get(values.buffer);
    if (state === undefined) {
      // Someone else's float32 array (a cpu kernel's output, a user's tensor): copy it into the arena, so
      // that the kernels that read it can use SIMD.
      return values instanceof Float32Array && values.length >= COPY_IN_MIN
        ? this.#copyIn(values) as T
        : values;
    }
    if (state === "taken" && whole(values)) this.#state.set(values.buffer, "owned");
    else this.#state.delete(values.buffer);
    return values;
  }

  // An owned arena copy of `values` (an ordinary copy when the arena is full).
  #copyIn(values: Float32Array): Float32Array {
    const block = this.arena?.take(values.length);
    if (!block) return values.slice();
    block.set(values);
    this.#state.set(block, "owned");
    return block;
  }

  /** `values` is about to be handed outside the backend: a copy of an arena array, else `values`, never recycled. */
  exposed<T>(values: T): T {
    if (!ArrayBuffer.isView(values)) return values;
    if (this.inArena(values)) return (values as unknown as Float32Array).slice() as T;
    this.#state.delete(values.buffer);
    return values;
  }

  /** The tensor that owned `values` was freed: keep the array for reuse if it is safe and fits. */
  released(values: unknown): void {
    if (!(values instanceof Float32Array)) return;
    if (this.inArena(values)) {
      if (this.#state.get(values) !== "owned") return;
      this.#state.delete(values);
      this.arena!.free(values);
      return;
    }
    if (!whole(values)) return;
    if (this.#state.get(values.buffer) !== "owned") return;
    this.#state.delete(values.buffer);
    if (this.#idleBytes + values.byteLength > this.maxBytes) return;
    this.#idleBytes += values.byteLength;
    const list = this.#free.get(values.length);
    if (list) list.push(values);
    else this.#free.set(values.length, [values]);
  }

  /** Returns a scratch array from `take` that no tensor stored; nothing may use it afterwards. */
  giveBack(a: Float32Array): void {
    if (this.inArena(a)) {
      if (this.#state.get(a) !== "taken") return;
      this.#state.delete(a);
      this.arena!.free(a);
    } else if (this.#state.get(a.buffer) === "taken") {
      this.#state.set(a.buffer, "owned");
      this.released(a);
    }
  }

  /** Bytes held by idle arrays (arena blocks included, by their size class). */
  get idleBytes(): number {
    return this.#idleBytes + (this.arena?.idleBytes ?? 0);
  }
}

function whole(v: ArrayBufferView): boolean {
  return v.byteOffset === 0 && v.byteLength === v.buffer.byteLength;
}
