/** What the filetree worker does with one request: call the core, answer with plain data. */
import { computeEfficiency, mergeLayers } from "../core/filetree";
import { buildSizeTree, sizeTreeBuffers } from "../core/treemap";
import type { FiletreeWorkerRequest, FiletreeWorkerResponse } from "./filetree-protocol";

export function runFiletreeRequest(request: FiletreeWorkerRequest): FiletreeWorkerResponse {
  try {
    // One merge serves both the efficiency report and the treemap's size tree.
    const merged = mergeLayers(request.layers);
    const full = computeEfficiency(request.layers, merged);
    const sizeTree = request.sizeTree === true ? buildSizeTree(merged) : undefined;
    const limit = request.listLimit;
    const report =
      limit === undefined ? full : { ...full, wastedFiles: full.wastedFiles.slice(0, limit), diveInefficiencies: full.diveInefficiencies.slice(0, limit) };
    return { type: "efficiency", id: request.id, report, wastedFileCount: full.wastedFiles.length, ...(sizeTree ? { sizeTree } : {}) };
  } catch (e) {
    return { type: "error", id: request.id, message: e instanceof Error ? e.message : String(e) };
  }
}

/** What to transfer rather than clone: the size tree's typed arrays. */
export function transferablesOf(response: FiletreeWorkerResponse): ArrayBuffer[] {
  return response.type === "efficiency" && response.sizeTree ? sizeTreeBuffers(response.sizeTree) : [];
}
