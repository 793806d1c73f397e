/**
 * Open to merged: the real app (the built app served by the built proxy) opens a Debian-like
 * image by deep link (`/?image=…`) in a fresh browser context (cold: no HTTP cache, no IndexedDB
 * cache of verified layers), and the time from navigation to the merged tree being complete is
 * read from the page (probes.ts). Interleaved with the peer (suites/peer.ts) on the same image
 * from the same registry, so the ratio is of one machine state. The renderer's RSS is sampled
 * meanwhile, and the page's long tasks between navigation and the merged tree are counted.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { Browser } from "@playwright/test";
import { MB, WORK, chromiumCpuSeconds, chromiumRss, cpuSeconds, log, median, peakSampler, rendererThreadTicks, threadCpuByName, type PushedImage } from "../common";
import { PROBES, longTasksIn, type ProbeState, type ProbeWindow } from "../probes";
import { peerOnce, type PeerRun } from "./peer";

export interface OursOpenRun {
  /** Navigation start → the merged tree complete in the DOM, and → the frame that shows it. */
  readonly readyMs: number;
  readonly readyPaintMs: number;
  /** Navigation start → the last layer's index reached the page. */
  readonly lastIndexMs: number;
  readonly longTasks: { readonly count: number; readonly totalMs: number; readonly longestMs: number };
  /** Peak RSS of the renderer (page + workers) above an idle start page, and of all Chromium. */
  readonly extraRendererMB: number;
  readonly extraTotalMB: number;
  /** CPU seconds of Chromium (all processes) and the app's proxy from navigation to the merged tree. */
  readonly cpuS: number;
  /** The same by process: Chromium's types (renderer, browser, utility…) and "proxy". */
  readonly cpuByProcess: Readonly<Record<string, number>>;
  /** The renderer's CPU seconds by thread name (main thread, workers, V8's helpers). */
  readonly cpuByThread: Readonly<Record<string, number>>;
}

export interface OpenFigures {
  readonly image: { readonly reference: string; readonly layers: number; readonly gzipMB: number; readonly tarMB: number; readonly entries: number };
  readonly runs: number;
  readonly ours: {
    readonly runs: readonly OursOpenRun[];
    readonly medianReadyMs: number;
    readonly medianPaintMs: number;
    readonly longestTaskMs: number;
    readonly medianExtraRendererMB: number;
    readonly medianCpuS: number;
  };
  readonly peer: { readonly runs: readonly PeerRun[]; readonly medianMs: number; readonly medianCopyMs: number; readonly medianUnpackMs: number; readonly medianCpuS: number; readonly paths: number };
  /** Median over runs of peer_i / ours_i (navigation → merged tree painted), each pair side by side. */
  readonly speedup: number;
  /** Peer median / ours median. */
  readonly speedupOfMedians: number;
}

export interface OpenInput {
  readonly browser: Browser;
  readonly appBase: string;
  readonly registry: string;
  readonly image: PushedImage;
  readonly runs: number;
  /** The app proxy's process id, for its CPU time. */
  readonly appProxyPid: number;
  /** Where to write a CPU profile of the page's main thread in one extra run (BENCH_PROFILE). */
  readonly profileTo?: string;
}

/** Renderer and total Chromium RSS of the app's idle start page in a fresh context. */
async function idleRss(browser: Browser, appBase: string): Promise<{ total: number; renderer: number }> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(`${appBase}/`);
    await page.getByTestId("ref-input").waitFor();
    await new Promise((r) => setTimeout(r, 1500));
    return chromiumRss();
  } finally {
    await context.close();
  }
}

