import { assert, assertEquals, assertThrows } from "@std/assert";
import { createRng, restoreRng } from "../../lib/util/random.ts";

Deno.test("createRng() is deterministic per seed and differs across seeds", () => {
  const a = createRng(1), b = createRng(1), c = createRng(2);
  const xs = Array.from({ length: 5 }, () => a.next());
  assertEquals(xs, Array.from({ length: 5 }, () => b.next()));
  assert(xs.some((x, i) => x !== [c.next(), c.next(), c.next(), c.next(), c.next()][i]));
});

Deno.test("restoreRng() continues the sequence after a JSON round trip", () => {
  const a = createRng("x");
  for (let i = 0; i < 100; i++) a.next();
  const b = restoreRng(JSON.parse(JSON.stringify(a.state())));
  assertEquals(Array.from({ length: 10 }, () => b.next()), Array.from({ length: 10 }, () => a.next()));
  assertThrows(() => restoreRng({ kind: "nope" } as never), Error, "unsupported RNG state kind");
});

Deno.test("normal() has mean 0 and variance 1 within sampling error; int(n) is uniform", () => {
  const r = createRng(3), n = 20000;
  let s = 0, s2 = 0;
  for (let i = 0; i < n; i++) {
    const x = r.normal();
    s += x;
    s2 += x * x;
  }
  assert(Math.abs(s / n) < 0.05 && Math.abs(s2 / n - 1) < 0.05, `mean ${s / n}, var ${s2 / n}`);
  const counts = [0, 0, 0, 0];
  for (let i = 0; i < n; i++) counts[r.int(4)]++;
  for (const c of counts) assert(Math.abs(c / n - 0.25) < 0.02, String(counts));
});
