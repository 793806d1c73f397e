/**
 * Single mode: both stages in this worker (fetch → digest → decompress → diff_id → index).
 * One run at a time; the page sends the next run only after "done" or "failed".
 */
import { runLayer } from "../core/pipeline";
import { blobOpener } from "./fetch-blob";
import { errorOf, throttle } from "./progress";
import { WORKER_PROGRESS_INTERVAL_MS, packedDone, type LayerWorkerRequest, type WorkerEvent } from "./protocol";

export function createLayerRunner(post: (event: WorkerEvent, transfer?: Transferable[]) => void): (msg: LayerWorkerRequest) => void {
  let current: { runId: number; controller: AbortController } | undefined;
  return (msg) => {
    if (msg.type === "cancel") {
      if (current?.runId === msg.runId) current.controller.abort();
      return;
    }
    current?.controller.abort();
    const controller = new AbortController();
    const run = { runId: msg.runId, controller };
    current = run;
    let p = { compressedBytes: 0, uncompressedBytes: 0, entries: 0 };
    const progress = throttle(WORKER_PROGRESS_INTERVAL_MS, () => post({ type: "progress", runId: msg.runId, ...p }));
    const onStatus = (httpStatus: number): void => post({ type: "progress", runId: msg.runId, httpStatus });
    runLayer(msg.job, blobOpener(msg.request, msg.job.digest, onStatus), {
      signal: controller.signal,
      ...(msg.nativeGzip !== undefined ? { nativeAvailable: msg.nativeGzip } : {}),
      onProgress(next) {
        p = next;
        progress.tick();
      },
    }).then(
      async (result) => {
        progress.flush();
        try {
          const { event, transfer } = await packedDone(msg.runId, result);
          post(event, transfer);
        } catch (e) {
          post({ type: "failed", runId: msg.runId, error: errorOf(e) });
        }
      },
      (e: unknown) => post({ type: "failed", runId: msg.runId, error: errorOf(e) }),
    ).finally(() => {
      if (current === run) current = undefined;
    });
  };
}