export async function oursOpenOnce(
  browser: Browser,
  appBase: string,
  proxyPid: number,
  reference: string,
  layers: number,
  idle: { total: number; renderer: number },
  profileTo?: string,
  timeoutMs = 300_000,
): Promise<OursOpenRun> {
  const cpu = (): Record<string, number> => ({ ...chromiumCpuSeconds(), proxy: cpuSeconds(proxyPid) });
  const c0 = cpu();
  const t0 = rendererThreadTicks();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  try {
    const page = await context.newPage();
    page.on("pageerror", (e) => log(`app page error: ${e.message}`));
    await page.addInitScript({ content: PROBES });
    await page.addInitScript({ content: `window.__bench.expectLayers = ${layers};` });
    const sampler = peakSampler(() => ({ ...chromiumRss() }));
    // BENCH_PROFILE=1: the main thread of one extra run, navigation → merged tree painted.
    const cdp = profileTo ? await context.newCDPSession(page) : undefined;
    if (cdp) {
      await cdp.send("Profiler.enable");
      await cdp.send("Profiler.setSamplingInterval", { interval: 200 });
      await cdp.send("Profiler.start");
    }
    await page.goto(`${appBase}/?${new URLSearchParams({ image: reference }).toString()}`);
    await page.waitForFunction(() => (window as unknown as ProbeWindow).__bench.readyPaintAt !== undefined, undefined, { timeout: timeoutMs, polling: 100 });
    const peak = sampler.stop();
    const c1 = cpu();
    if (cdp && profileTo) {
      const { profile } = await cdp.send("Profiler.stop");
      mkdirSync(dirname(profileTo), { recursive: true });
      writeFileSync(profileTo, JSON.stringify(profile));
      log(`open: main-thread profile written to ${profileTo}`);
      await cdp.detach();
    }
    const cpuByThread = threadCpuByName(t0, rendererThreadTicks());
    const cpuByProcess = Object.fromEntries(Object.keys(c1).map((k) => [k, c1[k]! - (c0[k] ?? 0)]));
    const cpuS = Object.values(cpuByProcess).reduce((a, x) => a + x, 0);
    const s = await page.evaluate(() => (window as unknown as ProbeWindow).__bench as ProbeState);
    const ready = s.readyAt as number;
    return {
      readyMs: ready,
      readyPaintMs: s.readyPaintAt as number,
      lastIndexMs: Math.max(0, ...s.done.map((d) => d.t)),
      longTasks: longTasksIn(s, 0, ready + 1),
      extraRendererMB: (peak.renderer - idle.renderer) / MB,
      extraTotalMB: (peak.total - idle.total) / MB,
      cpuS,
      cpuByProcess,
      cpuByThread,
    };
  } finally {
    await context.close();
  }
}

export async function openSuite(input: OpenInput): Promise<OpenFigures> {
  const { image } = input;
  const reference = `${input.registry}/${image.repository}:${image.tag}`;
  const idle = await idleRss(input.browser, input.appBase);
  // Warm-up (not counted): the registry's files in the page cache for both sides, Chromium's
  // first-run costs; each counted run then starts cold in its own context and directories.
  log("open: warm-up");
  await oursOpenOnce(input.browser, input.appBase, input.appProxyPid, reference, image.layers.length, idle);
  peerOnce(input.registry, image.repository, image.tag, WORK);
  const ours: OursOpenRun[] = [];
  const peer: PeerRun[] = [];
  for (let i = 0; i < input.runs; i++) {
    const o = await oursOpenOnce(input.browser, input.appBase, input.appProxyPid, reference, image.layers.length, idle);
    const p = peerOnce(input.registry, image.repository, image.tag, WORK);
    ours.push(o);
    peer.push(p);
    log(
      `open run ${i + 1}/${input.runs}: ours ${o.readyPaintMs.toFixed(0)} ms, ${o.cpuS.toFixed(1)} CPU s [${Object.entries(o.cpuByProcess).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(", ")}] (longest task ${o.longTasks.longestMs.toFixed(0)} ms, +${o.extraRendererMB.toFixed(0)} MB renderer); ` +
        `skopeo ${p.copyMs.toFixed(0)} + umoci ${p.unpackMs.toFixed(0)} = ${p.totalMs.toFixed(0)} ms, ${p.cpuS.toFixed(1)} CPU s`,
    );
    log(`open run ${i + 1}: renderer CPU s by thread: ${Object.entries(o.cpuByThread).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(", ")}`);
  }
  if (input.profileTo) await oursOpenOnce(input.browser, input.appBase, input.appProxyPid, reference, image.layers.length, idle, input.profileTo);
  const oursMedian = median(ours.map((o) => o.readyPaintMs));
  const peerMedian = median(peer.map((p) => p.totalMs));
  return {
    image: {
      reference,
      layers: image.layers.length,
      gzipMB: image.layers.reduce((a, l) => a + l.size, 0) / MB,
      tarMB: image.layers.reduce((a, l) => a + l.tarBytes, 0) / MB,
      entries: image.layers.reduce((a, l) => a + l.entries, 0),
    },
    runs: input.runs,
    ours: {
      runs: ours,
      medianReadyMs: median(ours.map((o) => o.readyMs)),
      medianPaintMs: oursMedian,
      longestTaskMs: Math.max(...ours.map((o) => o.longTasks.longestMs)),
      medianExtraRendererMB: median(ours.map((o) => o.extraRendererMB)),
      medianCpuS: median(ours.map((o) => o.cpuS)),
    },
    peer: {
      runs: peer,
      medianMs: peerMedian,
      medianCopyMs: median(peer.map((p) => p.copyMs)),
      medianUnpackMs: median(peer.map((p) => p.unpackMs)),
      medianCpuS: median(peer.map((p) => p.cpuS)),
      paths: peer[0]?.paths ?? 0,
    },
    speedup: median(ours.map((o, i) => (peer[i]?.totalMs ?? Number.NaN) / o.readyPaintMs)),
    speedupOfMedians: peerMedian / oursMedian,
  };
}
