import { assertEquals } from "@std/assert";
import { showWarnings, warningBundle } from "../../lib/display/warnings.ts";
import { warn } from "../../lib/util/warnings.ts";

Deno.test("showWarnings() writes warnings emitted before and after it, one line each, until stopped", () => {
  warn("test", "before any listener");
  const lines: string[] = [];
  const stop = showWarnings({ write: (t) => lines.push(t) });
  warn("test", "while shown");
  stop();
  warn("test", "after stop");
  assertEquals(lines.filter((l) => l.includes("(test)")), [
    "warning (test): before any listener\n",
    "warning (test): while shown\n",
  ]);
});

Deno.test("warningBundle() escapes HTML and keeps the text", () => {
  const b = warningBundle({ source: "s", message: `a < b & "c" > d` });
  assertEquals(b["text/plain"], `warning (s): a < b & "c" > d`);
  assertEquals(
    String(b["text/html"]).match(/>([^<]*)<\/pre>/)?.[1],
    `warning (s): a &lt; b &amp; &quot;c&quot; &gt; d`,
  );
});
