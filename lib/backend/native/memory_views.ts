/**
 * Float32 views of a WebAssembly memory at byte offsets: what code that holds arena offsets hands to a BLAS
 * through FFI, which takes arrays. (Its own file: `blas.ts` needs it without loading the arena.)
 *
 * @module
 */

/**
 * Float32 views of a WebAssembly memory from a byte offset to its end, for code that holds offsets and
 * calls something that takes arrays (a BLAS through FFI). A view is remade whenever the memory has grown
 * (possibly by another owner), so it always reaches the last page.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { memoryViews } from "./memory_views.ts";
 * const memory = new WebAssembly.Memory({ initial: 1, maximum: 2, shared: true });
 * const at = memoryViews(memory);
 * assert(at(64).length === 65536 / 4 - 16);
 * memory.grow(1);
 * assert(at(64).length === 2 * 65536 / 4 - 16);
 * ```
 */
export function memoryViews(memory: WebAssembly.Memory): (byteOffset: number) => Float32Array {
  let heap = new Float32Array(memory.buffer);
  return (byteOffset) => {
    const buffer = memory.buffer;
    if (buffer.byteLength !== heap.byteLength) heap = new Float32Array(buffer);
    return heap.subarray(byteOffset >>> 2);
  };
}
