import { assert, assertEquals, assertRejects } from "@std/assert";
import { reportCommand, reproduceCommand } from "../../lib/cli/report.ts";

/** Runs `f` with console.error captured; returns its exit code and what it printed. */
async function capture(f: () => Promise<number>): Promise<{ code: number; err: string }> {
  const lines: string[] = [];
  const original = console.error;
  console.error = (...a: unknown[]) => lines.push(a.join(" "));
  try {
    return { code: await f(), err: lines.join("\n") };
  } finally {
    console.error = original;
  }
}

Deno.test("report and reproduce refuse unknown flags and stray arguments with exit 2 and the usage", async () => {
  const png = await capture(() => reportCommand(["runs/x", "--png"]));
  assertEquals(png.code, 2);
  assert(png.err.includes("unknown flag --png; did you mean --no-png?"), png.err);
  assert(png.err.includes("usage: deno run -A mod.ts report"), png.err);
  const store = await capture(() => reproduceCommand(["study.json", "--stor", "runs"]));
  assertEquals(store.code, 2);
  assert(store.err.includes("did you mean --store?"), store.err);
  assertEquals((await capture(() => reportCommand(["a", "b"]))).code, 2);
  assertEquals((await capture(() => reportCommand([]))).code, 2);
  const help = await capture(() => reproduceCommand(["--help"]));
  assertEquals(help.code, 0);
  assert(help.err.startsWith("usage: deno run -A mod.ts reproduce"), help.err);
});

Deno.test("report accepts --no-png (the flag its usage names) and goes on to read the store", async () => {
  const missing = `${await Deno.makeTempDir()}/no-such-study`;
  const error = await assertRejects(() => reportCommand([missing, "--no-png", "--out", missing]));
  assert(!String(error).includes("flag"), String(error));
});
