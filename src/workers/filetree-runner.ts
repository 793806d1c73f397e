/** What the filetree worker does with one request: call the core, answer with plain data. */
import { computeEfficiency } from "../core/filetree";
import type { FiletreeWorkerRequest, FiletreeWorkerResponse } from "./filetree-protocol";

export function runFiletreeRequest(request: FiletreeWorkerRequest): FiletreeWorkerResponse {
  try {
    const full = computeEfficiency(request.layers);
    const limit = request.listLimit;
    const report =
      limit === undefined ? full : { ...full, wastedFiles: full.wastedFiles.slice(0, limit), diveInefficiencies: full.diveInefficiencies.slice(0, limit) };
    return { type: "efficiency", id: request.id, report, wastedFileCount: full.wastedFiles.length };
  } catch (e) {
    return { type: "error", id: request.id, message: e instanceof Error ? e.message : String(e) };
  }
}
