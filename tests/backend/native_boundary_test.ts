/**
 * The native boundary: the ops every backend runs (`lib/backend/native/mod.ts`: fused ops, attention,
 * profiler, threads) import nothing of the native backend itself — no arena, no WebAssembly module, no
 * backend class — so a session on another backend never loads them.
 */
import { assert, assertEquals } from "@std/assert";

Deno.test("lib/backend/native/mod.ts loads no arena, WebAssembly module or native backend class", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", new URL("../../lib/backend/native/mod.ts", import.meta.url).pathname],
    stdout: "piped",
  }).output();
  assert(out.success, "deno info failed");
  const modules: string[] = JSON.parse(new TextDecoder().decode(out.stdout)).modules.map((
    m: { specifier: string },
  ) => m.specifier);
  assert(modules.some((m) => m.endsWith("/native/fused_ops.ts")), "the graph includes the fused ops");
  assertEquals(
    modules.filter((m) =>
      /\/native\/(simd\/|native_backend|buffer_pool|register|kernels|fused_kernels)/.test(m)
    ),
    [],
  );
});
