/** The command line as a user runs it: `node cli/bin.mjs …` with its own temp HOME and DOCKER_CONFIG. */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const BIN = join(ROOT, "cli/bin.mjs");

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Written to $DOCKER_CONFIG/config.json (a string as is, anything else as JSON). */
  config?: unknown;
  stdin?: string;
}

/**
 * Spawns the CLI (cwd the repository root) with its own temp HOME and DOCKER_CONFIG, so the
 * machine's Docker config is never read; resolves when it exits.
 */
export async function cli(args: string[], options: RunOptions = {}): Promise<Run> {
  const home = mkdtempSync(join(tmpdir(), "layerscope-cli-e2e-"));
  const dockerConfig = join(home, ".docker");
  mkdirSync(dockerConfig);
  if (options.config !== undefined) {
    writeFileSync(join(dockerConfig, "config.json"), typeof options.config === "string" ? options.config : JSON.stringify(options.config));
  }
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, DOCKER_CONFIG: dockerConfig };
  try {
    return await new Promise<Run>((resolve, reject) => {
      const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env, stdio: ["pipe", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
      child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
      child.on("error", reject);
      child.on("close", (code) => resolve({ code, stdout, stderr }));
      child.stdin.end(options.stdin ?? "");
    });
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}
