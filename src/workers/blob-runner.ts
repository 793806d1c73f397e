/**
 * Split mode, blob side: fetch → count + hash the compressed bytes → decompress, and send the
 * decoded chunks to the tar worker in batches, one credit per batch (see protocol.ts).
 */
import { ChunkBatcher, CreditGate, LayerFailure, runBlobWithFallback, transferables } from "../core/pipeline";
import { blobOpener } from "./fetch-blob";
import { errorOf, throttle } from "./progress";
import { WORKER_PROGRESS_INTERVAL_MS, type BlobToTar, type BlobWorkerRequest, type TarToBlob, type WorkerEvent } from "./protocol";

export function createBlobRunner(post: (event: WorkerEvent) => void): (msg: BlobWorkerRequest) => void {
  let current: { runId: number; controller: AbortController; gate: CreditGate } | undefined;
  return (msg) => {
    if (msg.type === "cancel") {
      if (current?.runId === msg.runId) {
        current.controller.abort();
        current.gate.fail(new LayerFailure({ kind: "aborted" }));
      }
      return;
    }
    const { runId, job, port } = msg;
    const controller = new AbortController();
    const gate = new CreditGate(msg.credits);
    const run = { runId, controller, gate };
    current = run;
    const batcher = new ChunkBatcher(msg.batchBytes);
    const toTar = (m: BlobToTar, transfer: Transferable[] = []): void => port.postMessage(m, transfer);
    port.onmessage = (e: MessageEvent<TarToBlob>) => {
      if (e.data.type === "credit") gate.grant(e.data.n);
    };
    let compressedBytes = 0;
    const progress = throttle(WORKER_PROGRESS_INTERVAL_MS, () => post({ type: "progress", runId, compressedBytes }));

    const send = async (chunks: Uint8Array[]): Promise<void> => {
      if (chunks.length === 0) return;
      await gate.take();
      toTar({ type: "data", chunks }, transferables(chunks));
    };

    runBlobWithFallback(
      job,
      blobOpener(msg.request, job.digest, (httpStatus) => post({ type: "progress", runId, httpStatus })),
      {
        async emit(chunk) {
          const full = batcher.add(chunk);
          if (full) await send(full);
        },
        restart() {
          batcher.take();
          toTar({ type: "restart" });
        },
      },
      {
        signal: controller.signal,
        ...(msg.nativeGzip !== undefined ? { nativeAvailable: msg.nativeGzip } : {}),
        onCompressedBytes(received) {
          compressedBytes = received;
          progress.tick();
        },
      },
    )
      .then(async (outcome) => {
        await send(batcher.take());
        progress.flush();
        toTar({ type: "end", outcome });
      })
      .catch((e: unknown) => {
        const error = errorOf(e);
        toTar({ type: "failed", error });
        post({ type: "failed", runId, error });
      })
      .finally(() => {
        if (current === run) current = undefined;
      });
  };
}
