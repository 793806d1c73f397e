/** What the filetree worker does with one request: call the core, answer with plain data. */
import { columnsBuffers, computeEfficiency, mergeColumns, mergeLayers, type MergeInput, type MergeSource } from "../core/filetree";
import { unpackSteps, type PackedEntries } from "../core/pipeline/pack";
import { runSteps } from "../core/steps";
import { parseSearch, runSearch, type SearchData } from "../core/search";
import { buildSizeTree, sizeTreeBuffers } from "../core/treemap";
import type { FiletreeWorkerRequest, FiletreeWorkerResponse } from "./filetree-protocol";

/** The search dataset this worker holds: the layers and their merge, kept between queries. */
let held: { readonly dataset: number; readonly layers: readonly (readonly MergeInput[])[]; merged?: SearchData["merged"] } | undefined;

/** The merged view's dataset this worker holds: the packed layers, kept between slider moves. */
let heldPacked: { readonly dataset: number; readonly layers: readonly MergeSource[] } | undefined;

export function runFiletreeRequest(request: FiletreeWorkerRequest): FiletreeWorkerResponse {
  try {
    if (request.type === "merged") {
      if (request.layers) heldPacked = { dataset: request.dataset, layers: request.layers };
      if (heldPacked?.dataset !== request.dataset) return { type: "error", id: request.id, message: "The merge worker lost its copy of the layers." };
      const columns = mergeColumns(heldPacked.layers, request.upTo, request.showDeleted);
      return { type: "merged", id: request.id, columns: { ...columns, texts: [] } };
    }
    if (request.type === "search") {
      if (request.layers) held = { dataset: request.dataset, layers: unpacked(request.layers) };
      if (held?.dataset !== request.dataset) return { type: "error", id: request.id, message: "The search worker lost its copy of the layers; search again." };
      const query = parseSearch(request.form);
      if (!query.ok) return { type: "error", id: request.id, message: query.error.map((e) => e.message).join("; ") };
      held.merged ??= mergeLayers(held.layers);
      const outcome = runSearch(
        { layers: held.layers, merged: held.merged },
        query.value,
        { ...(request.limit !== undefined ? { limit: request.limit } : {}), ...(request.budgetMs !== undefined ? { budgetMs: request.budgetMs } : {}) },
      );
      return { type: "search", id: request.id, outcome };
    }
    // One merge serves both the efficiency report and the treemap's size tree.
    const layers = unpacked(request.layers);
    const merged = mergeLayers(layers);
    const full = computeEfficiency(layers, merged);
    const sizeTree = request.sizeTree === true ? buildSizeTree(merged) : undefined;
    const limit = request.listLimit;
    const report =
      limit === undefined ? full : { ...full, wastedFiles: full.wastedFiles.slice(0, limit), diveInefficiencies: full.diveInefficiencies.slice(0, limit) };
    return { type: "efficiency", id: request.id, report, wastedFileCount: full.wastedFiles.length, ...(sizeTree ? { sizeTree } : {}) };
  } catch (e) {
    return { type: "error", id: request.id, message: e instanceof Error ? e.message : String(e) };
  }
}

function unpacked(layers: readonly PackedEntries[]): readonly (readonly MergeInput[])[] {
  return layers.map((p) => runSteps(unpackSteps(p)));
}

/** What to transfer rather than clone: the size tree's or the merged columns' typed arrays. */
export function transferablesOf(response: FiletreeWorkerResponse): ArrayBuffer[] {
  if (response.type === "merged") return columnsBuffers(response.columns);
  return response.type === "efficiency" && response.sizeTree ? sizeTreeBuffers(response.sizeTree) : [];
}
