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
