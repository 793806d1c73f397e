/**
 * A Layerscope server of a test's own: the built proxy (dist/proxy/server.js, what `npm start`
 * runs) in a child process, with options the shared app's server does not have — short
 * timeouts for the stall and slowloris rows (P12), a process of its own whose memory can be read
 * from /proc (L1) and whose stream caps no other test shares (L2). It serves the built app too,
 * so a page can be opened on it. Logs (one line per proxied request, P14) are kept in `logs`.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { ProxyServerOptions } from "../../proxy/server";
import { stopChild } from "../setup/services";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

export type OwnProxyOptions = Omit<ProxyServerOptions, "resolver" | "log" | "staticDir">;

export interface OwnProxy {
  /** http://127.0.0.1:PORT */
  readonly baseURL: string;
  readonly pid: number;
  /** What it printed so far, one entry a line. */
  readonly logs: string[];
  /** Resident memory now, from /proc/PID/status (VmRSS), in bytes. */
  rssBytes(): number;
  stop(): Promise<void>;
}

const SCRIPT = `
const { createServer } = await import(process.env.LAYERSCOPE_SERVER_JS);
const server = createServer({ staticDir: process.env.LAYERSCOPE_STATIC_DIR, ...JSON.parse(process.env.LAYERSCOPE_OPTIONS) });
server.listen(0, "127.0.0.1", () => console.log("listening " + server.address().port));
process.once("SIGTERM", () => { server.closeAllConnections(); server.close(() => process.exit(0)); });
`;

export async function startOwnProxy(options: OwnProxyOptions): Promise<OwnProxy> {
  const child: ChildProcess = spawn(process.execPath, ["--input-type=module", "-e", SCRIPT], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      LAYERSCOPE_SERVER_JS: pathToFileURL(join(ROOT, "dist/proxy/server.js")).href,
      LAYERSCOPE_STATIC_DIR: join(ROOT, "dist/app"),
      LAYERSCOPE_OPTIONS: JSON.stringify(options),
    },
  });
  const logs: string[] = [];
  let partial = "";
  const port = await new Promise<number>((resolve, reject) => {
    const onLine = (text: string): void => {
      partial += text;
      const lines = partial.split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) {
        logs.push(line);
        const m = /^listening (\d+)$/.exec(line);
        if (m) resolve(Number(m[1]));
      }
    };
    child.stdout!.setEncoding("utf8").on("data", onLine);
    child.stderr!.setEncoding("utf8").on("data", onLine);
    child.once("exit", (code) => reject(new Error(`own proxy exited (${code}): ${logs.join("\n")}`)));
  });
  return {
    baseURL: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    logs,
    rssBytes() {
      const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"))?.[1];
      return Number(kb) * 1024;
    },
    stop: () => stopChild(child),
  };
}
