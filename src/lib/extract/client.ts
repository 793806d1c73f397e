/// <reference types="vite/client" />
/**
 * The page's side of the extract worker (src/workers/extract-protocol.ts): one worker per
 * operation, terminated when it ends or is aborted (terminating aborts its fetch, and the proxy
 * then aborts the upstream request, SECURITY P13). Data pieces are handed to the caller in order,
 * one at a time, and a credit goes back only after the caller's handler settled: a slow sink
 * slows the worker instead of filling memory.
 */
import type { LayerscopeError } from "../../core/errors";
import { EXTRACT_CREDITS, type ExtractEvent, type ExtractRequest } from "../../workers/extract-protocol";

/** A request to start an operation; the credits are this module's to give. */
export type ExtractStart = Exclude<ExtractRequest, { type: "credit" }> extends infer R ? (R extends unknown ? Omit<R, "credits"> : never) : never;
type Final = Extract<ExtractEvent, { type: "entries-done" | "layer-done" }>;

export interface ExtractHandlers {
  onData(target: number, chunk: Uint8Array): void | Promise<void>;
  onRestart?(): void | Promise<void>;
  onProgress?(compressedBytes: number): void;
}

/** The little of a Worker used here (a fake in tests). */
export interface ExtractWorkerLike {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  terminate(): void;
  onmessage: ((event: MessageEvent) => void) | null;
  onerror: ((event: ErrorEvent) => void) | null;
}

let createWorker = (): ExtractWorkerLike =>
  new Worker(new URL("../../workers/extract.worker.ts", import.meta.url), { type: "module", name: "layerscope-extract" });

/** For tests: run the extract logic somewhere else. */
export function setExtractWorkerFactory(factory: () => ExtractWorkerLike): void {
  createWorker = factory;
}

/** Thrown (rejected) when the operation ends without a result. */
export class ExtractFailure extends Error {
  constructor(readonly error: LayerscopeError) {
    super(error.kind);
    this.name = "ExtractFailure";
  }
}

/**
 * Runs one extract operation. Resolves with the worker's final event; rejects with an
 * {@link ExtractFailure} (kind "aborted" when `signal` fired) or what a handler threw.
 */
export function runExtract(start: ExtractStart, handlers: ExtractHandlers, signal?: AbortSignal): Promise<Final> {
  return new Promise<Final>((resolve, reject) => {
    if (signal?.aborted) {
      reject(new ExtractFailure({ kind: "aborted" }));
      return;
    }
    const worker = createWorker();
    let settled = false;
    // Events are handled strictly in order: a handler's promise finishes before the next event.
    let chain: Promise<void> = Promise.resolve();
    const end = (f: () => void): void => {
      if (settled) return;
      settled = true;
      worker.onmessage = null;
      worker.onerror = null;
      worker.terminate();
      signal?.removeEventListener("abort", onAbort);
      f();
    };
    const onAbort = (): void => end(() => reject(new ExtractFailure({ kind: "aborted" })));
    signal?.addEventListener("abort", onAbort);
    worker.onerror = (e) => end(() => reject(new ExtractFailure({ kind: "internal", detail: `the extract worker stopped (${e.message || "no details"})` })));
    worker.onmessage = (e: MessageEvent<ExtractEvent>) => {
      const ev = e.data;
      chain = chain
        .then(async () => {
          if (settled) return;
          switch (ev.type) {
            case "data":
              await handlers.onData(ev.target, ev.chunk);
              if (!settled) worker.postMessage({ type: "credit", n: 1 } satisfies ExtractRequest);
              break;
            case "restart":
              await handlers.onRestart?.();
              break;
            case "progress":
              handlers.onProgress?.(ev.compressedBytes);
              break;
            case "failed":
              end(() => reject(new ExtractFailure(ev.error)));
              break;
            default:
              end(() => resolve(ev));
          }
        })
        .catch((err: unknown) => end(() => reject(err)));
    };
    worker.postMessage({ ...start, credits: EXTRACT_CREDITS } as ExtractRequest);
  });
}
