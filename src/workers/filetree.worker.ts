/** Entry of the filetree worker: wires the global scope to runFiletreeRequest (see filetree-protocol.ts). */
import type { WorkerScope } from "./progress";
import type { FiletreeWorkerRequest } from "./filetree-protocol";
import { runFiletreeRequest, transferablesOf } from "./filetree-runner";

const scope = self as unknown as WorkerScope;
scope.onmessage = (e: MessageEvent<FiletreeWorkerRequest>) => {
  const response = runFiletreeRequest(e.data);
  scope.postMessage(response, transferablesOf(response));
};
