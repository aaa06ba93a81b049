/**
 * Command-line flags parsed with `@std/cli`, strictly: an unknown flag or a stray positional argument is an
 * `OptionError` naming it (with the nearest valid flag), never silently ignored, and a numeric flag is
 * checked like the option it feeds.
 *
 * @module
 */
import { parseArgs } from "@std/cli";
import { checkNumber, nearest, type NumberRule, OptionError } from "../util/options.ts";

/** Parsed flags: strings (or booleans for boolean flags) by name. */
export type Flags = Record<string, string | boolean | undefined>;

/**
 * Parses `args`, accepting only `--name value` for `strings` and `--name` for `booleans`.
 *
 * @example
 * ```ts
 * import { assertThrows } from "@std/assert";
 * import { parseFlags } from "./flags.ts";
 * parseFlags("demo", ["--seconds", "5"], { strings: ["seconds"] });
 * assertThrows(() => parseFlags("demo", ["--maxSeconds", "5"], { strings: ["seconds"] }), Error, "--seconds");
 * ```
 */
export function parseFlags(
  command: string,
  args: string[],
  spec: { strings?: string[]; booleans?: string[] },
): Flags {
  const names = [...(spec.strings ?? []), ...(spec.booleans ?? [])];
  return parseArgs(args, {
    string: spec.strings ?? [],
    boolean: spec.booleans ?? [],
    unknown: (arg: string) => {
      const name = arg.replace(/^--?/, "").replace(/=.*$/, "");
      if (!arg.startsWith("-")) {
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
  }) as Flags;
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
  flags: Flags,
  name: string,
  options: { command: string; fallback: number; rule: NumberRule },
): number {
  const { command, fallback, rule } = options;
  const raw = flags[name];
  if (raw === undefined) return fallback;
  const n = typeof raw === "string" && raw.trim() !== "" ? Number(raw) : NaN;
  return checkNumber(command, `--${name}`, n, rule);
}
