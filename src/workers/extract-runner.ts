/**
 * The extract worker's logic (see extract-protocol.ts): core/extract over the worker's fetch,
 * with credit-based backpressure towards the page.
 */
import { extractEntries, streamLayerTar } from "../core/extract";
import { CreditGate, LayerFailure } from "../core/pipeline";
import { blobOpener } from "./fetch-blob";
import { errorOf, throttle } from "./progress";
import { WORKER_PROGRESS_INTERVAL_MS } from "./protocol";
import type { ExtractEvent, ExtractRequest } from "./extract-protocol";

export function createExtractRunner(post: (event: ExtractEvent, transfer?: Transferable[]) => void): (msg: ExtractRequest) => void {
  let gate: CreditGate | undefined;
  const controller = new AbortController();
  return (msg) => {
    if (msg.type === "credit") {
      gate?.grant(msg.n);
      return;
    }
    if (gate) return; // one operation per worker
    const g = new CreditGate(msg.credits);
    gate = g;
    let compressedBytes = 0;
    const progress = throttle(WORKER_PROGRESS_INTERVAL_MS, () => post({ type: "progress", compressedBytes }));
    const send = async (target: number, chunk: Uint8Array): Promise<void> => {
      await g.take();
      post({ type: "data", target, chunk }, [chunk.buffer as ArrayBuffer]);
    };
    const open = blobOpener(msg.request, msg.job.digest, (httpStatus) => post({ type: "progress", compressedBytes, httpStatus }));
    const options = {
      signal: controller.signal,
      ...(msg.nativeGzip !== undefined ? { nativeAvailable: msg.nativeGzip } : {}),
      onCompressedBytes(received: number) {
        compressedBytes = received;
        progress.tick();
      },
    };
    const run =
      msg.type === "entries"
        ? extractEntries(msg.job, open, msg.targets, send, { ...options, ...(msg.maxBytes !== undefined ? { maxBytes: msg.maxBytes } : {}) }).then((result) => {
            progress.flush();
            post({ type: "entries-done", result });
          })
        : streamLayerTar(
            msg.job,
            open,
            {
              write: (chunk) => send(-1, chunk.slice()),
              restart: () => post({ type: "restart" }),
            },
            options,
          ).then((outcome) => {
            progress.flush();
            post({ type: "layer-done", outcome });
          });
    run.catch((e: unknown) => {
      g.fail(new LayerFailure({ kind: "aborted" }));
      post({ type: "failed", error: errorOf(e) });
    });
  };
}
