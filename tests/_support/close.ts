/**
 * Closeness of float arrays relative to the reference's largest magnitude, shared by the backend tests.
 */
import { assert, assertEquals } from "@std/assert";

/**
 * Asserts that `got` has `want`'s length and that max |got − want| ≤ rtol · max |want| (an exact match
 * when `want` is all zeros); the message names `what` and both sides of the comparison.
 */
export function assertClose(
  what: string,
  got: ArrayLike<number>,
  want: ArrayLike<number>,
  rtol = 1e-4,
): void {
  assertEquals(got.length, want.length, `${what}: length`);
  let scale = 0, worst = 0;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]));
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
  assert(worst <= rtol * Math.max(scale, 1e-12), `${what}: max |diff| ${worst} > ${rtol} × ${scale}`);
}
