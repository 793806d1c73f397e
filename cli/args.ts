/**
 * Command-line arguments: `--flag`, `--flag value`, `--flag=value`, positionals, and `--` to end
 * the flags. Each command declares its flags; an unknown flag or a missing value is an error
 * string naming it. Pure.
 */
import { err, ok, type Result } from "../src/core/result";

/** A flag: a switch, or one that takes a value. */
export type FlagKind = "switch" | "value";

export interface ParsedArgs {
  /** Switches map to "true"; a repeated value flag keeps its last value. */
  readonly flags: ReadonlyMap<string, string>;
  readonly positional: readonly string[];
}

/** Flags every command that opens an image takes (see cli/sources.ts for what they mean). */
export const SOURCE_FLAGS: Readonly<Record<string, FlagKind>> = {
  platform: "value",
  username: "value",
  "password-stdin": "switch",
  "allow-private": "switch",
};

export function parseArgs(argv: readonly string[], flags: Readonly<Record<string, FlagKind>>): Result<ParsedArgs, string> {
  const out = new Map<string, string>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === "--") {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith("--") || a === "-") {
      if (a.startsWith("-") && a !== "-") return err(`unknown option ${a}`);
      positional.push(a);
      continue;
    }
    const eq = a.indexOf("=");
    const name = a.slice(2, eq < 0 ? undefined : eq);
    const kind = flags[name];
    if (kind === undefined) return err(`unknown option --${name}`);
    if (kind === "switch") {
      if (eq >= 0) return err(`--${name} takes no value`);
      out.set(name, "true");
      continue;
    }
    const value = eq >= 0 ? a.slice(eq + 1) : argv[++i];
    if (value === undefined || (eq < 0 && value.startsWith("--"))) return err(`--${name} needs a value`);
    out.set(name, value);
  }
  return ok({ flags: out, positional });
}
