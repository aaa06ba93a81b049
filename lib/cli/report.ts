/**
 * `deno run -A mod.ts report runs/<study>`: write `report.html` and `study.json` for a stored study;
 * `deno run -A mod.ts reproduce study.json`: re-run a study from that file and compare with the original.
 *
 * @module
 */
import { report } from "../study/report.ts";
import { reproduce } from "../study/reproduce.ts";
import { OptionError } from "../util/options.ts";
import { type Flags, parseFlags } from "./flags.ts";

/**
 * The flags of a command that takes one positional argument, or its exit code when there is nothing to run:
 * 0 after `--help`, 2 after a bad flag or a wrong number of arguments (the error, then `usage`).
 */
function commandFlags(
  command: string,
  args: string[],
  spec: { strings: string[]; booleans?: string[]; usage: string },
): Flags | number {
  let flags: Flags;
  try {
    flags = parseFlags(command, args, {
      strings: spec.strings,
      booleans: [...(spec.booleans ?? []), "help"],
      positionals: 1,
    });
  } catch (e) {
    if (!(e instanceof OptionError)) throw e;
    console.error(`${e.message}\n${spec.usage}`);
    return 2;
  }
  if (flags.help || flags._.length !== 1) {
    console.error(spec.usage);
    return flags.help ? 0 : 2;
  }
  return flags;
}

const REPORT_USAGE = "usage: deno run -A mod.ts report <store> [--out DIR] [--no-png]";

/** The `report` command. */
export async function reportCommand(args: string[]): Promise<number> {
  const flags = commandFlags("report", args, { strings: ["out"], booleans: ["no-png"], usage: REPORT_USAGE });
  if (typeof flags === "number") return flags;
  const { html, json } = await report(flags._[0], {
    outDir: flags.out as string | undefined,
    png: flags["no-png"] !== true,
  });
  console.log(`wrote ${html}\nwrote ${json} (re-run it with: deno run -A mod.ts reproduce ${json})`);
  return 0;
}

const REPRODUCE_USAGE = "usage: deno run -A mod.ts reproduce <study.json> [--store DIR] [--backend NAME]";

/** The `reproduce` command: exit 0 when every metric is within its band, 1 otherwise. */
export async function reproduceCommand(args: string[]): Promise<number> {
  const flags = commandFlags("reproduce", args, { strings: ["store", "backend"], usage: REPRODUCE_USAGE });
  if (typeof flags === "number") return flags;
  const { comparison, text } = await reproduce(flags._[0], {
    store: flags.store as string | undefined,
    backend: flags.backend as string | undefined,
  });
  console.log(text);
  return comparison.getColumn("within").toArray().some((w) => w === false) ? 1 : 0;
}
