import type { Steps } from "../core/steps";

/**
 * Lets the page paint and handle input between slices of long work. `scheduler.yield()` where
 * the browser has it (the continuation keeps its place ahead of other tasks); otherwise a
 * MessageChannel message, which, unlike a chain of `setTimeout(0)`, is not clamped to 4 ms
 * after five nested calls (a hundred slices would wait 0.4 s for nothing).
 */
type SchedulerLike = { yield?: () => Promise<void> };

let channel: MessageChannel | undefined;
const waiting: (() => void)[] = [];

export function yieldToPage(): Promise<void> {
  const scheduler = (globalThis as { scheduler?: SchedulerLike }).scheduler;
  if (typeof scheduler?.yield === "function") return scheduler.yield();
  if (typeof MessageChannel !== "function") return new Promise((resolve) => setTimeout(resolve, 0));
  if (!channel) {
    channel = new MessageChannel();
    channel.port1.onmessage = () => waiting.shift()?.();
    // Node (tests): an open port must not keep the process alive.
    (channel.port1 as { unref?: () => void }).unref?.();
  }
  const port = channel.port2;
  return new Promise((resolve) => {
    waiting.push(resolve);
    port.postMessage(null);
  });
}

/** Work between two yields in {@link runSliced}: well inside a frame, and far below a long task (50 ms). */
export const SLICE_BUDGET_MS = 20;

/**
 * Runs core steps (core/steps.ts) on the page in slices of about `budgetMs`, yielding between
 * them, so the page keeps painting and answering input. Rejects with an AbortError once
 * `signal` is aborted (checked between slices); the steps are then simply dropped.
 */
export async function runSliced<T>(steps: Steps<T>, signal?: AbortSignal, budgetMs: number = SLICE_BUDGET_MS): Promise<T> {
  for (;;) {
    if (signal?.aborted === true) throw new DOMException("The computation was cancelled", "AbortError");
    const until = performance.now() + budgetMs;
    for (;;) {
      const r = steps.next();
      if (r.done === true) return r.value;
      if (performance.now() >= until) break;
    }
    await yieldToPage();
  }
}

/** Runs `f` once the next frame is painted (a task after it); at once where there are no frames. Returns a canceller. */
export function afterNextPaint(f: () => void): () => void {
  if (typeof requestAnimationFrame !== "function") {
    f();
    return () => undefined;
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const frame = requestAnimationFrame(() => (timer = setTimeout(f, 0)));
  return () => {
    cancelAnimationFrame(frame);
    if (timer !== undefined) clearTimeout(timer);
  };
}
