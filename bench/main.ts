/**
 * The bench page: runs one layer through the app's own LayerJobs (src/lib/layers/jobs.ts), so
 * the same workers, the same proxy and the same registry as the app — only React is left out.
 * scripts/bench.ts drives it through `window.layerscopeBench`.
 */
import { createLayerJobs, type LayerJobsMode } from "../src/lib/layers/jobs";
import { registryClientFor } from "../src/lib/registry";

export interface BenchLayer {
  readonly registry: string;
  readonly repository: string;
  readonly digest: string;
  readonly size: number;
  readonly mediaType: string;
  readonly diffId: string;
}

export interface BenchRun {
  readonly mode: LayerJobsMode;
  readonly credits?: number;
  readonly batchBytes?: number;
  readonly nativeGzip?: boolean;
}

export interface BenchResult {
  readonly ms: number;
  readonly stage: string;
  readonly compressedBytes: number;
  readonly uncompressedBytes: number;
  readonly entries: number;
  readonly files: number;
  readonly digest: string;
  readonly diffId: string;
  readonly error?: string;
  readonly progressUpdates: number;
  /** Main-thread long tasks (> 50 ms, PerformanceObserver "longtask") while the layer ran. */
  readonly longTasks: { readonly count: number; readonly totalMs: number; readonly longestMs: number };
}

/** Long tasks seen since the page loaded (observed once; each run reads the ones in its window). */
const longTasks: { start: number; duration: number }[] = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) longTasks.push({ start: e.startTime, duration: e.duration });
}).observe({ type: "longtask", buffered: true });

function run(layer: BenchLayer, options: BenchRun): Promise<BenchResult> {
  const jobs = createLayerJobs(
    registryClientFor(layer.registry),
    { registry: layer.registry, repository: layer.repository, layers: [{ mediaType: layer.mediaType, digest: layer.digest, size: layer.size }], diffIds: [layer.diffId], poolSize: 1 },
    {
      mode: options.mode,
      cache: false,
      ...(options.credits !== undefined ? { credits: options.credits } : {}),
      ...(options.batchBytes !== undefined ? { batchBytes: options.batchBytes } : {}),
      ...(options.nativeGzip !== undefined ? { nativeGzip: options.nativeGzip } : {}),
    },
  );
  return new Promise((resolve) => {
    let updates = 0;
    const t0 = performance.now();
    jobs.subscribe(() => {
      updates++;
      const s = jobs.getSnapshot()[0]!;
      if (s.progress.stage !== "done" && s.progress.stage !== "failed" && s.progress.stage !== "cancelled") return;
      const ms = performance.now() - t0;
      const r = s.result;
      jobs.dispose();
      const mine = longTasks.filter((t) => t.start >= t0);
      resolve({
        ms,
        stage: s.progress.stage,
        compressedBytes: r?.compressedSize ?? s.progress.compressedBytes,
        uncompressedBytes: r?.uncompressedSize ?? s.progress.uncompressedBytes,
        entries: r?.entries.length ?? 0,
        files: r?.totals.files ?? 0,
        digest: r?.digestVerdict.status ?? "none",
        diffId: r?.diffIdVerdict.status ?? "none",
        ...(s.error ? { error: JSON.stringify(s.error) } : {}),
        progressUpdates: updates,
        longTasks: { count: mine.length, totalMs: mine.reduce((a, t) => a + t.duration, 0), longestMs: Math.max(0, ...mine.map((t) => t.duration)) },
      });
    });
    jobs.start();
  });
}

declare global {
  interface Window {
    layerscopeBench?: { run: typeof run };
  }
}

window.layerscopeBench = { run };
document.getElementById("status")!.textContent = "bench page ready";
