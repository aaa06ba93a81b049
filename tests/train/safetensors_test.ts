import { assertEquals, assertThrows } from "@std/assert";
import { decodeSafetensors, encodeSafetensors } from "../../lib/train/safetensors.ts";

Deno.test("encodeSafetensors() writes the documented layout byte for byte", () => {
  const bytes = encodeSafetensors({ x: { dtype: "I32", shape: [2], data: new Int32Array([1, -2]) } });
  const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  const header = new TextDecoder().decode(bytes.subarray(8, 8 + n));
  assertEquals((8 + n) % 8, 0, "data section is 8-byte aligned");
  assertEquals(JSON.parse(header), { x: { dtype: "I32", shape: [2], data_offsets: [0, 8] } });
  assertEquals(Array.from(bytes.subarray(8 + n)), [1, 0, 0, 0, 0xfe, 0xff, 0xff, 0xff]); // little-endian
});

Deno.test("decodeSafetensors() round-trips several dtypes and metadata", () => {
  const bytes = encodeSafetensors({
    a: { dtype: "F32", shape: [2, 2], data: new Float32Array([1.5, -2, 3, 4]) },
    b: { dtype: "U8", shape: [3], data: new Uint8Array([7, 8, 9]) },
    c: { dtype: "F32", shape: [0], data: new Float32Array(0) },
  }, { step: "3" });
  const { tensors, metadata } = decodeSafetensors(bytes);
  assertEquals(Array.from(tensors.a.data), [1.5, -2, 3, 4]);
  assertEquals(tensors.a.shape, [2, 2]);
  assertEquals(Array.from(tensors.b.data), [7, 8, 9]);
  assertEquals(tensors.c.shape, [0]);
  assertEquals(metadata, { step: "3" });
});

function withHeader(header: unknown, dataBytes: number): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + dataBytes);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  return out;
}

Deno.test("decodeSafetensors() rejects bad dtypes, sizes, overlaps and holes, naming the tensor", () => {
  assertThrows(
    () => decodeSafetensors(withHeader({ w: { dtype: "F64", shape: [1], data_offsets: [0, 8] } }, 8), "f"),
    Error,
    `f: tensor "w" has dtype "F64"`,
  );
  assertThrows(
    () => decodeSafetensors(withHeader({ w: { dtype: "F32", shape: [3], data_offsets: [0, 8] } }, 8)),
    Error,
    `tensor "w": data bytes 0-8`,
  );
  assertThrows(
    () =>
      decodeSafetensors(
        withHeader({
          a: { dtype: "U8", shape: [4], data_offsets: [0, 4] },
          b: { dtype: "U8", shape: [4], data_offsets: [2, 6] },
        }, 6),
      ),
    Error,
    `tensor "b": data bytes 2-6 overlap`,
  );
  assertThrows(
    () => decodeSafetensors(withHeader({ a: { dtype: "U8", shape: [4], data_offsets: [0, 4] } }, 6)),
    Error,
    "data bytes 4-6 belong to no tensor",
  );
});
