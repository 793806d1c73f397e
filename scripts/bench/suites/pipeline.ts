/**
 * Ours, one layer at a time: the bench page (bench/main.ts) runs a layer through the app's own
 * createLayerJobs — same workers, same proxy, same registry, React left out — and in the same
 * loop, interleaved so both sides see the same machine, the native pipelines of suites/native.ts
 * on the same blobs. Then the 1 GB layer in a fresh context while the RSS of every Chromium
 * process is sampled from /proc.
 */
import type { Browser, Page } from "@playwright/test";
import type { BenchResult } from "../../../bench/main";
import { MB, chromiumRss, log, median, peakSampler, type LayerBlob } from "../common";
import { curlDecode, gzipFile, nodePipeline, zstdFile } from "./native";

interface BenchWindow {
  layerscopeBench?: { run(layer: unknown, options: { mode: "split" | "single" }): Promise<BenchResult> };
}

/** Wall times of one pipeline over a layer, and what they mean in MB/s. */
export interface Series {
  readonly runsMs: readonly number[];
  readonly medianMs: number;
  /** Uncompressed (tar) MB per second, at the median. */
  readonly tarMBps: number;
  /** Compressed (blob) MB per second, at the median. */
  readonly blobMBps: number;
}

/**
 * The median over runs of `reference_i / ours_i` (times of the same run i, measured side by
 * side): how fast ours is against the reference, as a throughput ratio.
 */
export function pairedRatio(oursMs: readonly number[], referenceMs: readonly number[]): number {
  return median(oursMs.map((ms, i) => (referenceMs[i] ?? Number.NaN) / ms));
}

export function series(runsMs: readonly number[], blob: LayerBlob): Series {
  const m = median(runsMs);
  return { runsMs, medianMs: m, tarMBps: blob.tarBytes / MB / (m / 1000), blobMBps: blob.size / MB / (m / 1000) };
}

export interface LongTaskFigures {
  readonly count: number;
  readonly totalMs: number;
  readonly longestMs: number;
}

export interface MemoryRun {
  readonly mode: "split" | "single";
  readonly tarMBps: number;
  readonly entries: number;
  /** Peak minus the idle bench page, renderer processes only (the page and its workers). */
  readonly extraRendererMB: number;
  /** Peak minus idle, every Chromium process (browser, network service, GPU, renderers). */
  readonly extraTotalMB: number;
  readonly idleRendererMB: number;
  readonly idleTotalMB: number;
}

export interface PipelineFigures {
  readonly layer: { readonly gzipMB: number; readonly zstdMB: number; readonly tarMB: number; readonly entries: number };
  readonly runs: number;
  readonly browser: { readonly split: Series; readonly single: Series; readonly zstd: Series; readonly longTasks: LongTaskFigures };
  /** Median of per-run ratios (ours' throughput / the reference's, same run). */
  readonly paired: {
    readonly splitVsGzipFile: number;
    readonly singleVsGzipFile: number;
    readonly splitVsNode: number;
    readonly zstdVsZstdFile: number;
  };
  readonly native: {
    readonly gzipFile: Series;
    readonly curlGzip: Series;
    readonly zstdFile: Series;
    readonly curlZstd: Series;
    /** One-thread Node (node:zlib + node:crypto), pinned to one core. */
    readonly node: Series;
  };
  readonly big?: { readonly gzipMB: number; readonly tarMB: number; readonly runs: readonly MemoryRun[] };
}

export interface PipelineInput {
  readonly browser: Browser;
  /** Base URL of the proxy serving the bench page. */
  readonly pageBase: string;
  readonly registry: string;
  readonly runs: number;
  readonly medium: { readonly repository: string; readonly gzip: LayerBlob; readonly zstd: LayerBlob; readonly zstdRepository: string };
  readonly big?: { readonly repository: string; readonly blob: LayerBlob };
}

async function benchPage(browser: Browser, base: string): Promise<{ page: Page; close(): Promise<void> }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on("pageerror", (e) => log(`bench page error: ${e.message}`));
  await page.goto(`${base}/`);
  await page.waitForFunction(() => (window as BenchWindow).layerscopeBench !== undefined);
  return { page, close: () => context.close() };
}

function runLayer(page: Page, registry: string, repository: string, blob: LayerBlob, mode: "split" | "single"): Promise<BenchResult> {
  const layer = { registry, repository, digest: blob.digest, size: blob.size, mediaType: blob.mediaType, diffId: blob.diffId };
  return page.evaluate(({ layer, mode }) => (window as BenchWindow).layerscopeBench!.run(layer, { mode }), { layer, mode });
}

function checked(r: BenchResult, blob: LayerBlob, what: string): BenchResult {
  if (r.stage !== "done" || r.digest !== "verified" || r.diffId !== "verified") throw new Error(`${what}: ${JSON.stringify(r)}`);
  if (r.uncompressedBytes !== blob.tarBytes) throw new Error(`${what}: read ${r.uncompressedBytes} of ${blob.tarBytes} tar bytes`);
  return r;
}

