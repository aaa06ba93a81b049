/**
 * `deno run -A mod.ts report runs/<study>`: write `report.html` and `study.json` for a stored study;
 * `deno run -A mod.ts reproduce study.json`: re-run a study from that file and compare with the original.
 *
 * @module
 */
import { parseArgs } from "@std/cli";
import { report } from "../study/report.ts";
import { reproduce } from "../study/reproduce.ts";
import { nearest } from "../util/options.ts";

function unknownFlags(flags: Record<string, unknown>, known: string[], usage: string): string | null {
  for (const k of Object.keys(flags)) {
    if (k === "_" || known.includes(k)) continue;
    const near = nearest(k, known);
    return `unknown option --${k}${near ? `; did you mean --${near}?` : ""}\n${usage}`;
  }
  return null;
}

const REPORT_USAGE = "usage: deno run -A mod.ts report <store> [--out DIR] [--no-png]";

/** The `report` command. */
export async function reportCommand(args: string[]): Promise<number> {
  const flags = parseArgs(args, { string: ["out"], boolean: ["png", "help"], default: { png: true } });
  const bad = unknownFlags(flags, ["out", "png", "help"], REPORT_USAGE);
  if (bad || flags.help || flags._.length !== 1) {
    console.error(bad ?? REPORT_USAGE);
    return flags.help ? 0 : 2;
  }
  const { html, json } = await report(String(flags._[0]), { outDir: flags.out, png: flags.png });
  console.log(`wrote ${html}\nwrote ${json} (re-run it with: deno run -A mod.ts reproduce ${json})`);
  return 0;
}

const REPRODUCE_USAGE = "usage: deno run -A mod.ts reproduce <study.json> [--store DIR] [--backend NAME]";

/** The `reproduce` command: exit 0 when every metric is within its band, 1 otherwise. */
export async function reproduceCommand(args: string[]): Promise<number> {
  const flags = parseArgs(args, { string: ["store", "backend"], boolean: ["help"] });
  const bad = unknownFlags(flags, ["store", "backend", "help"], REPRODUCE_USAGE);
  if (bad || flags.help || flags._.length !== 1) {
    console.error(bad ?? REPRODUCE_USAGE);
    return flags.help ? 0 : 2;
  }
  const { comparison, text } = await reproduce(String(flags._[0]), {
    store: flags.store,
    backend: flags.backend,
  });
  console.log(text);
  return comparison.getColumn("within").toArray().some((w) => w === false) ? 1 : 0;
}
