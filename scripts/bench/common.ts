/**
 * What every bench suite shares: logging, statistics, hashing files, pushing images to the
 * bench's docker-registry (distribution-spec: POST then a monolithic PUT, streamed from a file),
 * launching Chromium with the e2e flags, and reading RSS from /proc.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream, readFileSync, readdirSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser } from "@playwright/test";
import { CHROMIUM_ARGS, CHROMIUM_EXECUTABLE } from "../../e2e/setup/chromium";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
/** Generated layers, registry storage, logs and the built bench page (git-ignored). */
export const WORK = join(ROOT, ".tmp/bench");
export const MB = 1e6;

export const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
export const OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
export const OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
export const OCI_LAYER_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd";

/** Headless Chromium as the e2e tests launch it. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_EXECUTABLE, args: [...CHROMIUM_ARGS] });
}

export function log(s: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${s}\n`);
}

/** Number from an env knob, or the default. */
export function knob(name: string, fallback: number): number {
  const v = process.env[name];
  return v === undefined || v === "" ? fallback : Number(v);
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** Percentile (0–100) by nearest rank. */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] as number;
}

export const round = (x: number, digits = 1): number => Number(x.toFixed(digits));

/** `sha256:<hex>` of a file, streamed. */
export function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash("sha256");
    createReadStream(path)
      .on("data", (c) => h.update(c))
      .on("end", () => resolve(`sha256:${h.digest("hex")}`))
      .on("error", reject);
  });
}

export const sha256Bytes = (b: Uint8Array): string => `sha256:${createHash("sha256").update(b).digest("hex")}`;

/** Runs a shell pipeline (bash, pipefail) and returns its stdout and wall time. */
export function timeShell(script: string): { ms: number; out: string } {
  const t0 = performance.now();
  const out = execFileSync("/bin/bash", ["-o", "pipefail", "-c", script], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  return { ms: performance.now() - t0, out };
}

// ── pushing ──────────────────────────────────────────────────────────────────────────────────────

export interface HttpAnswer {
  readonly status: number;
  readonly headers: Record<string, unknown>;
  readonly text: string;
}

export function http(method: string, url: string, headers: Record<string, string | number>, body?: string | Uint8Array | { file: string }): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString("utf8") }));
    });
    req.on("error", reject);
    if (body && typeof body === "object" && "file" in body) createReadStream(body.file).pipe(req);
    else req.end(body);
  });
}

async function pushBlob(registry: string, repo: string, digest: string, size: number, body: Uint8Array | { file: string }): Promise<void> {
  const head = await http("HEAD", `http://${registry}/v2/${repo}/blobs/${digest}`, {});
  if (head.status === 200) return;
  const start = await http("POST", `http://${registry}/v2/${repo}/blobs/uploads/`, { "content-length": 0 });
  const url = new URL(String(start.headers.location ?? ""), `http://${registry}`);
  url.searchParams.set("digest", digest);
  const put = await http("PUT", url.toString(), { "content-type": "application/octet-stream", "content-length": size }, body);
  if (put.status !== 201) throw new Error(`push ${digest}: HTTP ${put.status} ${put.text}`);
}

/** A layer blob on disk, ready to push: `digest` of the file, `diffId` of the tar inside. */
export interface LayerBlob {
  readonly file: string;
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly diffId: string;
  readonly tarBytes: number;
  readonly entries: number;
  readonly createdBy: string;
}

export interface PushedImage {
  readonly repository: string;
  readonly tag: string;
  readonly manifestDigest: string;
  readonly layers: readonly LayerBlob[];
}

/** Pushes an OCI image of `layers` (base first) with a config naming their diff_ids. */
export async function pushImage(registry: string, repository: string, tag: string, layers: readonly LayerBlob[]): Promise<PushedImage> {
  for (const l of layers) await pushBlob(registry, repository, l.digest, l.size, { file: l.file });
  const config = Buffer.from(
    JSON.stringify({
      architecture: "amd64",
      os: "linux",
      created: "2024-01-01T00:00:00Z",
      config: { Cmd: ["/bin/sh"] },
      rootfs: { type: "layers", diff_ids: layers.map((l) => l.diffId) },
      history: layers.map((l) => ({ created: "2024-01-01T00:00:00Z", created_by: l.createdBy })),
    }),
  );
  const configDigest = sha256Bytes(config);
  await pushBlob(registry, repository, configDigest, config.length, config);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: OCI_CONFIG, digest: configDigest, size: config.length },
      layers: layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size })),
    }),
  );
  const res = await http("PUT", `http://${registry}/v2/${repository}/manifests/${tag}`, { "content-type": OCI_MANIFEST, "content-length": manifest.length }, manifest);
  if (res.status !== 201) throw new Error(`manifest ${repository}:${tag}: HTTP ${res.status} ${res.text}`);
  return { repository, tag, manifestDigest: sha256Bytes(manifest), layers };
}

// ── memory: RSS from /proc ───────────────────────────────────────────────────────────────────────

interface ProcInfo {
  readonly pid: number;
  readonly ppid: number;
  readonly rssBytes: number;
  readonly type: string;
  /** utime + stime + cutime + cstime, clock ticks: its CPU time and its reaped children's. */
  readonly cpuTicks: number;
}

/** Linux's USER_HZ: /proc times are in 1/100 s. */
const TICKS_PER_S = 100;

