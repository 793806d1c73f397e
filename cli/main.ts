/**
 * The command line: parses arguments, runs a command, prints the result on stdout and nothing
 * else; errors go to stderr as one line built by describeError. Exit codes: 0 ok (or a ci pass),
 * 1 a ci failure, 2 an error. Only this file and cli/bin.mjs print or exit (STYLE: no printing
 * inside library code); commands get an {@link Io}.
 */
import { parseArgs, SOURCE_FLAGS } from "./args";
import { ci } from "./ci";
import { EXIT_ERROR, EXIT_OK, SOURCES, analyseWithProgress, openContext, sourceOptions, type Command, type Io } from "./command";
import { diff } from "./diff";
import { describeLine, inspectResult, type InspectResult } from "./inspect";
import { unreadLayer } from "./image";
import { openImage, parseSource } from "./sources";

export { EXIT_ERROR, EXIT_FAIL, EXIT_OK, type Io } from "./command";

const inspect: Command = {
  usage: "layerscope inspect SOURCE [--platform os/arch[/variant]] [--json] [--username NAME --password-stdin] [--allow-private]",
  flags: { ...SOURCE_FLAGS, json: "switch" },
  async run(args, io) {
    if (args.positional.length !== 1) {
      io.err(`usage: ${this.usage}`);
      return EXIT_ERROR;
    }
    const source = parseSource(args.positional[0] as string);
    if (!source.ok) {
      io.err(`layerscope: ${describeLine(source.error)}`);
      return EXIT_ERROR;
    }
    const options = await sourceOptions(args, io);
    if (!options.ok) {
      io.err(`layerscope: ${options.error}`);
      return EXIT_ERROR;
    }
    const opened = await openImage(source.value, options.value, openContext(io));
    if (!opened.ok) {
      io.err(`layerscope: ${describeLine(opened.error)}`);
      return EXIT_ERROR;
    }
    try {
      const analysis = await analyseWithProgress(opened.value, io);
      const unread = unreadLayer(analysis);
      if (unread !== undefined) {
        io.err(`layerscope: ${describeLine(unread)}`);
        return EXIT_ERROR;
      }
      const result = inspectResult(opened.value, analysis);
      io.out(args.flags.has("json") ? JSON.stringify(result, null, 2) : human(result));
      return EXIT_OK;
    } finally {
      await opened.value.close();
    }
  },
};

/** Every command, by name. */
export const COMMANDS: Readonly<Record<string, Command>> = { inspect, diff, ci };

function usage(): string {
  return `usage:\n${Object.values(COMMANDS)
    .map((c) => `  ${c.usage}`)
    .join("\n")}\n${SOURCES}\nregistry options: --username NAME --password-stdin (else ~/.docker/config.json's plain auths),
  --allow-private (loopback and private addresses; plain http to localhost, loopback and private IPs)`;
}

/** Runs one command line; resolves with the exit code. */
export async function run(argv: readonly string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    (name === undefined ? io.err : io.out)(usage());
    return name === undefined ? EXIT_ERROR : EXIT_OK;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    io.err(`layerscope: unknown command "${name}"\n${usage()}`);
    return EXIT_ERROR;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    io.out(`usage: ${command.usage}\n${SOURCES}`);
    return EXIT_OK;
  }
  const args = parseArgs(rest, command.flags);
  if (!args.ok) {
    io.err(`layerscope ${name}: ${args.error}\nusage: ${command.usage}`);
    return EXIT_ERROR;
  }
  try {
    return await command.run(args.value, io);
  } catch (e) {
    // A bug, not a verdict: say so on one line, and exit as an error (never as a pass).
    io.err(`layerscope: internal error: ${e instanceof Error ? e.message : String(e)}`);
    return EXIT_ERROR;
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
