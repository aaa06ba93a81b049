/**
 * Command-line flags parsed with `@std/cli`, strictly: an unknown flag or a stray positional argument is an
 * `OptionError` naming it (with the nearest valid flag), never silently ignored, and a numeric flag is
 * checked like the option it feeds.
 *
 * @module
 */
import { parseArgs } from "@std/cli";
import { checkNumber, nearest, type NumberRule, OptionError } from "../util/options.ts";

/** Parsed flags: strings (or booleans for boolean flags) by name, and the positional arguments as `_`. */
export interface Flags {
  /** The positional arguments, in order (at most `positionals` of them). */
  _: string[];
  /** A flag's value: a string for a string flag, a boolean for a boolean flag, undefined when not given. */
  [name: string]: string | boolean | string[] | undefined;
}

/**
 * Parses `args`, accepting only `--name value` for `strings`, `--name` for `booleans` (a boolean named
 * `no-x` is the flag `--no-x`) and at most `positionals` positional arguments (default 0).
 *
 * @example
 * ```ts
 * import { assert, assertThrows } from "@std/assert";
 * import { parseFlags } from "./flags.ts";
 * parseFlags("demo", ["--seconds", "5"], { strings: ["seconds"] });
 * assertThrows(() => parseFlags("demo", ["--maxSeconds", "5"], { strings: ["seconds"] }), Error, "--seconds");
 * const flags = parseFlags("report", ["runs/x", "--no-png"], { booleans: ["no-png"], positionals: 1 });
 * assert(flags["no-png"] === true && flags._[0] === "runs/x");
 * assertThrows(() => parseFlags("report", ["a", "b"], { positionals: 1 }), Error, "unexpected argument");
 * ```
 */
export function parseFlags(
  command: string,
  args: string[],
  spec: { strings?: string[]; booleans?: string[]; positionals?: number },
): Flags {
  const names = [...(spec.strings ?? []), ...(spec.booleans ?? [])];
  let positionals = 0;
  const parsed = parseArgs(args, {
    string: spec.strings ?? [],
    boolean: spec.booleans ?? [],
    unknown: (arg: string) => {
      const name = arg.replace(/^--?/, "").replace(/=.*$/, "");
      if (!arg.startsWith("-")) {
        if (++positionals <= (spec.positionals ?? 0)) return true;
        throw new OptionError(
          command,
          arg,
          `unexpected argument ${JSON.stringify(arg)}; flags are --name value`,
        );
      }
      const near = nearest(name, names);
      throw new OptionError(
        command,
        name,
        `unknown flag --${name}${near ? `; did you mean --${near}?` : ""} (valid: ${
          names.map((n) => `--${n}`).join(", ")
        })`,
      );
    },
  });
  return { ...parsed, _: parsed._.map(String) } as Flags;
}

/**
 * The number given by flag `name` (checked against `rule`, e.g. `{ above: 0 }`), or `fallback`.
 *
 * @example
 * ```ts
 * import { assertThrows } from "@std/assert";
 * import { numberFlag } from "./flags.ts";
 * const options = { command: "demo", fallback: 90, rule: { above: 0 } };
 * numberFlag({ seconds: "5" }, "seconds", options);
 * assertThrows(() => numberFlag({ seconds: "NaN" }, "seconds", options), Error, "--seconds");
 * ```
 */
export function numberFlag(
  flags: Partial<Flags>,
  name: string,
  options: { command: string; fallback: number; rule: NumberRule },
): number {
  const { command, fallback, rule } = options;
  const raw = flags[name];
  if (raw === undefined) return fallback;
  const n = typeof raw === "string" && raw.trim() !== "" ? Number(raw) : NaN;
  return checkNumber(command, `--${name}`, n, rule);
}
