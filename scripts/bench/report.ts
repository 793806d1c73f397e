/**
 * The bench's report: the targets of issue 7 evaluated in code (met or not, with the figure),
 * and the figures of every suite as one Markdown document and one JSON document.
 */
import { median } from "./common";
import type { OpenFigures } from "./suites/open-merged";
import { pairedRatio, type PipelineFigures, type Series } from "./suites/pipeline";
import type { ProxyFigures } from "./suites/proxy";
import type { UiScaleFigures } from "./suites/ui-scale";

export interface Machine {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryGB: number;
  readonly loadAverageStart: readonly number[];
  readonly loadAverageEnd: readonly number[];
}

export interface Figures {
  pipeline?: PipelineFigures;
  open?: OpenFigures;
  ui?: UiScaleFigures;
  proxy?: ProxyFigures;
}

export interface Target {
  readonly id: string;
  readonly what: string;
  /** The measured figure in `unit`, or undefined when its suite did not run or failed. */
  readonly figure: number | undefined;
  readonly unit: string;
  readonly bar: string;
  readonly met: boolean | undefined;
}

export interface Report {
  readonly schema: "layerscope-bench";
  readonly version: 1;
  readonly startedAt: string;
  readonly durationS: number;
  /** Of which making (or finding cached) the layers. */
  readonly prepareS: number;
  readonly machine: Machine;
  readonly versions: Readonly<Record<string, string>>;
  readonly knobs: Readonly<Record<string, string | number>>;
  readonly targets: readonly Target[];
  readonly figures: Figures;
  /** Suites that failed, with their error. */
  readonly errors: Readonly<Record<string, string>>;
}

const target = (id: string, what: string, figure: number | undefined, unit: string, bar: string, ok: (x: number) => boolean): Target => ({
  id,
  what,
  figure,
  unit,
  bar,
  met: figure === undefined || Number.isNaN(figure) ? undefined : ok(figure),
});

/** Issue 7's targets. */
export function evaluateTargets(f: Figures): Target[] {
  const p = f.pipeline;
  const split = p?.big?.runs.find((r) => r.mode === "split");
  return [
    target("pipeline-vs-gzip", `pipeline (two workers) vs native \`gzip -dc | sha256sum\`, ${p ? `${p.layer.gzipMB.toFixed(0)} MB gzip layer of /usr` : "~100 MB gzip layer"}`, p?.paired.splitVsGzipFile, "×", "≥ 0.80×", (x) => x >= 0.8),
    target("open-vs-peer", "merged tree of a Debian-like image (~50 MB gzip) vs skopeo copy + umoci unpack", f.open?.speedup, "× sooner", "≥ 3×", (x) => x >= 3),
    target("million-first-render", "1 000 000-entry tree: index on the page → first frame of the tree", f.ui?.firstRenderMs, "ms", "< 1000 ms", (x) => x < 1000),
    target("million-filter", "1 000 000-entry tree: filter → rows updated (worst query)", f.ui?.filterWorstMs, "ms", "< 200 ms", (x) => x < 200),
    target("memory-1gb", "1 GB layer: extra RSS of the page and its workers (renderer) at peak", split?.extraRendererMB, "MB", "< 256 MB", (x) => x < 256),
    target("proxy-rss", `proxy peak RSS with ${f.proxy?.streams ?? 50} concurrent blob streams`, f.proxy?.peakRssMB, "MB", "< 200 MB", (x) => x < 200),
  ];
}

const n = (x: number | undefined, d = 1): string => (x === undefined || Number.isNaN(x) ? "—" : x.toLocaleString("en-US", { minimumFractionDigits: d, maximumFractionDigits: d }));
const secs = (runs: readonly number[]): string => runs.map((ms) => (ms / 1000).toFixed(2)).join(", ");
const verdict = (t: Target): string => (t.met === undefined ? "not measured" : t.met ? "**met**" : "**not met**");

