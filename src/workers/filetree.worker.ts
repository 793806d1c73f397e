/** Entry of the filetree worker: wires the global scope to runFiletreeRequest (see filetree-protocol.ts). */
import type { WorkerScope } from "./progress";
import type { FiletreeWorkerRequest } from "./filetree-protocol";
import { runFiletreeRequest } from "./filetree-runner";

const scope = self as unknown as WorkerScope;
scope.onmessage = (e: MessageEvent<FiletreeWorkerRequest>) => scope.postMessage(runFiletreeRequest(e.data));
