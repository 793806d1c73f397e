/**
 * `npm run bench` (issue 7): ours against the native limit and the tools users would use instead,
 * measured in one run on images made from this machine's files and pushed to a local
 * docker-registry. Not a test (nothing here is in `npm test`): it prints a table of figures and
 * ratios, with issue 7's targets met or not, and writes it as reports/bench-<time>.{json,md} and
 * reports/latest.{json,md}. Method and knobs: bench/README.md.
 *
 * Suites (scripts/bench/suites/): pipeline (ours in the bench page, interleaved with the native
 * pipelines of native.ts; the 1 GB memory run), open (the real app's deep link to the merged
 * tree, interleaved with skopeo + umoci of peer.ts), ui (a million entries in the real app),
 * proxy (50 concurrent blob streams).
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import { LOOPBACK, Processes, freePorts, startRegistry, waitForHttp } from "../e2e/setup/services";
import { ROOT, WORK, knob, launchChromium, log, pushImage, type PushedImage } from "./bench/common";
import { changeLayer, dirLayer, millionLayer, tarOf, zstdCopy } from "./bench/images";
import { evaluateTargets, markdown, type Figures, type Report } from "./bench/report";
import { openSuite } from "./bench/suites/open-merged";
import { pipelineSuite } from "./bench/suites/pipeline";
import { proxySuite } from "./bench/suites/proxy";
import { uiScaleSuite } from "./bench/suites/ui-scale";

const ALL_SUITES = ["pipeline", "open", "ui", "proxy"] as const;
type Suite = (typeof ALL_SUITES)[number];

const KNOBS = {
  BENCH_SUITES: process.env.BENCH_SUITES ?? ALL_SUITES.join(","),
  BENCH_RUNS: knob("BENCH_RUNS", 5),
  BENCH_OPEN_RUNS: knob("BENCH_OPEN_RUNS", 5),
  BENCH_SKIP_BIG: process.env.BENCH_SKIP_BIG ? 1 : 0,
  BENCH_MILLION_DIRS: knob("BENCH_MILLION_DIRS", 1000),
  BENCH_MILLION_FILES: knob("BENCH_MILLION_FILES", 999),
  BENCH_UI_RUNS: knob("BENCH_UI_RUNS", 3),
  BENCH_FILTER_ROUNDS: knob("BENCH_FILTER_ROUNDS", 3),
  BENCH_SCROLL_FRAMES: knob("BENCH_SCROLL_FRAMES", 120),
  BENCH_PROXY_STREAMS: knob("BENCH_PROXY_STREAMS", 50),
  BENCH_REPORT_DIR: process.env.BENCH_REPORT_DIR ?? "reports",
  BENCH_PROFILE: process.env.BENCH_PROFILE ? 1 : 0,
};

/** The ~100 MB gzip layer of a real filesystem (headers, Python, vim, perl, gcc…). */
const MEDIUM_DIRS = ["/usr/include", "/usr/lib/python3.11", "/usr/lib/python3", "/usr/share/vim", "/usr/lib/node_modules", "/usr/share/perl", "/usr/lib/gcc"];
/** The 1 GB layer. */
const BIG_DIRS = ["/usr/bin", "/usr/lib/x86_64-linux-gnu"];
/** A Debian-like image: a base system, then packages on top, then a layer that deletes and edits. */
const DEBIAN_BASE_DIRS = ["/etc", "/usr/sbin", "/usr/lib/x86_64-linux-gnu/perl-base", "/usr/lib/x86_64-linux-gnu/gconv", "/usr/share/zoneinfo", "/usr/share/perl5", "/usr/lib/python3.11"];
const DEBIAN_PACKAGES_DIRS = ["/usr/share/vim", "/usr/lib/x86_64-linux-gnu/perl", "/usr/share/perl", "/usr/lib/python3"];

function version(cmd: string, args: string[], pick: RegExp = /^(.*)$/m): string {
  try {
    const out = execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    return (pick.exec(out)?.[1] ?? out).trim();
  } catch {
    return "missing";
  }
}

function toolVersions(): Record<string, string> {
  return {
    node: process.version,
    skopeo: version("skopeo", ["--version"], /version (\S+)/),
    umoci: version("umoci", ["--version"], /version (\S+)/),
    gzip: version("gzip", ["--version"], /^gzip (\S+)/m),
    zstd: version("zstd", ["--version"], /(v[\d.]+)/),
    "docker-registry": version("docker-registry", ["--version"], /(\d+\.\d+\.\d+\S*)/),
    curl: version("curl", ["--version"], /^curl (\S+)/m),
  };
}

