/** Small helpers shared by the worker adapters. */
import type { LayerscopeError } from "../core/errors";
import { isLayerFailure } from "../core/pipeline";

/** A throttle for worker progress messages: at most one per interval, plus a final flush. */
export function throttle(intervalMs: number, send: () => void): { tick(): void; flush(): void } {
  let last = 0;
  return {
    tick() {
      const now = performance.now();
      if (now - last >= intervalMs) {
        last = now;
        send();
      }
    },
    flush() {
      last = performance.now();
      send();
    },
  };
}

/** The error to report for a run that threw: a LayerFailure's own error (e.g. aborted), else a worker fault. */
export function errorOf(e: unknown): LayerscopeError {
  if (isLayerFailure(e)) return e.error;
  const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return { kind: "internal", detail: `the layer worker failed unexpectedly (${message})` };
}

/** The worker global, typed only as far as the adapters use it (the app's lib is DOM, not WebWorker). */
export interface WorkerScope {
  onmessage: ((event: MessageEvent) => void) | null;
  postMessage(message: unknown, transfer?: Transferable[]): void;
}
