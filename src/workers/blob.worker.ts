/** Entry of the blob worker: wires the global scope to createBlobRunner (see protocol.ts). */
import { createBlobRunner } from "./blob-runner";
import type { WorkerScope } from "./progress";
import type { BlobWorkerRequest, WorkerEvent } from "./protocol";

const scope = self as unknown as WorkerScope;
const handle = createBlobRunner((event: WorkerEvent) => scope.postMessage(event));
scope.onmessage = (e: MessageEvent<BlobWorkerRequest>) => handle(e.data);
