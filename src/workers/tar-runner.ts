/**
 * Split mode, tar side: receives decoded chunks from the blob worker, hashes them for the
 * diff_id and indexes the tar, gives a credit back per batch, and posts the layer's result.
 */
import { createTarStage, type TarStage } from "../core/pipeline";
import { errorOf, throttle } from "./progress";
import { WORKER_PROGRESS_INTERVAL_MS, packedDone, type BlobToTar, type TarToBlob, type TarWorkerRequest, type WorkerEvent } from "./protocol";

export function createTarRunner(post: (event: WorkerEvent, transfer?: Transferable[]) => void): (msg: TarWorkerRequest) => void {
  let current: { runId: number; port: MessagePort } | undefined;
  return (msg) => {
    if (msg.type === "cancel") {
      if (current?.runId === msg.runId) {
        current.port.close();
        current = undefined;
      }
      return;
    }
    const { runId, job, port } = msg;
    const run = { runId, port };
    current = run;
    let stage: Promise<TarStage> = createTarStage(job);
    const progress = throttle(WORKER_PROGRESS_INTERVAL_MS, () => {
      void stage.then((s) => post({ type: "progress", runId, uncompressedBytes: s.uncompressedBytes, entries: s.entryCount }));
    });
    // Messages are handled strictly in order: a restart must not overtake the data before it.
    let chain: Promise<void> = Promise.resolve();
    let finished = false;
    const credit = (): void => port.postMessage({ type: "credit", n: 1 } satisfies TarToBlob);

    const handle = async (m: BlobToTar): Promise<void> => {
      if (finished || current !== run) return;
      switch (m.type) {
        case "data": {
          const s = await stage;
          for (const c of m.chunks) s.push(c);
          credit();
          progress.tick();
          return;
        }
        case "restart":
          stage = createTarStage(job);
          return;
        case "end": {
          finished = true;
          const result = (await stage).finish(m.outcome);
          post({ type: "progress", runId, uncompressedBytes: result.uncompressedSize, entries: result.entries.length });
          port.close();
          try {
            const { event, transfer } = await packedDone(runId, result);
            post(event, transfer);
          } catch (err) {
            post({ type: "failed", runId, error: errorOf(err) });
          }
          return;
        }
        case "failed":
          // The blob worker told the page itself; nothing more to say.
          finished = true;
          port.close();
          return;
      }
    };
    port.onmessage = (e: MessageEvent<BlobToTar>) => {
      chain = chain.then(() => handle(e.data)).catch((err: unknown) => {
        if (finished) return;
        finished = true;
        port.close();
        post({ type: "failed", runId, error: errorOf(err) });
      });
    };
  };
}
