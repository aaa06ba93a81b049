import { assert, assertEquals } from "@std/assert";
import { interrupt, InterruptedError, interruptScope } from "../../lib/util/interrupt.ts";

Deno.test("interrupt() aborts the open scopes only; a scope opened afterwards starts fresh", () => {
  const a = interruptScope(), b = interruptScope(), closed = interruptScope();
  closed.close();
  assertEquals(interrupt(), 2);
  assert(a.signal.aborted && b.signal.aborted && !closed.signal.aborted);
  assert(a.signal.reason instanceof InterruptedError);
  a.close();
  b.close();
  b.close(); // idempotent
  const c = interruptScope();
  assert(!c.signal.aborted);
  c.close();
  assertEquals(interrupt(), 0);
});

// In the kernel (TRAINLARGE_INTERRUPT_FLAG set by kernels/launcher.ts): the flag file exists exactly while a
// scope is open, and SIGINT aborts the open scopes (and writes <flag>.ack) instead of ending the process. Run in a child process,
// since it installs a SIGINT listener for good.
const CHILD = `
import { interruptScope } from "./lib/util/interrupt.ts";
const flag = Deno.env.get("TRAINLARGE_INTERRUPT_FLAG");
const exists = () => { try { Deno.statSync(flag); return true; } catch { return false; } };
const seen = [exists()];
const outer = interruptScope(), inner = interruptScope();
seen.push(exists());
inner.close();
seen.push(exists());
Deno.kill(Deno.pid, "SIGINT");
const start = performance.now();
while (!outer.signal.aborted && performance.now() - start < 5000) await outer.poll();
seen.push(outer.signal.aborted, (() => { try { Deno.statSync(flag + ".ack"); return true; } catch { return false; } })());
outer.close();
seen.push(exists());
console.log(JSON.stringify(seen));
Deno.exit(0);
`;

Deno.test("inside the kernel a scope keeps the launcher's flag file, and SIGINT aborts it instead of killing", async () => {
  const dir = await Deno.makeTempDir();
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--ext=ts", CHILD],
    cwd: new URL("../..", import.meta.url),
    env: { TRAINLARGE_INTERRUPT_FLAG: `${dir}/busy` },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  assert(out.success, `${text}\n${new TextDecoder().decode(out.stderr)}`);
  // no scope, two scopes, one scope, aborted by SIGINT and answered for the launcher, none
  assertEquals(JSON.parse(text), [false, true, true, true, true, false]);
  await Deno.remove(dir, { recursive: true });
});
