/**
 * `npm run bench`: the layer pipeline's speed and memory, in headless Chromium against a real
 * registry through the built proxy (issue 3, "Speed and memory"). Not a test: it prints figures.
 *
 * 1. Builds two layers from this machine's /usr (cached in .tmp/layers-bench/):
 *    - "100 MB": a tar of ~430 MB / ~17 500 files (headers, Python, vim, gcc…), gzip -6.
 *    - "1 GB": a tar of ~1 GB (/usr/bin, /usr/lib/x86_64-linux-gnu), gzip -1.
 * 2. Starts a docker-registry (e2e/setup/services.ts) and the built proxy serving the bench page
 *    (bench/, built with Vite: it imports the app's LayerJobs, so the same workers), and pushes
 *    each layer with a config naming its diff_id.
 * 3. Times the browser pipeline (fetch → sha256 → gunzip → sha256 → tar index) in the "split"
 *    (two workers) and "single" (one worker) modes, and in the same run the native
 *    `curl -s <proxy blob URL> | gzip -dc | sha256sum`; prints tar MB/s and the ratio.
 * 4. Runs the 1 GB layer while sampling the RSS of every Chromium process (/proc), and prints
 *    the peak above the idle page.
 *
 * Knobs: BENCH_RUNS (default 3), BENCH_SKIP_BIG=1, BENCH_MODES=split,single,
 * BENCH_CREDITS / BENCH_BATCH_KB (split mode's flow control).
 */
import { execFileSync, execSync } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "@playwright/test";
import { LOOPBACK, Processes, freePorts, startRegistry, waitForHttp } from "../e2e/setup/services";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const WORK = join(ROOT, ".tmp/layers-bench");
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const MODES = (process.env.BENCH_MODES ?? "split,single").split(",") as ("split" | "single")[];
const MB = 1e6;

const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
const OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
const OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";

/** What bench/main.ts puts on the page's window (see BenchResult there). */
interface BenchWindow {
  layerscopeBench?: {
    run(
      layer: { registry: string; repository: string; digest: string; size: number; mediaType: string; diffId: string },
      options: { mode: "split" | "single"; credits?: number; batchBytes?: number },
    ): Promise<{ ms: number; stage: string; uncompressedBytes: number; entries: number; digest: string; diffId: string; progressUpdates: number; error?: string }>;
  };
}

interface LayerSpec {
  readonly name: string;
  readonly dirs: readonly string[];
  readonly gzipLevel: number;
}

const LAYERS: Record<"medium" | "big", LayerSpec> = {
  medium: {
    name: "usr-430m",
    dirs: ["/usr/include", "/usr/lib/python3.11", "/usr/lib/python3", "/usr/share/vim", "/usr/lib/node_modules", "/usr/share/perl", "/usr/lib/gcc"],
    gzipLevel: 6,
  },
  big: { name: "usr-1g", dirs: ["/usr/bin", "/usr/lib/x86_64-linux-gnu"], gzipLevel: 1 },
};

interface BuiltLayer {
  readonly gz: string;
  readonly tarBytes: number;
  readonly gzBytes: number;
  readonly digest: string;
  readonly diffId: string;
  readonly files: number;
}

function log(s: string): void {
  process.stderr.write(`[bench] ${s}\n`);
}

function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash("sha256");
    createReadStream(path)
      .on("data", (c) => h.update(c))
      .on("end", () => resolve(`sha256:${h.digest("hex")}`))
      .on("error", reject);
  });
}

