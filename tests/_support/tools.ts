/**
 * Test support: detect optional system tools, and skip a test that needs a missing one — except under
 * `CI=true`, where a missing tool makes the test fail, so CI can never go green by skipping.
 *
 * @module
 */

/** True when running in CI (`CI=true`): missing tools fail tests instead of skipping them. */
export const IN_CI = Deno.env.get("CI") === "true";

/** Runs `cmd args…` and reports whether it exited 0 (false when the program does not exist). */
export async function commandWorks(cmd: string, args: string[] = ["--version"]): Promise<boolean> {
  try {
    const out = await new Deno.Command(cmd, { args, stdout: "null", stderr: "null" }).output();
    return out.success;
  } catch {
    return false;
  }
}

/**
 * Returns `true` when the test may run. When the tool is missing it returns `false` (skip) outside CI and
 * throws inside CI, naming the tool and the Debian package that provides it.
 */
export function requireTool(available: boolean, what: string, install: string): boolean {
  if (available) return true;
  const message = `${what} is not available (install: ${install})`;
  if (IN_CI) throw new Error(`CI=true and ${message}: a test that needs it must not be skipped`);
  console.warn(`skipping: ${message}`);
  return false;
}

/** `python3 -c "import torch"` works (Debian `python3-torch`). */
export const hasTorch = (): Promise<boolean> => commandWorks("/usr/bin/python3", ["-c", "import torch"]);