export async function pipelineSuite(input: PipelineInput): Promise<PipelineFigures> {
  const { browser, registry, medium } = input;
  const blobUrl = (repo: string, b: LayerBlob): string => `${input.pageBase}/registry/${registry}/v2/${repo}/blobs/${b.digest}`;
  const { page, close } = await benchPage(browser, input.pageBase);
  const t: Record<string, number[]> = { split: [], single: [], zstd: [], gzipFile: [], curlGzip: [], zstdFile: [], curlZstd: [], node: [] };
  const tasks: BenchResult["longTasks"][] = [];
  try {
    // Warm-up: compile the workers' WebAssembly once, fill the page cache with the blob files.
    log("pipeline: warm-up");
    checked(await runLayer(page, registry, medium.repository, medium.gzip, "split"), medium.gzip, "warm-up");
    checked(await runLayer(page, registry, medium.zstdRepository, medium.zstd, "split"), medium.zstd, "warm-up zstd");
    gzipFile(medium.gzip);
    zstdFile(medium.zstd);
    // Each of ours right beside its native reference, so a load spike from other work on the
    // machine hits a pair rather than one side; ratios are taken per pair (see pairedRatio).
    for (let i = 0; i < input.runs; i++) {
      for (const mode of ["split", "single"] as const) {
        const r = checked(await runLayer(page, registry, medium.repository, medium.gzip, mode), medium.gzip, mode);
        t[mode]!.push(r.ms);
        tasks.push(r.longTasks);
        if (mode === "split") t.gzipFile!.push(gzipFile(medium.gzip));
        else t.curlGzip!.push(curlDecode(blobUrl(medium.repository, medium.gzip), medium.gzip, "gzip"));
      }
      const z = checked(await runLayer(page, registry, medium.zstdRepository, medium.zstd, "split"), medium.zstd, "zstd");
      t.zstd!.push(z.ms);
      tasks.push(z.longTasks);
      t.zstdFile!.push(zstdFile(medium.zstd));
      t.curlZstd!.push(curlDecode(blobUrl(medium.zstdRepository, medium.zstd), medium.zstd, "zstd"));
      const n = nodePipeline(medium.gzip);
      if (n.entries !== medium.gzip.entries) throw new Error(`node pipeline listed ${n.entries} entries, tar -t ${medium.gzip.entries}`);
      t.node!.push(n.ms);
      const mbps = (k: string, b: LayerBlob): string => (b.tarBytes / MB / ((t[k]!.at(-1) ?? 0) / 1000)).toFixed(0);
      log(
        `pipeline run ${i + 1}/${input.runs}: split ${mbps("split", medium.gzip)}, single ${mbps("single", medium.gzip)}, zstd ${mbps("zstd", medium.zstd)} | ` +
          `gzip -dc ${mbps("gzipFile", medium.gzip)}, curl|gzip ${mbps("curlGzip", medium.gzip)}, zstd -dc ${mbps("zstdFile", medium.zstd)}, node ${mbps("node", medium.gzip)} MB/s of tar`,
      );
    }
  } finally {
    await close();
  }

  let big: PipelineFigures["big"];
  if (input.big) {
    const runs: MemoryRun[] = [];
    for (const mode of ["split", "single"] as const) {
      // A fresh context (so a fresh renderer) per run: the baseline is an idle bench page.
      const fresh = await benchPage(browser, input.pageBase);
      try {
        await new Promise((r) => setTimeout(r, 1500));
        const sampler = peakSampler(() => ({ ...chromiumRss() }));
        const r = checked(await runLayer(fresh.page, registry, input.big.repository, input.big.blob, mode), input.big.blob, `1 GB ${mode}`);
        const peak = sampler.stop();
        const run: MemoryRun = {
          mode,
          tarMBps: input.big.blob.tarBytes / MB / (r.ms / 1000),
          entries: r.entries,
          extraRendererMB: (peak.renderer - sampler.idle.renderer) / MB,
          extraTotalMB: (peak.total - sampler.idle.total) / MB,
          idleRendererMB: sampler.idle.renderer / MB,
          idleTotalMB: sampler.idle.total / MB,
        };
        log(`1 GB layer, ${mode}: ${run.tarMBps.toFixed(0)} MB/s; extra RSS renderer +${run.extraRendererMB.toFixed(0)} MB, all Chromium +${run.extraTotalMB.toFixed(0)} MB`);
        runs.push(run);
      } finally {
        await fresh.close();
      }
    }
    big = { gzipMB: input.big.blob.size / MB, tarMB: input.big.blob.tarBytes / MB, runs };
  }

  const g = medium.gzip;
  const z = medium.zstd;
  return {
    layer: { gzipMB: g.size / MB, zstdMB: z.size / MB, tarMB: g.tarBytes / MB, entries: g.entries },
    runs: input.runs,
    browser: {
      split: series(t.split!, g),
      single: series(t.single!, g),
      zstd: series(t.zstd!, z),
      longTasks: { count: tasks.reduce((a, x) => a + x.count, 0), totalMs: tasks.reduce((a, x) => a + x.totalMs, 0), longestMs: Math.max(0, ...tasks.map((x) => x.longestMs)) },
    },
    paired: {
      splitVsGzipFile: pairedRatio(t.split!, t.gzipFile!),
      singleVsGzipFile: pairedRatio(t.single!, t.gzipFile!),
      splitVsNode: pairedRatio(t.split!, t.node!),
      zstdVsZstdFile: pairedRatio(t.zstd!, t.zstdFile!),
    },
    native: { gzipFile: series(t.gzipFile!, g), curlGzip: series(t.curlGzip!, g), zstdFile: series(t.zstdFile!, z), curlZstd: series(t.curlZstd!, z), node: series(t.node!, g) },
    ...(big ? { big } : {}),
  };
}