/** tar (GNU, sorted, fixed owner) of existing dirs → gzip; cached by name. */
async function buildLayer(spec: LayerSpec): Promise<BuiltLayer> {
  const meta = join(WORK, `${spec.name}.json`);
  if (existsSync(meta)) {
    const cached = JSON.parse(readFileSync(meta, "utf8")) as BuiltLayer;
    if (existsSync(cached.gz)) return cached;
  }
  const dirs = spec.dirs.filter((d) => existsSync(d));
  const tar = join(WORK, `${spec.name}.tar`);
  const gz = `${tar}.gz`;
  log(`building ${spec.name}: tar of ${dirs.join(" ")}`);
  execFileSync("tar", ["--sort=name", "--owner=0", "--group=0", "--numeric-owner", "--ignore-failed-read", "-cf", tar, ...dirs], { stdio: ["ignore", "ignore", "ignore"] });
  const files = Number(execSync(`tar -tvf ${tar} | grep -c '^-'`, { encoding: "utf8" }).trim());
  log(`gzip -${spec.gzipLevel} ${spec.name}.tar (${(statSync(tar).size / MB).toFixed(0)} MB, ${files} files)`);
  execSync(`gzip -${spec.gzipLevel} -n -c ${tar} > ${gz}`);
  const built: BuiltLayer = { gz, tarBytes: statSync(tar).size, gzBytes: statSync(gz).size, digest: await sha256File(gz), diffId: await sha256File(tar), files };
  writeFileSync(meta, JSON.stringify(built, null, 2));
  return built;
}

// ── pushing (distribution-spec: POST, then a monolithic PUT streamed from the file) ───────────────

function http(method: string, url: string, headers: Record<string, string | number>, body?: string | Uint8Array | { file: string }): Promise<{ status: number; headers: Record<string, unknown>; text: string }> {
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
  const location = String(start.headers.location ?? "");
  const url = new URL(location, `http://${registry}`);
  url.searchParams.set("digest", digest);
  const put = await http("PUT", url.toString(), { "content-type": "application/octet-stream", "content-length": size }, body);
  if (put.status !== 201) throw new Error(`push ${digest}: HTTP ${put.status} ${put.text}`);
}

async function pushImage(registry: string, repo: string, layer: BuiltLayer): Promise<void> {
  await pushBlob(registry, repo, layer.digest, layer.gzBytes, { file: layer.gz });
  const config = Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [layer.diffId] }, history: [{ created_by: "bench" }] }));
  const configDigest = `sha256:${createHash("sha256").update(config).digest("hex")}`;
  await pushBlob(registry, repo, configDigest, config.length, config);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: OCI_CONFIG, digest: configDigest, size: config.length },
      layers: [{ mediaType: OCI_LAYER_GZIP, digest: layer.digest, size: layer.gzBytes }],
    }),
  );
  const res = await http("PUT", `http://${registry}/v2/${repo}/manifests/v1`, { "content-type": OCI_MANIFEST, "content-length": manifest.length }, manifest);
  if (res.status !== 201) throw new Error(`manifest: HTTP ${res.status} ${res.text}`);
}

// ── memory: RSS of every process below ours (Chromium's browser, renderer, GPU, network…) ─────────

interface ProcInfo {
  pid: number;
  ppid: number;
  rssBytes: number;
  type: string;
}

function processes(): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const status = readFileSync(`/proc/${d}/status`, "utf8");
      const rss = /VmRSS:\s+(\d+) kB/.exec(status);
      const cmd = readFileSync(`/proc/${d}/cmdline`, "utf8");
      const type = /--type=([a-z-]+)/.exec(cmd)?.[1] ?? (cmd.includes("chrom") ? "browser" : "other");
      out.push({ pid: Number(d), ppid: Number(fields[1]), rssBytes: rss ? Number(rss[1]) * 1024 : 0, type });
    } catch {
      // gone
    }
  }
  return out;
}

/** RSS of Chromium: every descendant of this process, and the renderer(s) alone (the page and its workers live there). */
function chromiumRss(): { total: number; renderer: number } {
  const all = processes();
  const children = new Map<number, ProcInfo[]>();
  for (const p of all) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  let total = 0;
  let renderer = 0;
  const stack = [...(children.get(process.pid) ?? [])];
  while (stack.length) {
    const p = stack.pop()!;
    if (p.type !== "other") {
      total += p.rssBytes;
      if (p.type === "renderer") renderer += p.rssBytes;
    }
    stack.push(...(children.get(p.pid) ?? []));
  }
  return { total, renderer };
}

// ── main ─────────────────────────────────────────────────────────────────────────────────────────

