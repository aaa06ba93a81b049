/**
 * The command line: `deno run -A mod.ts <command> [options]`.
 *
 * @module
 */
import { showWarnings } from "../display/warnings.ts";
import { demo } from "./demo.ts";
import { study } from "./study.ts";
import { reportCommand, reproduceCommand } from "./report.ts";

const COMMANDS: Record<string, (args: string[]) => Promise<number>> = {
  demo,
  study,
  report: reportCommand,
  reproduce: reproduceCommand,
};

/** Runs the command named by `args[0]`; returns the exit code. Errors are printed, not thrown. */
export async function main(args: string[]): Promise<number> {
  const [name, ...rest] = args;
  const command = COMMANDS[name];
  if (command === undefined) {
    console.error(
      `usage: deno run -A mod.ts <command> [--help]\ncommands: ${Object.keys(COMMANDS).join(", ")}`,
    );
    return name === undefined || name === "--help" ? 0 : 2;
  }
  const stopWarnings = showWarnings(); // library warnings become lines on stderr
  try {
    return await command(rest);
  } catch (e) {
    console.error(`error: ${(e as Error).message}`);
    return 1;
  } finally {
    stopWarnings();
  }
}
