/**
 * Reading one file of one layer, for the viewer and the path history's text diffs: find the
 * entry in the layer's index, decide whether it may be shown (core/extract/trust.ts), follow a
 * hardlink to the body it shares, and extract the body in a worker, reading the layer only up to
 * the end of that body.
 */
import type { LayerscopeError } from "../../core/errors";
import { readTrust, type ExtractOutcome, type ReadTrust } from "../../core/extract";
import { hardlinkTargetPath } from "../../core/filetree";
import type { LayerEntry, LayerIndex } from "../../core/pipeline/types";
import { err, ok, type Result } from "../../core/result";
import type { LayerJobs, LayerBlobSource } from "../layers/types";
import { ExtractFailure, runExtract } from "./client";

export interface FileBytes {
  /** The body, or its first `maxBytes` bytes. */
  readonly bytes: Uint8Array;
  /** The file's whole size in bytes. */
  readonly size: number;
  /** True when `bytes` is shorter than the file (capped by `maxBytes`). */
  readonly truncated: boolean;
  /** True only when the layer the bytes came from is verified (digest and diff_id). */
  readonly trusted: boolean;
}

/** Hardlinks followed before giving up (a link to a link is unusual; a cycle is hostile, T3). */
const MAX_LINK_HOPS = 8;

/** Entries of a layer by path, in tar order (a path may appear twice, T5: the last one wins). */
const byPathCache = new WeakMap<LayerIndex, Map<string, LayerEntry[]>>();

function entriesAt(index: LayerIndex, path: string): readonly LayerEntry[] {
  let map = byPathCache.get(index);
  if (!map) {
    map = new Map();
    for (const e of index.entries) {
      const list = map.get(e.path);
      if (list) list.push(e);
      else map.set(e.path, [e]);
    }
    byPathCache.set(index, map);
  }
  return map.get(path) ?? [];
}

/** The entry that wins for `path` in `index` (the last one), or the last one before `beforeOffset`. */
export function layerEntryAt(index: LayerIndex, path: string, beforeOffset = Number.POSITIVE_INFINITY): LayerEntry | undefined {
  const list = entriesAt(index, path);
  for (let i = list.length - 1; i >= 0; i--) if (list[i]!.headerOffset < beforeOffset) return list[i];
  return undefined;
}

/** Where a file's bytes live: the layer and the regular-file entry whose body they are. */
export interface FileLocation {
  /** The entry asked for (a file, or the hardlink that was followed). */
  readonly entry: LayerEntry;
  /** The layer the body is read from, its index and its trust decision. */
  readonly bodyLayer: number;
  readonly bodyIndex: LayerIndex;
  readonly body: LayerEntry;
  readonly trust: Extract<ReadTrust, { allowed: true }>;
  /** Set when `entry` is a hardlink: the path whose body it shares. */
  readonly linkedPath?: string;
}

function unavailable(layer: number, path: string, why: Extract<LayerscopeError, { kind: "file-unavailable" }>["why"], detail: string): LayerscopeError {
  return { kind: "file-unavailable", layer, path, why, detail };
}

/** Layer `layer`'s index, or why there is none. */
export function layerIndexOf(jobs: LayerJobs, layer: number, path: string): Result<LayerIndex, LayerscopeError> {
  const state = jobs.getSnapshot()[layer];
  if (!state) return err(unavailable(layer, path, "not-found", "the image has no such layer"));
  if (!state.result) {
    const stage = state.progress.stage;
    return err(
      unavailable(layer, path, "not-indexed", stage === "queued" || stage === "downloading" ? "the layer is still being downloaded and verified" : "the layer could not be read"),
    );
  }
  return ok(state.result);
}

/**
 * Finds the body of `path` in `layer`: a regular file there, or for a hardlink the file it links
 * to (an earlier entry of the same layer, else the highest lower layer that has it). Refuses a
 * layer that failed verification, naming why.
 */