export function markdown(r: Report): string {
  const out: string[] = [];
  const line = (s = ""): void => void out.push(s);
  line(`# Layerscope bench, ${r.startedAt}`);
  line();
  line(
    `${r.machine.cpus} × ${r.machine.cpuModel}, ${r.machine.memoryGB.toFixed(0)} GB; load average ${r.machine.loadAverageStart.map((x) => x.toFixed(1)).join(" ")} at the start, ` +
      `${r.machine.loadAverageEnd.map((x) => x.toFixed(1)).join(" ")} at the end (other work shares this machine: compare ratios measured side by side, not absolute times). ` +
      `The bench took ${(r.durationS / 60).toFixed(1)} min (${r.prepareS.toFixed(0)} s of it making or finding the layers).`,
  );
  line();
  line(`Versions: ${Object.entries(r.versions).map(([k, v]) => `${k} ${v}`).join("; ")}.`);
  line();
  line(`Knobs: ${Object.entries(r.knobs).map(([k, v]) => `${k}=${v}`).join(", ")}.`);
  line();
  line("## Targets (issue 7)");
  line();
  line("| target | figure | bar | verdict |");
  line("|---|---:|---|---|");
  for (const t of r.targets) line(`| ${t.what.replace(/\|/g, "\\|")} | ${n(t.figure, t.unit === "ms" || t.unit === "MB" ? 0 : 2)} ${t.unit} | ${t.bar} | ${verdict(t)} |`);
  for (const [suite, e] of Object.entries(r.errors)) line(`\nSuite **${suite}** failed: \`${e.replace(/\s+/g, " ").slice(0, 400)}\``);

  const p = r.figures.pipeline;
  if (p) {
    line();
    line(`## The layer pipeline against the native limit`);
    line();
    line(
      `One layer of this machine's /usr: ${n(p.layer.gzipMB)} MB gzip -6 / ${n(p.layer.zstdMB)} MB zstd -3 → ${n(p.layer.tarMB)} MB tar, ${p.layer.entries.toLocaleString("en-US")} entries; ${p.runs} runs of each, ` +
        "each of ours right beside its reference; MB/s at the median time, ratios the median of each run's ratio. Ours verifies both digests and indexes every header; the native pipelines verify the diff_id.",
    );
    line();
    line("| pipeline | tar MB/s | blob MB/s | runs (s) | vs `gzip -dc \\| sha256sum` |");
    line("|---|---:|---:|---|---:|");
    const row = (what: string, s: Series, ratio: number): void => line(`| ${what} | ${n(s.tarMBps)} | ${n(s.blobMBps)} | ${secs(s.runsMs)} | ${n(ratio, 2)}× |`);
    const g = p.native.gzipFile.runsMs;
    row("ours, gzip, two workers (`split`, the default)", p.browser.split, p.paired.splitVsGzipFile);
    row("ours, gzip, one worker (`single`)", p.browser.single, p.paired.singleVsGzipFile);
    row("native `gzip -dc file \\| sha256sum`", p.native.gzipFile, 1);
    row("native `curl <proxy> \\| gzip -dc \\| sha256sum`", p.native.curlGzip, pairedRatio(p.native.curlGzip.runsMs, g));
    row("native one thread, one core: node:zlib + node:crypto, hash + inflate + hash + list", p.native.node, pairedRatio(p.native.node.runsMs, g));
    line();
    const best = (xs: readonly number[]): number => Math.min(...xs);
    line(
      `Ours (\`split\`) against the one-thread Node pipeline: ${n(p.paired.splitVsNode, 2)}×. ` +
        `Best run against best run (load only ever adds time): \`split\` ${n(best(p.native.gzipFile.runsMs) / best(p.browser.split.runsMs), 2)}× \`gzip -dc | sha256sum\`, ${n(best(p.native.node.runsMs) / best(p.browser.split.runsMs), 2)}× the Node pipeline.`,
    );
    line();
    line("| zstd (same tar) | tar MB/s | blob MB/s | runs (s) | vs `zstd -dc \\| sha256sum` |");
    line("|---|---:|---:|---|---:|");
    const z = p.native.zstdFile.runsMs;
    row("ours, zstd, two workers", p.browser.zstd, p.paired.zstdVsZstdFile);
    row("native `zstd -dc file \\| sha256sum`", p.native.zstdFile, 1);
    row("native `curl <proxy> \\| zstd -dc \\| sha256sum`", p.native.curlZstd, pairedRatio(p.native.curlZstd.runsMs, z));
    line();
    line(`Main-thread long tasks during these runs: ${p.browser.longTasks.count}, ${n(p.browser.longTasks.totalMs, 0)} ms in all, the longest ${n(p.browser.longTasks.longestMs, 0)} ms.`);
    if (p.big) {
      line();
      line(`1 GB layer (${n(p.big.gzipMB, 0)} MB gzip -1 → ${n(p.big.tarMB, 0)} MB tar), each mode in a fresh context; RSS sampled every 50 ms from /proc, peak minus the idle bench page:`);
      line();
      line("| mode | tar MB/s | extra RSS, renderer (page + workers) | extra RSS, all Chromium processes |");
      line("|---|---:|---:|---:|");
      for (const m of p.big.runs) line(`| ${m.mode} | ${n(m.tarMBps)} | +${n(m.extraRendererMB, 0)} MB (idle ${n(m.idleRendererMB, 0)}) | +${n(m.extraTotalMB, 0)} MB (idle ${n(m.idleTotalMB, 0)}) |`);
    }
  }

  const o = r.figures.open;
  if (o) {
    line();
    line("## Open to merged tree, against skopeo + umoci");
    line();
    line(`A Debian-like image: ${o.image.layers} layers, ${n(o.image.gzipMB)} MB gzip → ${n(o.image.tarMB)} MB tar, ${o.image.entries.toLocaleString("en-US")} entries (whiteouts and an opaque directory in the top layer); ${o.runs} cold runs of each, ours and the peer in turn; times are medians.`);
    line();
    line("| what | median | runs (s) | CPU s (median) |");
    line("|---|---:|---|---:|");
    line(`| ours: \`/?image=\` → merged tree complete, painted (fresh context) | ${n(o.ours.medianPaintMs / 1000, 2)} s | ${secs(o.ours.runs.map((x) => x.readyPaintMs))} | ${n(o.ours.medianCpuS)} |`);
    line(`| peer: \`skopeo copy\` + \`umoci unpack --rootless\` (fresh dirs) | ${n(o.peer.medianMs / 1000, 2)} s | ${secs(o.peer.runs.map((x) => x.totalMs))} | ${n(o.peer.medianCpuS)} |`);
    line(`| … of which skopeo copy / umoci unpack | ${n(o.peer.medianCopyMs / 1000, 2)} / ${n(o.peer.medianUnpackMs / 1000, 2)} s | | |`);
    line();
    const byProcess = (k: string): number => median(o.ours.runs.map((x) => x.cpuByProcess[k] ?? 0));
    const kinds = [...new Set(o.ours.runs.flatMap((x) => Object.keys(x.cpuByProcess)))];
    line(`Ours' CPU seconds by process (median): ${kinds.map((k) => `${k} ${n(byProcess(k), 2)}`).join(", ")}.`);
    line();
    line("CPU seconds: ours counts every Chromium process and the app's proxy from navigation to the merged tree; the peer, skopeo and umoci. The registry serves both and is counted for neither. On this 2-core machine, ours can be no sooner than its CPU seconds / 2.");
    line();
    line(`Ours is **${n(o.speedup, 2)}×** sooner (median of the runs' ratios; ${n(o.speedupOfMedians, 2)}× between the medians). Ours, meanwhile: longest main-thread task ${n(o.ours.longestTaskMs, 0)} ms; renderer RSS +${n(o.ours.medianExtraRendererMB, 0)} MB above the idle start page (median). umoci wrote ${o.peer.paths.toLocaleString("en-US")} paths.`);
  }

  const u = r.figures.ui;
  if (u) {
    line();
    line("## The UI at scale: one million entries");
    line();
    const runs = u.firstRenders.length;
    const opens = u.firstRenders;
    const each = (pick: (f: (typeof opens)[number]) => number): string => opens.map((f) => n(pick(f), 0)).join(", ");
    line(`One layer of ${u.entries.toLocaleString("en-US")} entries (${n(u.gzipMB)} MB gzip, ${n(u.tarMB)} MB tar), opened by deep link in ${runs} fresh context${runs === 1 ? "" : "s"} (medians of the opens; the filters and the scroll in the last).`);
    line();
    line("| what | figure |");
    line("|---|---:|");
    line(`| navigation → the layer's index on the page (${each((f) => f.indexedMs)}) | ${n(u.indexedMs, 0)} ms |`);
    line(`| index on the page → first frame of the merged tree (${each((f) => f.firstRenderMs)}) | ${n(u.firstRenderMs, 0)} ms |`);
    line(`| … longest main-thread task meanwhile (the longest of the opens) | ${n(u.firstRenderLongestTaskMs, 0)} ms |`);
    line(`| navigation → first frame of the merged tree (${each((f) => f.navToTreeMs)}) | ${n(u.navToTreeMs, 0)} ms |`);
    for (const f of u.filters) line(`| filter ${f.query === "" ? "cleared" : `\`${f.query}\``} → rows updated (${f.count.replace(/\s+/g, " ")}); median of ${f.roundsMs.map((ms) => n(ms, 0)).join(", ")} | ${n(f.ms, 0)} ms |`);
    line(`| scroll, every directory expanded (${u.scroll.rowsShown.replace(/\s+/g, " ")}): ${u.scroll.frames} frames, ${u.scroll.stepPx} px each: frame time p50 / p95 / max | ${n(u.scroll.p50Ms)} / ${n(u.scroll.p95Ms)} / ${n(u.scroll.maxMs)} ms |`);
    line(`| … the same frames without scrolling, just before (this machine's frame pacing): p50 / p95 | ${n(u.scroll.idleP50Ms)} / ${n(u.scroll.idleP95Ms)} ms |`);
    line(`| peak RSS of the renderer (page + workers) | ${n(u.peakRendererMB, 0)} MB |`);
  }

  const x = r.figures.proxy;
  if (x) {
    line();
    line("## The proxy under load");
    line();
    line(`${x.streams} concurrent GETs of a ${n(x.blobMB)} MB blob on loopback from ${x.clients} client addresses (the proxy allows 32 streams per client), bodies read and counted by Node clients; straight from the registry, then through a freshly started built proxy.`);
    line();
    line("| what | MB/s | s |");
    line("|---|---:|---:|");
    line(`| straight from docker-registry | ${n(x.direct.MBps, 0)} | ${n(x.direct.ms / 1000, 2)} |`);
    line(`| through the proxy | ${n(x.proxied.MBps, 0)} | ${n(x.proxied.ms / 1000, 2)} |`);
    line();
    line(`Through the proxy: ${n(x.ratio, 2)}× the registry's own throughput; proxy RSS ${n(x.idleRssMB, 0)} MB idle, **${n(x.peakRssMB, 0)} MB** at peak.`);
  }
  return `${out.join("\n")}\n`;
}
