import { assertEquals, assertRejects } from "@std/assert";
import { inKernel, publish } from "../../lib/display/kernel.ts";

Deno.test("inKernel() is false under deno test even though 'jupyter' in Deno is true", () => {
  assertEquals("jupyter" in Deno, true);
  assertEquals(inKernel(), false);
});

Deno.test("publish() outside the kernel says to check inKernel()", async () => {
  await assertRejects(() => publish({ "text/plain": "x" }), Error, "check inKernel() first");
});
