/**
 * The UI at scale: an image of one layer of a million entries, opened by deep link in the real
 * app. Measured in the page (probes.ts):
 * - first render of the merged tree: from the layer's index reaching the page (the worker's
 *   "done" message) to the frame that shows the tree's first rows, and from navigation; in
 *   `firstRenderRuns` fresh contexts (the figure is the median: one open on this shared machine
 *   varied by a third from run to run), the last of which goes on to the rest;
 * - filter latency: the real filter box filled (one `input` event) → the frame after the row
 *   count shows the answer to that query (no longer dimmed as stale);
 * - scroll frame times: every directory expanded (a million rows), then the tree's viewport
 *   scrolled by a fixed step on each animation frame; the gaps between frames are the figures.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { Browser, BrowserContext, Page } from "@playwright/test";
import { MB, chromiumCpuSeconds, chromiumRss, log, median, peakSampler, percentile, type PushedImage } from "../common";
import { PROBES, longTasksIn, type ProbeState, type ProbeWindow } from "../probes";

export interface FilterRun {
  readonly query: string;
  /** The median over the rounds. */
  readonly ms: number;
  /** Each round's latency, in order (the query is typed again after the others each round). */
  readonly roundsMs: readonly number[];
  /** The row count line once answered. */
  readonly count: string;
  readonly longestTaskMs: number;
}

/** One open of the image, to its merged tree's first frame. */
export interface FirstRender {
  /** Navigation → the layer's index on the page. */
  readonly indexedMs: number;
  /** The index on the page → the first frame showing merged-tree rows. */
  readonly firstRenderMs: number;
  /** Navigation → that frame. */
  readonly navToTreeMs: number;
  /** The longest main-thread task between the index arriving and the tree shown. */
  readonly longestTaskMs: number;
}

export interface UiScaleFigures {
  readonly entries: number;
  readonly gzipMB: number;
  readonly tarMB: number;
  /** Each fresh open, in order. */
  readonly firstRenders: readonly FirstRender[];
  /** Medians over {@link firstRenders}. */
  readonly indexedMs: number;
  readonly firstRenderMs: number;
  readonly navToTreeMs: number;
  /** The longest over {@link firstRenders}. */
  readonly firstRenderLongestTaskMs: number;
  readonly filters: readonly FilterRun[];
  /** Worst filter latency among the non-empty queries. */
  readonly filterWorstMs: number;
  readonly filterMedianMs: number;
  readonly scroll: {
    readonly frames: number;
    readonly stepPx: number;
    readonly p50Ms: number;
    readonly p95Ms: number;
    readonly maxMs: number;
    readonly over50Ms: number;
    readonly rowsShown: string;
    /** The same number of frames just before, with no scrolling: this machine's own frame pacing. */
    readonly idleP50Ms: number;
    readonly idleP95Ms: number;
  };
  readonly peakRendererMB: number;
}

export interface UiScaleInput {
  readonly browser: Browser;
  readonly appBase: string;
  readonly registry: string;
  readonly image: PushedImage;
  readonly queries: readonly string[];
  /** Fresh opens whose first render is measured (the last goes on to the filters and the scroll). */
  readonly firstRenderRuns: number;
  /** Times each query is typed (in turn with the others); its figure is the median. */
  readonly filterRounds: number;
  readonly scrollFrames: number;
  /** Where to write a CPU profile of the page from navigation to the first tree frame (BENCH_PROFILE). */
  readonly profileTo?: string;
}

interface FilterWindow {
  __filterWait?: Promise<{ at: number; text: string }>;
}

/**
 * Arms a waiter for the row count to change from what it shows now and to stop being stale.
 * A string, not a function: tsx's name helpers must not leak into the page.
 */
const ARM_COUNT_WAITER = `(() => {
  const count = document.querySelector('[data-testid="merged-count"]');
  const before = count.textContent;
  window.__filterWait = new Promise((resolve) => {
    const observer = new MutationObserver(() => {
      if (count.textContent === before || count.className.includes("opacity-60")) return;
      observer.disconnect();
      requestAnimationFrame(() => resolve({ at: performance.now(), text: count.textContent }));
    });
    observer.observe(count, { subtree: true, childList: true, characterData: true, attributes: true });
  });
})()`;

async function armCountWaiter(page: Page): Promise<void> {
  await page.evaluate(ARM_COUNT_WAITER);
}

