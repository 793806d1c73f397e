/**
 * What every command shares: exit codes, the Io it prints through, its declaration, and the
 * source options (platform, credentials, egress) parsed from SOURCE_FLAGS.
 */
import { parsePlatform } from "../src/core/oci";
import type { Result } from "../src/core/result";
import type { FlagKind, ParsedArgs } from "./args";
import type { CliError } from "./errors";
import type { OpenedImage } from "./image";
import { openImage, parseSource, type SourceOptions } from "./sources";

export const EXIT_OK = 0;
export const EXIT_FAIL = 1;
export const EXIT_ERROR = 2;

export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Reads all of standard input (for --password-stdin). */
  readonly stdin?: () => Promise<string>;
  /** True when stderr is a terminal: progress is drawn there only then. */
  readonly progress?: boolean;
}

/** One command: its usage line, its flags, and what it does with them. */
export interface Command {
  readonly usage: string;
  readonly flags: Readonly<Record<string, FlagKind>>;
  run(args: ParsedArgs, io: Io): Promise<number>;
}

export const SOURCES = `SOURCE: a registry reference (nginx:1.27, ghcr.io/org/app@sha256:…),
        docker-archive:FILE, oci-archive:FILE`;

/** The source options shared by every command that opens images, from parsed flags. Errors are one line. */
export async function sourceOptions(args: ParsedArgs, io: Io): Promise<{ ok: true; value: SourceOptions } | { ok: false; error: string }> {
  const p = args.flags.get("platform");
  const platform = p === undefined ? undefined : parsePlatform(p);
  if (p !== undefined && platform === undefined) return { ok: false, error: "--platform wants os/arch[/variant], e.g. linux/arm64/v8" };
  const username = args.flags.get("username");
  const passwordStdin = args.flags.has("password-stdin");
  if (passwordStdin !== (username !== undefined)) return { ok: false, error: "--username and --password-stdin go together" };
  let password: string | undefined;
  if (passwordStdin) {
    if (io.stdin === undefined) return { ok: false, error: "--password-stdin: no standard input" };
    password = (await io.stdin()).replace(/\r?\n$/, "");
    if (password === "") return { ok: false, error: "--password-stdin: standard input was empty" };
  }
  return {
    ok: true,
    value: {
      ...(platform ? { platform } : {}),
      ...(username !== undefined && password !== undefined ? { credentials: { username, password } } : {}),
      allowPrivate: args.flags.has("allow-private"),
    },
  };
}


/** Parses a SOURCE argument and opens it. The caller closes the image. */
export async function openArgument(argument: string, options: SourceOptions): Promise<Result<OpenedImage, CliError>> {
  const source = parseSource(argument);
  return source.ok ? openImage(source.value, options) : source;
}
