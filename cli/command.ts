/**
 * What every command shares: exit codes, the Io it prints through, its declaration, and the
 * source options (platform, credentials, egress) parsed from SOURCE_FLAGS.
 */
import { parsePlatform } from "../src/core/oci";
import type { Result } from "../src/core/result";
import type { FlagKind, ParsedArgs } from "./args";
import type { CliError } from "./errors";
import { analyse, type Analysis, type OpenedImage } from "./image";
import { progressReporter } from "./progress";
import { openImage, parseSource, type OpenContext, type SourceOptions } from "./sources";

export const EXIT_OK = 0;
export const EXIT_FAIL = 1;
export const EXIT_ERROR = 2;

export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Reads all of standard input (for --password-stdin). */
  readonly stdin?: () => Promise<string>;
  /**
   * Draws a status line on stderr, replacing the last one ("" clears it). Present only when
   * stderr is a terminal, so progress never reaches a pipe or a CI log.
   */
  readonly progress?: (line: string) => void;
  /** The environment (DOCKER_CONFIG, HOME for Docker's config file). Without it no config file is read. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** One command: its usage line, its flags, and what it does with them. */
export interface Command {
  readonly usage: string;
  readonly flags: Readonly<Record<string, FlagKind>>;
  run(args: ParsedArgs, io: Io): Promise<number>;
}

export const SOURCES = `SOURCE: a registry reference (nginx:1.27, ghcr.io/org/app@sha256:…, docker://REF),
        docker-archive:FILE, oci-archive:FILE, oci:DIR (an OCI image layout directory);
        one image of a source holding several is chosen as skopeo does, after the path:
        :@N (N counts from 0) or :NAME (a RepoTag; for oci: and oci-archive: the ref.name)`;

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

/** What opening a source needs from the process: the environment (Docker's config file) and a stderr line for warnings. */
export function openContext(io: Io): OpenContext {
  return { env: io.env ?? {}, warn: (line) => io.err(`layerscope: warning: ${line}`) };
}

/** Parses a SOURCE argument and opens it. The caller closes the image. */
export async function openArgument(argument: string, options: SourceOptions, io: Io): Promise<Result<OpenedImage, CliError>> {
  const source = parseSource(argument);
  return source.ok ? openImage(source.value, options, openContext(io)) : source;
}

/** {@link analyse}, with a progress line on stderr when it is a terminal. `label` names the image when a command reads several. */
export async function analyseWithProgress(image: OpenedImage, io: Io, label = ""): Promise<Analysis> {
  if (io.progress === undefined) return analyse(image);
  const reporter = progressReporter(
    io.progress,
    image.manifest.layers.map((d) => d.size),
    label,
  );
  try {
    return await analyse(image, reporter.report);
  } finally {
    reporter.done();
  }
}
