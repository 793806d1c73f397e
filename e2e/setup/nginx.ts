/**
 * nginx for the scale-out test: the production configuration (deploy/nginx/layerscope.conf)
 * rendered with test ports and temp paths, inside a small top-level nginx.conf of the test's own
 * (the part Debian's /etc/nginx/nginx.conf plays in production), run in the foreground.
 */
import { execFileSync, type ChildProcess } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { LOOPBACK, type Processes, waitForHttp } from "./services";

export const NGINX = "/usr/sbin/nginx";
export const PRODUCTION_CONFIG = fileURLToPath(new URL("../../deploy/nginx/layerscope.conf", import.meta.url));

/** The values of the `# setting: NAME` lines; `proxy` is one line per process. */
export interface NginxSettings {
  cache_dir: string;
  proxy: string[];
  listen: string;
  access_log: string;
  error_log: string;
}

const SETTING = /^(\s*)(\S+)\s+(\S+)(.*?;)\s*# setting: ([a-z_]+)\s*$/;

/**
 * Replaces the first value of each `# setting: NAME` line of `text`. The lines of a list setting
 * (`proxy`) are replaced together, one per value, each keeping the first line's parameters. Throws
 * when the file lacks a setting or has one this function does not know, so the test can never run
 * against a production path.
 */
export function renderNginxConfig(text: string, settings: NginxSettings): string {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const line of text.split("\n")) {
    const m = SETTING.exec(line);
    if (!m) {
      out.push(line);
      continue;
    }
    const [, indent, directive, , rest, name] = m as unknown as [string, string, string, string, string, keyof NginxSettings];
    if (!(name in settings)) throw new Error(`${PRODUCTION_CONFIG}: unknown setting ${name}`);
    const value = settings[name];
    if (Array.isArray(value)) {
      if (seen.has(name)) continue; // the list's other lines: written with the first
      for (const v of value) out.push(`${indent}${directive} ${v}${rest}`);
    } else {
      if (seen.has(name)) throw new Error(`${PRODUCTION_CONFIG}: setting ${name} appears twice`);
      out.push(`${indent}${directive} ${value}${rest}`);
    }
    seen.add(name);
  }
  const missing = Object.keys(settings).filter((k) => !seen.has(k));
  if (missing.length) throw new Error(`${PRODUCTION_CONFIG}: no line marked "# setting: ${missing.join('", "')}"`);
  return out.join("\n");
}

export interface RunningNginx {
  base: string;
  accessLog: string;
  cacheDir: string;
  child: ChildProcess;
}

/**
 * Starts nginx in the foreground on 127.0.0.1:`port`, everything it writes under `dir` (pid, logs,
 * temp files, the cache), nothing under /var or /run.
 */
export async function startNginx(procs: Processes, dir: string, port: number, proxies: string[]): Promise<RunningNginx> {
  const temp = join(dir, "temp");
  const cacheDir = join(dir, "cache");
  for (const d of [temp, cacheDir, join(dir, "logs")]) mkdirSync(d, { recursive: true });
  const accessLog = join(dir, "access.log");
  const site = join(dir, "layerscope.conf");
  writeFileSync(
    site,
    renderNginxConfig(readFileSync(PRODUCTION_CONFIG, "utf8"), {
      cache_dir: cacheDir,
      proxy: proxies,
      listen: `${LOOPBACK}:${port}`,
      access_log: accessLog,
      error_log: join(dir, "error.log"),
    }),
  );
  // As root, workers would switch to `nobody`, who cannot enter this private temp dir; the test's
  // workers stay root instead (outside root, nginx ignores `user` and keeps the caller).
  const asRoot = typeof process.getuid === "function" && process.getuid() === 0;
  const main = join(dir, "nginx.conf");
  writeFileSync(
    main,
    [
      asRoot ? "user root;" : "",
      "worker_processes 1;",
      `lock_file ${join(dir, "nginx.lock")};`,
      "events { worker_connections 512; }",
      "http {",
      "  default_type application/octet-stream;",
      `  client_body_temp_path ${join(temp, "body")};`,
      `  proxy_temp_path ${join(temp, "proxy")};`,
      `  fastcgi_temp_path ${join(temp, "fastcgi")};`,
      `  uwsgi_temp_path ${join(temp, "uwsgi")};`,
      `  scgi_temp_path ${join(temp, "scgi")};`,
      `  access_log ${join(dir, "other-access.log")};`,
      `  include ${site};`,
      "}",
      "",
    ].join("\n"),
  );
  const errorLog = join(dir, "nginx-main.log");
  const globals = `daemon off; master_process on; pid ${join(dir, "nginx.pid")}; error_log ${errorLog} notice;`;
  const args = ["-p", `${dir}/`, "-e", errorLog, "-c", main, "-g", globals];
  // A bad configuration fails here with nginx's own message rather than as a timeout below.
  execFileSync(NGINX, [...args, "-t", "-q"], { stdio: ["ignore", "ignore", "pipe"] });
  const child = procs.spawn(NGINX, args, join(dir, "nginx.out"));
  const base = `http://${LOOPBACK}:${port}`;
  await waitForHttp(`${base}/healthz`, child, errorLog);
  return { base, accessLog, cacheDir, child };
}

/** One line of the `layerscope` log format. */
export interface NginxLogLine {
  method: string;
  path: string;
  status: number;
  cache: string;
  upstream: string;
}

export function readAccessLog(file: string): NginxLogLine[] {
  const re = /"(\S+) (\S+)" (\d{3}) \d+ cache=(\S+) upstream=(\S+) /;
  return readFileSync(file, "utf8")
    .split("\n")
    .flatMap((line) => {
      const m = re.exec(line);
      return m ? [{ method: m[1]!, path: m[2]!, status: Number(m[3]), cache: m[4]!, upstream: m[5]! }] : [];
    });
}
