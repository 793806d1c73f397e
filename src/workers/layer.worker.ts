/** Entry of the layer worker: wires the global scope to createLayerRunner (see protocol.ts). */
import { createLayerRunner } from "./layer-runner";
import type { WorkerScope } from "./progress";
import type { LayerWorkerRequest, WorkerEvent } from "./protocol";

const scope = self as unknown as WorkerScope;
const handle = createLayerRunner((event: WorkerEvent, transfer?: Transferable[]) => scope.postMessage(event, transfer ?? []));
scope.onmessage = (e: MessageEvent<LayerWorkerRequest>) => handle(e.data);