async function waitQuiet(page: Page, quietMs: number, limitMs: number): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline) {
    const last = await page.evaluate(() => {
      const t = (window as unknown as ProbeWindow).__bench.longTasks.at(-1);
      return { now: performance.now(), end: t ? t.start + t.duration : 0 };
    });
    if (last.now - last.end >= quietMs) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  log(`ui: the page did not go quiet for ${quietMs} ms within ${limitMs} ms; measuring anyway`);
}

/** Opens the image in `page` (PROBES added) and waits for the merged tree's first frame. */
async function openToFirstFrame(page: Page, url: string, entries: number): Promise<FirstRender> {
  await page.goto(url);
  await page.waitForFunction(() => (window as unknown as ProbeWindow).__bench.firstRowPaintAt !== undefined, undefined, { timeout: 400_000, polling: 250 });
  const s = await page.evaluate(() => (window as unknown as ProbeWindow).__bench as ProbeState);
  const done = s.done.at(-1);
  if (!done || done.entries !== entries) throw new Error(`ui-scale: the page got ${done?.entries} entries, expected ${entries}`);
  const paint = s.firstRowPaintAt as number;
  log(`ui: index on the page at ${done.t.toFixed(0)} ms, first tree frame at ${paint.toFixed(0)} ms (${(paint - done.t).toFixed(0)} ms after)`);
  return { indexedMs: done.t, firstRenderMs: paint - done.t, navToTreeMs: paint, longestTaskMs: longTasksIn(s, done.t - 1, paint + 1).longestMs };
}

async function probedPage(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  page.on("pageerror", (e) => log(`app page error: ${e.message}`));
  await page.addInitScript({ content: PROBES });
  await page.addInitScript({ content: "window.__bench.expectLayers = 1;" });
  return page;
}

/**
 * Waits until the renderer (the page and its workers) used under a tenth of a core for a whole
 * second. The main thread goes quiet long before the efficiency report's worker is done with a
 * million entries (seconds of CPU), and filters measured beside it were up to 2× slower.
 */
async function waitRendererIdle(limitMs: number): Promise<void> {
  const deadline = Date.now() + limitMs;
  let before = chromiumCpuSeconds().renderer ?? 0;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 1000));
    const now = chromiumCpuSeconds().renderer ?? 0;
    if (now - before < 0.1) return;
    before = now;
  }
  log(`ui: the renderer did not go idle within ${limitMs} ms; measuring anyway`);
}

async function filterOnce(page: Page, query: string): Promise<Omit<FilterRun, "roundsMs">> {
  await armCountWaiter(page);
  await page.getByTestId("merged-filter").fill(query);
  const answer = await page.evaluate(() => (window as unknown as FilterWindow).__filterWait as Promise<{ at: number; text: string }>);
  const s = await page.evaluate(() => (window as unknown as ProbeWindow).__bench as ProbeState);
  const from = s.lastInputAt as number;
  return { query, ms: answer.at - from, count: answer.text, longestTaskMs: longTasksIn(s, from - 1, answer.at + 1).longestMs };
}

