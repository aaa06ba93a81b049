import { assertEquals, assertRejects } from "@std/assert";
import { backendNames, tf, useBackend } from "../../lib/backend/mod.ts";

Deno.test("useBackend() names every valid backend when given an unknown one", async () => {
  const error = await assertRejects(() => useBackend("nope"), Error);
  for (const name of backendNames()) assertEquals(error.message.includes(`"${name}"`), true, name);
});

Deno.test("useBackend('tensorflow') without tfjs-node explains how to install it", async () => {
  const error = await assertRejects(() => useBackend("tensorflow"), Error);
  assertEquals(/tfjs-node/.test(error.message), true);
  assertEquals(/deno install --allow-scripts=npm:@tensorflow\/tfjs-node-gpu/.test(error.message), true);
  assertEquals(/CUDA 11\.2/.test(error.message), true);
});

Deno.test("useBackend() reads TRAINLARGE_BACKEND when no name is given", async () => {
  const before = Deno.env.get("TRAINLARGE_BACKEND");
  Deno.env.set("TRAINLARGE_BACKEND", "cpu");
  try {
    const d = await useBackend();
    assertEquals([d.name, tf.getBackend()], ["cpu", "cpu"]);
    Deno.env.set("TRAINLARGE_BACKEND", "bogus");
    const error = await assertRejects(() => useBackend(), Error);
    assertEquals(error.message.includes("TRAINLARGE_BACKEND"), true);
  } finally {
    if (before === undefined) Deno.env.delete("TRAINLARGE_BACKEND");
    else Deno.env.set("TRAINLARGE_BACKEND", before);
  }
});

Deno.test("useBackend('auto') never picks a software WebGPU adapter and describes its choice", async () => {
  const d = await useBackend("auto");
  assertEquals(d.tfjsBackend, tf.getBackend());
  assertEquals(d.device.includes("software"), false);
  assertEquals(d.versions.tfjs, "4.22.0");
});

Deno.test("wasm trains through gather: UnsortedSegmentSum is delegated to cpu", async () => {
  await useBackend("wasm");
  const x = tf.tensor2d([[1, 2], [3, 4], [5, 6]]);
  const ids = tf.tensor1d([0, 2, 2, 1], "int32");
  const g = tf.grad((t: tf.Tensor) =>
    tf.sum(tf.mul(tf.gather(t, ids), tf.tensor2d([[1, 1], [1, 1], [2, 2], [3, 3]])))
  )(x);
  // d/dx[r] = sum of the weights of the rows that gathered r: row0 ← 1, row1 ← 3, row2 ← 1+2
  assertEquals(await g.array(), [[1, 1], [3, 3], [3, 3]]);
  tf.dispose([x, ids, g]);
});

Deno.test("without WebAssembly, native refuses to start with a reason and auto moves on to another backend", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      "--v8-flags=--jitless", // V8 without a compiler: no WebAssembly at all
      "--ext=ts",
      `import { useBackend } from "${new URL("../../lib/backend/mod.ts", import.meta.url)}";
       try { await useBackend("native"); } catch (e) { console.log("native: " + (e as Error).message); }
       const d = await useBackend("auto");
       console.log("auto: " + d.name + " | " + d.notes.join(" | "));`,
    ],
    env: { NO_COLOR: "1", TRAINLARGE_BACKEND: "" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const said = new TextDecoder().decode(out.stdout);
  assertEquals(out.success, true, new TextDecoder().decode(out.stderr));
  const [native, auto] = ["native: ", "auto: "].map((p) =>
    said.split("\n").find((l) => l.startsWith(p)) ?? ""
  );
  assertEquals(native.includes("cannot compile the WebAssembly SIMD kernels"), true, said);
  assertEquals(native.includes("To fix:"), true, said);
  assertEquals(auto.startsWith("auto: native"), false, said);
  assertEquals(auto.includes("auto skipped native: this runtime cannot compile"), true, said);
});