export function locateFile(jobs: LayerJobs, layer: number, path: string): Result<FileLocation, LayerscopeError> {
  const first = layerIndexOf(jobs, layer, path);
  if (!first.ok) return first;
  const entry = layerEntryAt(first.value, path);
  if (!entry) return err(unavailable(layer, path, "not-found", "the layer has no entry at this path"));
  let at = { layer, index: first.value, entry };
  let linkedPath: string | undefined;
  for (let hop = 0; at.entry.type === "hardlink"; hop++) {
    if (hop >= MAX_LINK_HOPS) return err(unavailable(layer, path, "link-loop", `more than ${MAX_LINK_HOPS} hardlinks in a row`));
    const target = hardlinkTargetPath(at.entry.linkname ?? "");
    if (target === undefined || target === "") return err(unavailable(layer, path, "not-found", `the hardlink target “${at.entry.linkname ?? ""}” is outside the layer root`));
    linkedPath = target;
    const same = layerEntryAt(at.index, target, at.entry.headerOffset);
    if (same) {
      at = { ...at, entry: same };
      continue;
    }
    let found: typeof at | undefined;
    for (let l = at.layer - 1; l >= 0 && !found; l--) {
      const idx = jobs.getSnapshot()[l]?.result;
      const e = idx ? layerEntryAt(idx, target) : undefined;
      if (idx && e) found = { layer: l, index: idx, entry: e };
    }
    if (!found) return err(unavailable(layer, path, "not-found", `the hardlink target “${target}” is in no layer at or below this one`));
    at = found;
  }
  if (at.entry.type !== "file" && at.entry.type !== "contiguous") {
    const what = at.entry.type === "symlink" ? `a symlink to “${at.entry.linkname ?? ""}”` : at.entry.type === "dir" ? "a directory" : `a ${at.entry.type}`;
    return err(unavailable(layer, path, "not-a-file", `it is ${what}, not a regular file`));
  }
  const trust = readTrust(at.index);
  if (!trust.allowed) return err(unavailable(at.layer, at.entry.path, "untrusted", trust.reason));
  return ok({ entry, bodyLayer: at.layer, bodyIndex: at.index, body: at.entry, trust, ...(linkedPath !== undefined ? { linkedPath } : {}) });
}

/** The source of layer `layer`, or an error saying this store cannot read files. */
export function sourceOf(jobs: LayerJobs, layer: number, path: string): Result<LayerBlobSource, LayerscopeError> {
  const source = jobs.layerSource?.(layer);
  return source ? ok(source) : err(unavailable(layer, path, "not-indexed", "this image's layers cannot be read again here"));
}

/** The extraction's own result, or the failure it rejected with, as data. */
export async function settle<T>(run: Promise<T>): Promise<Result<T, LayerscopeError>> {
  try {
    return ok(await run);
  } catch (e) {
    if (e instanceof ExtractFailure) return err(e.error);
    throw e;
  }
}

/**
 * Reads `path` as layer `layer` wrote it (a hardlink reads the body it shares), at most
 * `maxBytes` bytes. Only that layer's blob is fetched, and only up to the end of the body; the
 * fetch is then cancelled. Errors are data: not indexed yet, not a regular file, the layer
 * failed verification (refused), the tar header at the indexed offset does not match.
 */
export async function readLayerFile(
  jobs: LayerJobs,
  layer: number,
  path: string,
  options: { readonly maxBytes: number; readonly signal?: AbortSignal },
): Promise<Result<FileBytes, LayerscopeError>> {
  const located = locateFile(jobs, layer, path);
  if (!located.ok) return located;
  const { body, bodyLayer, trust } = located.value;
  const source = sourceOf(jobs, bodyLayer, path);
  if (!source.ok) return source;
  const want = Math.max(0, Math.min(body.size, options.maxBytes));
  const bytes = new Uint8Array(want);
  let filled = 0;
  const run = await settle(
    runExtract(
      {
        type: "entries",
        job: source.value.job,
        request: source.value.request,
        targets: [{ path: body.path, size: body.size, headerOffset: body.headerOffset, dataOffset: body.dataOffset }],
        maxBytes: want,
      },
      {
        onData(_target, chunk) {
          bytes.set(chunk.subarray(0, want - filled), filled);
          filled += chunk.length;
        },
      },
      options.signal,
    ),
  );
  if (!run.ok) return run;
  const final = run.value;
  if (final.type !== "entries-done") return err({ kind: "internal", detail: "the extract worker answered the wrong request" });
  const result: Result<ExtractOutcome, LayerscopeError> = final.result;
  if (!result.ok) return result;
  return ok({ bytes, size: body.size, truncated: want < body.size, trusted: trust.trusted });
}