export async function uiScaleSuite(input: UiScaleInput): Promise<UiScaleFigures> {
  const layer = input.image.layers[0];
  if (!layer || input.image.layers.length !== 1) throw new Error("ui-scale: expects a one-layer image");
  const reference = `${input.registry}/${input.image.repository}:${input.image.tag}`;
  const url = `${input.appBase}/?${new URLSearchParams({ image: reference }).toString()}`;
  const viewport = { width: 1280, height: 900 };
  const firstRenders: FirstRender[] = [];
  for (let r = 1; r < input.firstRenderRuns; r++) {
    const context = await input.browser.newContext({ viewport });
    try {
      firstRenders.push(await openToFirstFrame(await probedPage(context), url, layer.entries));
    } finally {
      await context.close();
    }
    // The closed page's renderer (gigabytes) is torn down meanwhile: not in the next run's way.
    await new Promise((r) => setTimeout(r, 3000));
  }
  const context = await input.browser.newContext({ viewport });
  const sampler = peakSampler(() => ({ ...chromiumRss() }), 100);
  try {
    const page = await probedPage(context);
    // BENCH_PROFILE=1: the page's main thread sampled from navigation to the first tree frame,
    // written beside the reports as a .cpuprofile (open it in Chrome's DevTools, Performance).
    const cdp = input.profileTo ? await context.newCDPSession(page) : undefined;
    if (cdp) {
      await cdp.send("Profiler.enable");
      await cdp.send("Profiler.setSamplingInterval", { interval: 500 });
      await cdp.send("Profiler.start");
    }
    firstRenders.push(await openToFirstFrame(page, url, layer.entries));
    if (cdp && input.profileTo) {
      const { profile } = await cdp.send("Profiler.stop");
      mkdirSync(dirname(input.profileTo), { recursive: true });
      writeFileSync(input.profileTo, JSON.stringify(profile));
      log(`ui: main-thread profile written to ${input.profileTo}`);
      await cdp.detach();
    }

    // Let the rest of the page (efficiency, pictures, the cache's write) finish before filtering.
    await waitQuiet(page, 3000, 180_000);
    await waitRendererIdle(120_000);
    const rounds: Omit<FilterRun, "roundsMs">[][] = input.queries.map(() => []);
    for (let r = 0; r < input.filterRounds; r++) {
      for (const [i, q] of input.queries.entries()) {
        const f = await filterOnce(page, q);
        rounds[i]!.push(f);
      }
    }
    const filters: FilterRun[] = input.queries.map((query, i) => {
      const runs = rounds[i]!;
      const roundsMs = runs.map((f) => f.ms);
      const f: FilterRun = { query, ms: median(roundsMs), roundsMs, count: runs[0]?.count ?? "", longestTaskMs: Math.max(...runs.map((x) => x.longestTaskMs)) };
      log(`ui: filter ${JSON.stringify(query)} → ${roundsMs.map((ms) => ms.toFixed(0)).join(", ")} ms (${f.count})`);
      return f;
    });

    // Scrolling a million rows: expand everything, then step the viewport once per frame.
    await armCountWaiter(page);
    await page.getByTestId("merged-expand-all").click();
    const expanded = await page.evaluate(() => (window as unknown as FilterWindow).__filterWait as Promise<{ at: number; text: string }>);
    await waitQuiet(page, 1000, 60_000);
    const stepPx = 1200;
    const frameGaps = (step: number): Promise<number[]> =>
      page.evaluate(
        async ({ frames, step }) => {
          const el = document.querySelector('[data-testid="merged-tree"]') as HTMLElement;
          const out: number[] = [];
          el.scrollTop = 0;
          await new Promise((r) => requestAnimationFrame(r));
          let last = performance.now();
          for (let i = 0; i < frames; i++) {
            el.scrollTop += step;
            await new Promise((r) => requestAnimationFrame(r));
            const now = performance.now();
            out.push(now - last);
            last = now;
          }
          return out;
        },
        { frames: input.scrollFrames, step },
      );
    const idle = await frameGaps(0);
    const deltas = await frameGaps(stepPx);
    const rowsOnScreen = await page.locator('[data-testid="merged-row"]').count();
    if (rowsOnScreen === 0) throw new Error("ui-scale: no rows on screen after scrolling");
    const nonEmpty = filters.filter((f) => f.query !== "");
    return {
      entries: layer.entries,
      gzipMB: layer.size / MB,
      tarMB: layer.tarBytes / MB,
      firstRenders,
      indexedMs: median(firstRenders.map((f) => f.indexedMs)),
      firstRenderMs: median(firstRenders.map((f) => f.firstRenderMs)),
      navToTreeMs: median(firstRenders.map((f) => f.navToTreeMs)),
      firstRenderLongestTaskMs: Math.max(...firstRenders.map((f) => f.longestTaskMs)),
      filters,
      filterWorstMs: Math.max(...nonEmpty.map((f) => f.ms)),
      filterMedianMs: median(nonEmpty.map((f) => f.ms)),
      scroll: {
        frames: deltas.length,
        stepPx,
        p50Ms: percentile(deltas, 50),
        p95Ms: percentile(deltas, 95),
        maxMs: Math.max(...deltas),
        over50Ms: deltas.filter((d) => d > 50).length,
        rowsShown: expanded.text,
        idleP50Ms: percentile(idle, 50),
        idleP95Ms: percentile(idle, 95),
      },
      peakRendererMB: sampler.stop().renderer / MB,
    };
  } finally {
    sampler.stop();
    await context.close();
  }
}
