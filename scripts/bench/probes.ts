/**
 * What the bench watches inside the real app's page, installed before the app's own scripts
 * (page.addInitScript) as plain JavaScript (a string, so no transpiler helper leaks into it):
 *
 * - long tasks (PerformanceObserver "longtask", > 50 ms on the main thread);
 * - when each layer's index reached the page: every Worker is wrapped so that the time a
 *   `{type: "done"}` message is dispatched is recorded before the app's handler runs (and before
 *   the message's data is read: Chromium deserialises it on that first read, so its cost counts
 *   in the first render, not in the index time);
 * - when the merged tree first has a row, and when it is complete: every layer row says
 *   data-stage="done", the merged card has no "partial" note, and a merged row is in the DOM;
 *   each with the next animation frame after it (the frame that shows it);
 * - the time of the latest `input` event on the merged tree's filter box (capture phase, so
 *   before React's handler).
 *
 * Times are `performance.now()` of the page: milliseconds since navigation started.
 */
export const PROBES = String.raw`
(() => {
  const b = (window.__bench = { longTasks: [], done: [], firstRowAt: undefined, firstRowPaintAt: undefined, readyAt: undefined, readyPaintAt: undefined, lastInputAt: undefined, expectLayers: 0 });
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) b.longTasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: "longtask", buffered: true });
  const NativeWorker = window.Worker;
  window.Worker = class extends NativeWorker {
    constructor(url, options) {
      super(url, options);
      this.addEventListener("message", (e) => {
        const t = performance.now();
        const d = e.data;
        if (d && d.type === "done") b.done.push({ t, entries: d.packed ? d.packed.n : d.result && d.result.entries ? d.result.entries.length : -1 });
      });
    }
  };
  document.addEventListener("input", (e) => {
    if (e.target && e.target.dataset && e.target.dataset.testid === "merged-filter") b.lastInputAt = performance.now();
  }, true);
  const check = () => {
    if (b.readyAt !== undefined) return;
    const row = document.querySelector('[data-testid="merged-row"]');
    if (!row) return;
    const now = performance.now();
    if (b.firstRowAt === undefined) {
      b.firstRowAt = now;
      requestAnimationFrame(() => (b.firstRowPaintAt = performance.now()));
    }
    const layers = document.querySelectorAll('[data-testid="layer-row"]');
    if (layers.length === 0 || (b.expectLayers && layers.length !== b.expectLayers)) return;
    for (const l of layers) if (l.getAttribute("data-stage") !== "done") return;
    if (document.querySelector('[data-testid="merged-partial"]')) return;
    b.readyAt = now;
    requestAnimationFrame(() => (b.readyPaintAt = performance.now()));
  };
  new MutationObserver(check).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-stage"] });
})();
`;

/** What PROBES leaves on `window.__bench`. */
export interface ProbeState {
  readonly longTasks: readonly { readonly start: number; readonly duration: number }[];
  readonly done: readonly { readonly t: number; readonly entries: number }[];
  readonly firstRowAt?: number;
  readonly firstRowPaintAt?: number;
  readonly readyAt?: number;
  readonly readyPaintAt?: number;
  readonly lastInputAt?: number;
}

export interface ProbeWindow {
  __bench: ProbeState & { expectLayers: number };
}

/** Long tasks that overlap the span between two page times (a task may begin before `from`). */
export function longTasksIn(state: ProbeState, from: number, to: number): { count: number; totalMs: number; longestMs: number } {
  const mine = state.longTasks.filter((t) => t.start < to && t.start + t.duration > from);
  return { count: mine.length, totalMs: mine.reduce((a, t) => a + t.duration, 0), longestMs: Math.max(0, ...mine.map((t) => t.duration)) };
}