async function main(): Promise<void> {
  mkdirSync(WORK, { recursive: true });
  if (!existsSync(join(ROOT, "dist/proxy/main.js"))) throw new Error("run `npm run build` first (the bench uses the built proxy)");
  const medium = await buildLayer(LAYERS.medium);
  const big = process.env.BENCH_SKIP_BIG ? undefined : await buildLayer(LAYERS.big);

  log("building the bench page (bench/ with the app's workers)");
  execFileSync(process.execPath, [join(ROOT, "node_modules/vite/bin/vite.js"), "build", "--config", join(ROOT, "bench/vite.config.ts")], { stdio: "inherit", cwd: ROOT });

  const procs = new Processes();
  const [registryPort, proxyPort] = await freePorts(2);
  const registry = `${LOOPBACK}:${registryPort}`;
  const proxyBase = `http://${LOOPBACK}:${proxyPort}`;
  try {
    await startRegistry(procs, { name: "bench-registry", dir: WORK, port: registryPort!, auth: { kind: "none" } });
    const proxyLog = join(WORK, "proxy.log");
    const proxy = procs.spawn(process.execPath, [join(ROOT, "dist/proxy/main.js")], proxyLog, {
      ...process.env,
      PORT: String(proxyPort),
      HOST: LOOPBACK,
      PROXY_ALLOW_HOSTS: registry,
      STATIC_DIR: join(WORK, "app"),
    });
    await waitForHttp(`${proxyBase}/healthz`, proxy, proxyLog);
    log("pushing layers");
    await pushImage(registry, "bench/medium", medium);
    if (big) await pushImage(registry, "bench/big", big);

    const browser = await chromium.launch({
      executablePath: process.env.LAYERSCOPE_CHROMIUM ?? "/usr/bin/chromium",
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    const page = await browser.newPage();
    page.on("pageerror", (e) => log(`page error: ${e.message}`));
    await page.goto(`${proxyBase}/`);
    await page.waitForFunction(() => (window as BenchWindow).layerscopeBench !== undefined);

    const layerArg = (repo: string, l: BuiltLayer) => ({ registry, repository: repo, digest: l.digest, size: l.gzBytes, mediaType: OCI_LAYER_GZIP, diffId: l.diffId });
    const credits = process.env.BENCH_CREDITS ? Number(process.env.BENCH_CREDITS) : undefined;
    const batchBytes = process.env.BENCH_BATCH_KB ? Number(process.env.BENCH_BATCH_KB) * 1024 : undefined;
    const runBrowser = (repo: string, l: BuiltLayer, mode: "split" | "single") =>
      page.evaluate(({ layer, options }) => (window as BenchWindow).layerscopeBench!.run(layer, options), {
        layer: layerArg(repo, l),
        options: { mode, ...(credits !== undefined ? { credits } : {}), ...(batchBytes !== undefined ? { batchBytes } : {}) },
      });
    const blobUrl = `${proxyBase}/registry/${registry}/v2/bench/medium/blobs/${medium.digest}`;
    const runNative = (): number => {
      const t0 = performance.now();
      const out = execSync(`set -o pipefail; curl -s '${blobUrl}' | gzip -dc | sha256sum`, { shell: "/bin/bash", encoding: "utf8" });
      const ms = performance.now() - t0;
      if (`sha256:${out.split(" ")[0]}` !== medium.diffId) throw new Error("native pipeline: wrong diff_id");
      return ms;
    };
    const runNativeFile = (): number => {
      const t0 = performance.now();
      execSync(`gzip -dc '${medium.gz}' | sha256sum`, { shell: "/bin/bash", encoding: "utf8" });
      return performance.now() - t0;
    };

    // Warm up: compile the workers' WebAssembly once, fill the page cache with the blob file.
    log("warm-up");
    await runBrowser("bench/medium", medium, MODES[0]!);
    runNative();

    const rows: { what: string; runs: number[] }[] = [];
    const times: Record<string, number[]> = { native: [], nativeFile: [] };
    for (const m of MODES) times[m] = [];
    // Interleaved so that both sides see the same machine state.
    for (let i = 0; i < RUNS; i++) {
      for (const m of MODES) {
        const r = await runBrowser("bench/medium", medium, m);
        if (r.stage !== "done" || r.digest !== "verified" || r.diffId !== "verified") throw new Error(`browser run failed: ${JSON.stringify(r)}`);
        if (r.uncompressedBytes !== medium.tarBytes) throw new Error(`browser run read ${r.uncompressedBytes} of ${medium.tarBytes} tar bytes`);
        times[m]!.push(r.ms);
        log(`${m}: ${(medium.tarBytes / MB / (r.ms / 1000)).toFixed(1)} MB/s (${r.entries} entries, ${r.progressUpdates} store updates)`);
      }
      times.native!.push(runNative());
      times.nativeFile!.push(runNativeFile());
    }
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const mbps = (ms: number): number => medium.tarBytes / MB / (ms / 1000);
    const nativeMbps = mbps(median(times.native!));
    for (const m of MODES) rows.push({ what: `browser, ${m === "split" ? "two workers" : "one worker"} (${m})`, runs: times[m]! });
    rows.push({ what: "native: curl proxy \\| gzip -dc \\| sha256sum", runs: times.native! });
    rows.push({ what: "native: gzip -dc file \\| sha256sum", runs: times.nativeFile! });

    console.log("");
    console.log(`Layer: ${(medium.gzBytes / MB).toFixed(1)} MB gzip (-${LAYERS.medium.gzipLevel}) → ${(medium.tarBytes / MB).toFixed(1)} MB tar, ${medium.files} files; ${RUNS} runs each, median`);
    console.log("| pipeline | tar MB/s (median) | runs (s) | vs native curl (proxy) |");
    console.log("|---|---:|---|---:|");
    for (const r of rows) {
      const v = mbps(median(r.runs));
      console.log(`| ${r.what} | ${v.toFixed(1)} | ${r.runs.map((ms) => (ms / 1000).toFixed(2)).join(", ")} | ${(v / nativeMbps).toFixed(2)}× |`);
    }
    const best = MODES.reduce((a, b) => (mbps(median(times[a]!)) >= mbps(median(times[b]!)) ? a : b));
    console.log(`\nFaster mode here: ${best}. Bar: ≥ 0.80× native → ${(mbps(median(times[best]!)) / nativeMbps).toFixed(2)}×`);

    if (big) {
      console.log("");
      await page.close();
      for (const m of MODES) {
        // A fresh context (and so a fresh renderer process) per run: the baseline is an idle page.
        const context = await browser.newContext();
        const fresh = await context.newPage();
        await fresh.goto(`${proxyBase}/`);
        await fresh.waitForFunction(() => (window as BenchWindow).layerscopeBench !== undefined);
        await new Promise((r) => setTimeout(r, 1500));
        const idle = chromiumRss();
        let peak = idle;
        const sampler = setInterval(() => {
          const now = chromiumRss();
          peak = { total: Math.max(peak.total, now.total), renderer: Math.max(peak.renderer, now.renderer) };
        }, 50);
        const r = await fresh.evaluate(({ layer, options }) => (window as BenchWindow).layerscopeBench!.run(layer, options), {
          layer: layerArg("bench/big", big),
          options: { mode: m },
        });
        clearInterval(sampler);
        await context.close();
        if (r.stage !== "done" || r.diffId !== "verified") throw new Error(`1 GB run failed: ${JSON.stringify(r)}`);
        console.log(
          `1 GB layer (${(big.gzBytes / MB).toFixed(0)} MB gzip → ${(big.tarBytes / MB).toFixed(0)} MB tar, ${r.entries} entries), ${m}: ${(big.tarBytes / MB / (r.ms / 1000)).toFixed(1)} MB/s; ` +
            `extra RSS at peak: all Chromium processes +${((peak.total - idle.total) / MB).toFixed(0)} MB, renderer (page + workers) +${((peak.renderer - idle.renderer) / MB).toFixed(0)} MB ` +
            `(idle ${(idle.total / MB).toFixed(0)} MB / ${(idle.renderer / MB).toFixed(0)} MB). Bar: < 256 MB`,
        );
      }
    }
    await browser.close();
  } finally {
    await procs.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
