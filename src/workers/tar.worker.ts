/** Entry of the tar worker: wires the global scope to createTarRunner (see protocol.ts). */
import { createTarRunner } from "./tar-runner";
import type { WorkerScope } from "./progress";
import type { TarWorkerRequest, WorkerEvent } from "./protocol";

const scope = self as unknown as WorkerScope;
const handle = createTarRunner((event: WorkerEvent, transfer?: Transferable[]) => scope.postMessage(event, transfer ?? []));
scope.onmessage = (e: MessageEvent<TarWorkerRequest>) => handle(e.data);
