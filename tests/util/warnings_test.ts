import { assertEquals } from "@std/assert";
import { onWarning, warn } from "../../lib/util/warnings.ts";

Deno.test("warn() reaches listeners, delivers pending warnings to the first one, and honours once", () => {
  warn("test", "before any listener");
  const seen: string[] = [];
  const stop = onWarning((w) => seen.push(`${w.source}: ${w.message}`));
  warn("test", "after", { once: "k" });
  warn("test", "after", { once: "k" });
  stop();
  assertEquals(seen.includes("test: before any listener"), true);
  assertEquals(seen.filter((s) => s === "test: after").length, 1);
});