/** Fields of /proc/PID/stat after the command name: index 0 is field 3 (state). */
function statFields(pid: number | "self"): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
}

const ticks = (f: readonly string[], ...fields: number[]): number => fields.reduce((a, i) => a + Number(f[i - 3]), 0);

function processes(): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const fields = statFields(Number(d));
      const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${d}/status`, "utf8"));
      const cmd = readFileSync(`/proc/${d}/cmdline`, "utf8");
      const type = /--type=([a-z-]+)/.exec(cmd)?.[1] ?? (cmd.includes("chrom") ? "browser" : "other");
      out.push({ pid: Number(d), ppid: Number(fields[1]), rssBytes: rss ? Number(rss[1]) * 1024 : 0, type, cpuTicks: ticks(fields, 14, 15, 16, 17) });
    } catch {
      // the process is gone
    }
  }
  return out;
}

export interface ChromiumRss {
  /** Every Chromium process below this one. */
  readonly total: number;
  /** The renderer processes: the page and its dedicated workers live there. */
  readonly renderer: number;
}

/** RSS of Chromium: every descendant of this process, and the renderer(s) alone. */
export function chromiumRss(): ChromiumRss {
  const all = processes();
  const children = new Map<number, ProcInfo[]>();
  for (const p of all) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  let total = 0;
  let renderer = 0;
  const stack = [...(children.get(process.pid) ?? [])];
  while (stack.length) {
    const p = stack.pop() as ProcInfo;
    if (p.type !== "other") {
      total += p.rssBytes;
      if (p.type === "renderer") renderer += p.rssBytes;
    }
    stack.push(...(children.get(p.pid) ?? []));
  }
  return { total, renderer };
}

/**
 * CPU seconds used so far by Chromium, per process type (browser, renderer, utility — the
 * network service —, gpu, zygote…): every process below this one, with the children they
 * reaped (a closed context's renderer counts once the browser has waited for it).
 */
export function chromiumCpuSeconds(): Record<string, number> {
  const all = processes();
  const children = new Map<number, ProcInfo[]>();
  for (const p of all) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const byType: Record<string, number> = {};
  const stack = [...(children.get(process.pid) ?? [])];
  while (stack.length) {
    const p = stack.pop() as ProcInfo;
    if (p.type !== "other") byType[p.type] = (byType[p.type] ?? 0) + p.cpuTicks / TICKS_PER_S;
    stack.push(...(children.get(p.pid) ?? []));
  }
  return byType;
}

/**
 * CPU ticks of every thread of the renderer processes below this one, by thread id, with the
 * thread's name (CrRendererMain, DedicatedWorker thread, V8 DefaultWorker…): take two and
 * {@link threadCpuByName} tells where a page's CPU went. Threads that ended in between are lost.
 */
export function rendererThreadTicks(): Map<string, { readonly name: string; readonly ticks: number }> {
  const all = processes();
  const children = new Map<number, ProcInfo[]>();
  for (const p of all) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const out = new Map<string, { name: string; ticks: number }>();
  const stack = [...(children.get(process.pid) ?? [])];
  while (stack.length) {
    const p = stack.pop() as ProcInfo;
    stack.push(...(children.get(p.pid) ?? []));
    if (p.type !== "renderer") continue;
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${p.pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tasks) {
      try {
        const stat = readFileSync(`/proc/${p.pid}/task/${tid}/stat`, "utf8");
        const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")).replace(/[\d/]+$/, "").trim();
        const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        out.set(`${p.pid}/${tid}`, { name, ticks: Number(f[11]) + Number(f[12]) });
      } catch {
        // the thread ended meanwhile
      }
    }
  }
  return out;
}

/** CPU seconds per thread name between two {@link rendererThreadTicks} snapshots, largest first. */
export function threadCpuByName(before: ReturnType<typeof rendererThreadTicks>, after: ReturnType<typeof rendererThreadTicks>): Record<string, number> {
  const by: Record<string, number> = {};
  for (const [id, t] of after) by[t.name] = (by[t.name] ?? 0) + (t.ticks - (before.get(id)?.ticks ?? 0)) / TICKS_PER_S;
  return Object.fromEntries(Object.entries(by).filter(([, s]) => s > 0).sort((a, b) => b[1] - a[1]));
}

/** CPU seconds of one running process (utime + stime), or of this process's waited-for children ("children"). */
export function cpuSeconds(pid: number | "children"): number {
  try {
    return pid === "children" ? ticks(statFields("self"), 16, 17) / TICKS_PER_S : ticks(statFields(pid), 14, 15) / TICKS_PER_S;
  } catch {
    return 0;
  }
}

/** RSS of one process in bytes (0 once it is gone). */
export function pidRss(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Samples `read` every `everyMs` until stopped; keeps the maximum. */
export function peakSampler<T extends Record<string, number>>(read: () => T, everyMs = 50): { readonly idle: T; stop(): T } {
  const idle = read();
  const peak: Record<string, number> = { ...idle };
  const timer = setInterval(() => {
    const now = read();
    for (const k of Object.keys(now)) peak[k] = Math.max(peak[k] ?? 0, now[k] ?? 0);
  }, everyMs);
  return {
    idle,
    stop() {
      clearInterval(timer);
      return peak as T;
    },
  };
}