function checkTools(): void {
  const missing = ["docker-registry", "skopeo", "umoci", "gzip", "zstd", "curl", "taskset", "sha256sum"].filter((c) => version("sh", ["-c", `command -v ${c}`]) === "missing");
  if (missing.length) throw new Error(`missing ${missing.join(", ")}: run \`node scripts/ensure.mjs test\``);
}

async function main(): Promise<void> {
  const started = new Date();
  const t0 = performance.now();
  const loadStart = loadavg();
  const suites = new Set(KNOBS.BENCH_SUITES.split(",").map((s) => s.trim()) as Suite[]);
  for (const s of suites) if (!ALL_SUITES.includes(s)) throw new Error(`BENCH_SUITES: unknown suite ${s} (known: ${ALL_SUITES.join(", ")})`);
  checkTools();
  for (const f of ["dist/proxy/main.js", "dist/app/index.html"]) {
    try {
      execFileSync("test", ["-f", join(ROOT, f)]);
    } catch {
      throw new Error(`${f} is missing: run \`npm run build\` first (npm run bench does)`);
    }
  }
  mkdirSync(WORK, { recursive: true });

  // ── the layers (cached in .tmp/bench/layers) ──
  const needMedium = suites.has("pipeline");
  const medium = needMedium ? await dirLayer({ name: "usr-medium", dirs: MEDIUM_DIRS, compression: { kind: "gzip", level: 6 }, keepTar: true }) : undefined;
  const mediumZstd = medium && suites.has("pipeline") ? await zstdCopy("usr-medium-zstd", medium, 3) : undefined;
  const big = suites.has("pipeline") && !KNOBS.BENCH_SKIP_BIG ? await dirLayer({ name: "usr-big", dirs: BIG_DIRS, compression: { kind: "gzip", level: 1 } }) : undefined;
  let debian: Awaited<ReturnType<typeof dirLayer>>[] | undefined;
  if (suites.has("open") || suites.has("proxy")) {
    const base = await dirLayer({ name: "debian-base", dirs: DEBIAN_BASE_DIRS, compression: { kind: "gzip", level: 6 }, keepTar: true });
    const packages = await dirLayer({ name: "debian-packages", dirs: DEBIAN_PACKAGES_DIRS, compression: { kind: "gzip", level: 6 } });
    const changes = await changeLayer("debian-changes", tarOf(base), base.diffId);
    debian = [base, packages, changes];
  }
  const million = suites.has("ui") ? await millionLayer(KNOBS.BENCH_MILLION_DIRS, KNOBS.BENCH_MILLION_FILES) : undefined;
  const prepareS = (performance.now() - t0) / 1000;

  if (suites.has("pipeline")) {
    log("building the bench page (bench/ with the app's workers)");
    execFileSync(process.execPath, [join(ROOT, "node_modules/vite/bin/vite.js"), "build", "--config", join(ROOT, "bench/vite.config.ts")], { stdio: "inherit", cwd: ROOT });
  }

  const procs = new Processes();
  const [registryPort, pagePort, appPort] = await freePorts(3);
  const registry = `${LOOPBACK}:${registryPort}`;
  const pageBase = `http://${LOOPBACK}:${pagePort}`;
  const appBase = `http://${LOOPBACK}:${appPort}`;
  const figures: Figures = {};
  const errors: Record<string, string> = {};
  const seen = { chromium: "not started", appProxyPid: 0 };
  try {
    await startRegistry(procs, { name: "registry", dir: WORK, port: registryPort!, auth: { kind: "none" } });
    for (const [port, base, name, staticDir] of [
      [pagePort, pageBase, "proxy-page", join(WORK, "page")],
      [appPort, appBase, "proxy-app", undefined],
    ] as const) {
      const logFile = join(WORK, `${name}.log`);
      const env = { ...process.env, PORT: String(port), HOST: LOOPBACK, PROXY_ALLOW_HOSTS: registry, ...(staticDir ? { STATIC_DIR: staticDir } : {}) };
      const child = procs.spawn(process.execPath, [join(ROOT, "dist/proxy/main.js")], logFile, env);
      await waitForHttp(`${base}/healthz`, child, logFile);
      if (name === "proxy-app") seen.appProxyPid = child.pid ?? 0;
    }

    log("pushing images");
    const pushed: Record<string, PushedImage> = {};
    if (medium) pushed.medium = await pushImage(registry, "bench/medium", "gzip", [medium]);
    if (mediumZstd) pushed.mediumZstd = await pushImage(registry, "bench/medium-zstd", "zstd", [mediumZstd]);
    if (big) pushed.big = await pushImage(registry, "bench/big", "v1", [big]);
    if (debian) pushed.debian = await pushImage(registry, "bench/debian-like", "v1", debian);
    if (million) pushed.million = await pushImage(registry, "bench/million", "v1", [million]);

    const browser = await launchChromium();
    seen.chromium = browser.version();
    const run = async (name: Suite, body: () => Promise<void>): Promise<void> => {
      if (!suites.has(name)) return;
      const s0 = performance.now();
      log(`suite ${name}`);
      try {
        await body();
      } catch (e) {
        errors[name] = e instanceof Error ? (e.stack ?? e.message) : String(e);
        log(`suite ${name} FAILED: ${errors[name]}`);
      }
      log(`suite ${name}: ${((performance.now() - s0) / 1000).toFixed(0)} s`);
    };
    try {
      await run("pipeline", async () => {
        figures.pipeline = await pipelineSuite({
          browser,
          pageBase,
          registry,
          runs: KNOBS.BENCH_RUNS,
          medium: { repository: "bench/medium", gzip: medium!, zstdRepository: "bench/medium-zstd", zstd: mediumZstd! },
          ...(big ? { big: { repository: "bench/big", blob: big } } : {}),
        });
      });
      await run("open", async () => {
        figures.open = await openSuite({ browser, appBase, appProxyPid: seen.appProxyPid, registry, image: pushed.debian!, runs: KNOBS.BENCH_OPEN_RUNS, ...(KNOBS.BENCH_PROFILE ? { profileTo: join(KNOBS.BENCH_REPORT_DIR, "open-merged.cpuprofile") } : {}) });
      });
      await run("ui", async () => {
        figures.ui = await uiScaleSuite({
          browser,
          appBase,
          registry,
          image: pushed.million!,
          // A name in one directory, a directory, a third of all files, nothing; then cleared.
          queries: ["file-0042.so", "d0500/", ".so", "no-such-name", ""],
          firstRenderRuns: KNOBS.BENCH_UI_RUNS,
          filterRounds: KNOBS.BENCH_FILTER_ROUNDS,
          scrollFrames: KNOBS.BENCH_SCROLL_FRAMES,
          ...(KNOBS.BENCH_PROFILE ? { profileTo: join(KNOBS.BENCH_REPORT_DIR, "ui-first-render.cpuprofile") } : {}),
        });
      });
    } finally {
      await browser.close();
    }
    await run("proxy", async () => {
      // The Debian-like base layer (~25 MB): 50 streams of it keep the proxy busy for seconds
      // (its RSS settles within milliseconds) without minutes of transfer on a loaded machine.
      figures.proxy = await proxySuite({ registry, repository: "bench/debian-like", blob: debian![0]!, streams: KNOBS.BENCH_PROXY_STREAMS });
    });
  } finally {
    await procs.stop();
  }

  const report: Report = {
    schema: "layerscope-bench",
    version: 1,
    startedAt: started.toISOString(),
    durationS: (performance.now() - t0) / 1000,
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? "unknown", memoryGB: totalmem() / 2 ** 30, loadAverageStart: loadStart, loadAverageEnd: loadavg() },
    versions: { chromium: seen.chromium, ...toolVersions() },
    prepareS: Number(prepareS.toFixed(1)),
    knobs: KNOBS,
    targets: evaluateTargets(figures),
    figures,
    errors,
  };
  const md = markdown(report);
  const dir = join(ROOT, KNOBS.BENCH_REPORT_DIR);
  mkdirSync(dir, { recursive: true });
  const stamp = report.startedAt.replace(/[:.]/g, "-");
  for (const name of [`bench-${stamp}`, "latest"]) {
    writeFileSync(join(dir, `${name}.json`), `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(join(dir, `${name}.md`), md);
  }
  console.log(`\n${md}`);
  log(`reports: ${join(KNOBS.BENCH_REPORT_DIR, `bench-${stamp}`)}.{json,md} and latest.{json,md}; ${(report.durationS / 60).toFixed(1)} min`);
  if (Object.keys(errors).length) process.exitCode = 1;
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
