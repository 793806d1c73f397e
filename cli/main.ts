/**
 * The command line: parses arguments, runs a command, prints the result on stdout and nothing
 * else; errors go to stderr as one line built by describeError. Exit codes: 0 ok, 2 error.
 * Only this file prints or exits (STYLE: no printing inside library code).
 */
import { parsePlatform, type Platform } from "../src/core/oci";
import { analyse } from "./image";
import { describeLine, inspectResult, type InspectResult } from "./inspect";
import { openImage, parseSource } from "./sources";

export const EXIT_OK = 0;
export const EXIT_ERROR = 2;

const USAGE = `usage: layerscope inspect SOURCE [--platform os/arch[/variant]] [--json]
SOURCE: docker-archive:FILE | oci-archive:FILE (registry references come later)`;

export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

/** Runs one command line; resolves with the exit code. */
export async function run(argv: readonly string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "-h") {
    (command === undefined ? io.err : io.out)(USAGE);
    return command === undefined ? EXIT_ERROR : EXIT_OK;
  }
  if (command !== "inspect") {
    io.err(`layerscope: unknown command "${command}" (only inspect exists yet; diff and ci come later)\n${USAGE}`);
    return EXIT_ERROR;
  }
  let json = false;
  let platform: Platform | undefined;
  const positional: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i] as string;
    if (a === "--json") json = true;
    else if (a === "--platform" || a.startsWith("--platform=")) {
      const value = a === "--platform" ? rest[++i] : a.slice("--platform=".length);
      platform = value === undefined ? undefined : parsePlatform(value);
      if (platform === undefined) {
        io.err(`layerscope: --platform wants os/arch[/variant], e.g. linux/arm64/v8`);
        return EXIT_ERROR;
      }
    } else if (a.startsWith("-")) {
      io.err(`layerscope: unknown option ${a}\n${USAGE}`);
      return EXIT_ERROR;
    } else positional.push(a);
  }
  if (positional.length !== 1) {
    io.err(USAGE);
    return EXIT_ERROR;
  }
  const source = parseSource(positional[0] as string);
  if (!source.ok) {
    io.err(`layerscope: ${describeLine(source.error)}`);
    return EXIT_ERROR;
  }
  const opened = await openImage(source.value, platform ? { platform } : {});
  if (!opened.ok) {
    io.err(`layerscope: ${describeLine(opened.error)}`);
    return EXIT_ERROR;
  }
  try {
    const result = inspectResult(opened.value, await analyse(opened.value));
    io.out(json ? JSON.stringify(result, null, 2) : human(result));
    return EXIT_OK;
  } finally {
    await opened.value.close();
  }
}

const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;

/** The short human-readable form: the image, one line per layer, the efficiency figures. */
export function human(r: InspectResult): string {
  const lines = [
    `image     ${r.image.names.join(", ") || "(unnamed)"}  [${r.source.transport}, ${r.source.format}]`,
    `manifest  ${r.image.manifestDigest}`,
    `config    ${r.image.configDigest}`,
    `platform  ${r.image.platform}`,
    `layers    ${r.layers.length}`,
    ...r.layers.map(
      (l) =>
        `  ${String(l.index).padStart(3)}  ${l.trusted ? "verified  " : "UNTRUSTED "} ${l.digest.slice(0, 19)}  ${String(l.size).padStart(12)} B  ${String(l.entries.length).padStart(6)} entries${l.error ? `  ${l.error}` : ""}`,
    ),
    `merged    ${r.merged.length} paths`,
    `efficiency ${pct(r.efficiency.dive.efficiency)}  wasted ${r.efficiency.dive.wastedBytes} B (dive)  ${r.efficiency.corrected.wastedBytes} B (corrected)  user wasted ${pct(r.efficiency.dive.userWastedPercent)}`,
    ...r.image.warnings.map((w) => `warning   ${w}`),
  ];
  return lines.join("\n");
}

