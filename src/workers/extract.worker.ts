/** Entry of the extract worker: wires the global scope to createExtractRunner (see extract-protocol.ts). */
import { createExtractRunner } from "./extract-runner";
import type { WorkerScope } from "./progress";
import type { ExtractEvent, ExtractRequest } from "./extract-protocol";

const scope = self as unknown as WorkerScope;
const handle = createExtractRunner((event: ExtractEvent, transfer?: Transferable[]) => scope.postMessage(event, transfer ?? []));
scope.onmessage = (e: MessageEvent<ExtractRequest>) => handle(e.data);
