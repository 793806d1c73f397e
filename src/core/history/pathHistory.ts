/**
 * A path's history: every version of one path across the layers, and what happened to it in
 * each layer (added, changed, replaced, whited out, removed with a parent, re-added), from the
 * layers' index entries alone.
 *
 * There is no second merge here. The overlay rules live in one place, `mergeLayers`
 * (filetree/merge.ts), and this module asks it: the state of the path after each layer is the
 * merge's own answer (`entries.get(path)` with its `hides`, or `deleted.get(path)` with
 * `removedBy`, `marker` and `how`). What happened in a layer is the difference between two
 * such answers.
 *
 * To keep that cheap, the merge runs over the entries that can change this path only:
 * - entries at the path itself and at its ancestors (a file written over an ancestor removes
 *   the path; an ancestor directory merges),
 * - whiteouts whose target is the path or an ancestor, opaque markers of an ancestor directory,
 * - deeper writes, which turn a lower non-directory into an implied directory (merge.ts
 *   `ensureDir`): only the first of each run between two kept entries, since after it the path
 *   is a directory (or a kept symlink) and the rest of the run cannot change it.
 *   pathHistory.test.ts checks the filter against the full merge on generated layer stacks.
 * Markers below the path and siblings cannot change it. So each merge sees a handful of
 * entries, and one merge per layer costs O(layers²) tiny steps; the only pass over every entry
 * is the filter (O(total entries), a string comparison each).
 *
 * Within one layer, markers apply to the lower state before the layer's own entries
 * (image-spec layer.md "Whiteouts"; merge.ts). A layer that both removes and rewrites the path
 * (an opaque marker of its parent and a new copy) therefore shows two events: the removal, then
 * the re-add. To see the state between the two, the merge is run once more with that layer's
 * markers alone.
 */
import { mergeLayers, type MergeInput } from "../filetree/merge";
import { whiteoutTargetOf } from "../filetree/changes";
import type { DeletedPath, MergedEntry, MergedFilesystem, MergeWarning, PathVersion } from "../filetree/types";

/** What one layer did to the path. */
export type HistoryEventKind =
  /** First written (or first implied) with nothing there before. */
  | "added"
  /** Written again, same kind of thing (file over file, dir over dir…): see `changes`. */
  | "changed"
  /** Written again as another kind: file ↔ directory, file → symlink…: the lower one is replaced. */
  | "replaced"
  /** Written again after an earlier layer removed it. */
  | "re-added"
  /** A directory no layer wrote, created because this layer wrote a deeper path. */
  | "implied"
  /** Removed by a `.wh.<name>` marker naming this path. */
  | "whited-out"
  /** Removed because a `.wh.<name>` marker named one of its ancestors. */
  | "parent-whited-out"
  /** Removed by the opaque marker (`.wh..wh..opq`) of an ancestor directory. */
  | "opaque"
  /** Removed because this layer wrote a non-directory at one of its ancestors. */
  | "parent-replaced";

/** A metadata field that differs between two versions. */
export type VersionChange = "type" | "size" | "mode" | "owner" | "mtime" | "link";

export interface HistoryEvent {
  /** The layer (0-based position in manifest.layers). */
  readonly layer: number;
  readonly kind: HistoryEventKind;
  /**
   * For a write ("added", "changed", "replaced", "re-added", "implied"): the version this layer
   * produced. For a removal: the version removed.
   */
  readonly version: PathVersion;
  /** True when `version` is a directory implied by deeper paths (no tar entry wrote it). */
  readonly implied: boolean;
  /** For "changed"/"replaced" (and "implied" over something): the version it replaced. */
  readonly previous?: PathVersion;
  /** For "changed"/"replaced": the fields that differ from `previous` (empty: same metadata, contents may still differ). */
  readonly changes?: readonly VersionChange[];
  /** For a removal: the marker's path (".wh.<name>", "<dir>/.wh..wh..opq") or the ancestor written as a non-directory. */
  readonly marker?: string;
  /** For a removal: the path the marker names (this path, or an ancestor). */
  readonly markerTarget?: string;
  /** For a write: how many entries at this path the layer has (more than 1: the last one wins, T5). */
  readonly entriesInLayer?: number;
  /** True for the event whose version is the one the final image shows. */
  readonly visible: boolean;
}

/** The path in the final image (as of the top layer). */
export type FinalState =
  | { readonly kind: "present"; readonly version: PathVersion; readonly implied: boolean; readonly hides: readonly PathVersion[] }
  | { readonly kind: "deleted"; readonly deleted: DeletedPath }
  | { readonly kind: "absent" };

export interface PathHistory {
  readonly path: string;
  /** In layer order; within a layer, removal before write. Empty when no layer ever had the path. */
  readonly events: readonly HistoryEvent[];
  readonly final: FinalState;
  /** Merge warnings that concern this path (duplicates, whiteouts of same-layer entries, paths through symlinks…). */
  readonly warnings: readonly MergeWarning[];
}

/** "/usr//bin/" → "usr/bin": the LayerEntry path form (no leading "/" or "./", no trailing "/"). */
export function normalizeHistoryPath(path: string): string {
  return path
    .split("/")
    .filter((p) => p !== "" && p !== ".")
    .join("/");
}

/** The flag the tar stage sets on paths that climb above the layer root (merge.ts keeps them out). */
const UNSAFE_FLAG = "unsafe-path";

const parentOf = (path: string): string => {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? "" : path.slice(0, slash);
};

/** True when `a` is a proper ancestor of `path` ("" is everyone's ancestor). */
const isAncestor = (a: string, path: string): boolean => a === "" || (path.length > a.length && path.startsWith(a) && path.charCodeAt(a.length) === 47);

/** The entries of each layer that can change `path` (see the module comment), in tar order. */
export function relevantEntries(layers: readonly (readonly MergeInput[])[], path: string): MergeInput[][] {
  const below = `${path}/`;
  const depth = path.length;
  return layers.map((entries) => {
    // One pass: the path's own, its ancestors' and the relevant markers' entries, and the deeper
    // writes (kept apart: most layers have none under the path, and only a few are wanted).
    const own: number[] = [];
    let deeper: number[] | undefined;
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i] as MergeInput;
      const p = e.path;
      if (e.whiteout === "none") {
        if (p.length <= depth ? p === path || isAncestor(p, path) : p.startsWith(below) && e.flags?.includes(UNSAFE_FLAG) !== true) {
          if (p.length <= depth) own.push(i);
          else (deeper ??= []).push(i);
        }
      } else if (e.whiteout === "whiteout") {
        const target = whiteoutTargetOf(e);
        if (target === path || isAncestor(target, path)) own.push(i);
      } else if (e.whiteout === "opaque") {
        if (isAncestor(whiteoutTargetOf(e), path)) own.push(i);
      } else if (p === path || isAncestor(p, path)) own.push(i); // a bad ".wh." name: the merge flags and ignores it
    }
    if (deeper === undefined) return own.map((i) => entries[i] as MergeInput);
    // Deeper writes as the merge sees them: the last occurrence of each path (T5). Of each run
    // between two kept entries only the first can change the path (see the module comment).
    const last = new Map<string, number>();
    for (const i of deeper) last.set((entries[i] as MergeInput).path, i);
    const kept: MergeInput[] = [];
    let d = 0;
    for (let k = 0; k <= own.length; k++) {
      const until = k < own.length ? (own[k] as number) : entries.length;
      while (d < deeper.length && (deeper[d] as number) < until && last.get((entries[deeper[d] as number] as MergeInput).path) !== deeper[d]) d++;
      if (d < deeper.length && (deeper[d] as number) < until) kept.push(entries[deeper[d] as number] as MergeInput);
      while (d < deeper.length && (deeper[d] as number) < until) d++;
      if (k < own.length) kept.push(entries[own[k] as number] as MergeInput);
    }
    return kept;
  });
}

type State =
  | { readonly kind: "present"; readonly entry: MergedEntry }
  | { readonly kind: "deleted"; readonly deleted: DeletedPath }
  | { readonly kind: "absent" };

function stateOf(fs: MergedFilesystem, path: string): State {
  const entry = fs.entries.get(path);
  if (entry) return { kind: "present", entry };
  const deleted = fs.deleted.get(path);
  if (deleted) return { kind: "deleted", deleted };
  return { kind: "absent" };
}

const ABSENT: State = { kind: "absent" };

/** The fields that differ between two versions of a path. */
export function versionChanges(a: PathVersion, b: PathVersion): VersionChange[] {
  const out: VersionChange[] = [];
  if (a.type !== b.type) out.push("type");
  if (a.size !== b.size) out.push("size");
  if ((a.mode & 0o7777) !== (b.mode & 0o7777)) out.push("mode");
  if (a.uid !== b.uid || a.gid !== b.gid || (a.uname ?? "") !== (b.uname ?? "") || (a.gname ?? "") !== (b.gname ?? "")) out.push("owner");
  if (a.mtime !== b.mtime) out.push("mtime");
  if ((a.linkname ?? "") !== (b.linkname ?? "")) out.push("link");
  return out;
}

const isDir = (v: PathVersion): boolean => v.type === "dir";

/** The layer-k marker (or ancestor write) that removed `path`, for removals the merge keeps no record of (implied directories). */
function findRemover(entries: readonly MergeInput[], path: string, markersOnly: boolean): { marker: string; target: string; kind: HistoryEventKind } | undefined {
  for (const e of entries) {
    if (e.whiteout === "whiteout") {
      const target = whiteoutTargetOf(e);
      return { marker: e.path, target, kind: target === path ? "whited-out" : "parent-whited-out" };
    }
    if (e.whiteout === "opaque") return { marker: e.path, target: whiteoutTargetOf(e), kind: "opaque" };
  }
  if (markersOnly) return undefined;
  for (const e of entries) if (e.whiteout === "none" && e.type !== "dir" && isAncestor(e.path, path) && e.path !== "") return { marker: e.path, target: e.path, kind: "parent-replaced" };
  return undefined;
}

function removalEvent(layer: number, removed: PathVersion, implied: boolean, record: DeletedPath | undefined, entries: readonly MergeInput[], path: string, markersOnly: boolean): HistoryEvent {
  if (record !== undefined) {
    const target = record.how === "whiteout" ? targetOfMarker(record.marker) : record.how === "opaque" ? parentOf(record.marker) : record.marker;
    const kind: HistoryEventKind = record.how === "whiteout" ? (target === path ? "whited-out" : "parent-whited-out") : record.how === "opaque" ? "opaque" : "parent-replaced";
    return { layer, kind, version: removed, implied, marker: record.marker, markerTarget: target, visible: false };
  }
  const found = findRemover(entries, path, markersOnly);
  return {
    layer,
    kind: found?.kind ?? "parent-replaced",
    version: removed,
    implied,
    ...(found !== undefined ? { marker: found.marker, markerTarget: found.target } : {}),
    visible: false,
  };
}

/** ".wh.<name>" in "<dir>" → "<dir>/<name>". */
function targetOfMarker(marker: string): string {
  return whiteoutTargetOf({ path: marker, type: "file", whiteout: "whiteout" });
}

/** The written (non-implied) version of `path` that layer `layer` produced, if any, from the merge's chain. */
function writtenIn(entry: MergedEntry, layer: number): PathVersion | undefined {
  if (!entry.implied && entry.version.layer === layer) return entry.version;
  // Written, then turned into an implied directory by a deeper path of the same layer.
  return entry.hides.find((v) => v.layer === layer);
}

/**
 * Every version of `path` across `layers` (each layer's entries in tar order, base first), and
 * what the final image shows. `path` is normalised first; the root ("") has no history.
 * Pure and synchronous; for a path with few relevant entries it costs one filtering pass over
 * all entries plus a few tiny merges per layer.
 */
export function pathHistory(layers: readonly (readonly MergeInput[])[], rawPath: string): PathHistory {
  const path = normalizeHistoryPath(rawPath);
  if (path === "" || layers.length === 0) return { path, events: [], final: { kind: "absent" }, warnings: [] };
  const relevant = relevantEntries(layers, path);
  const events: HistoryEvent[] = [];
  let prev: State = ABSENT;
  let last: MergedFilesystem | undefined;
  for (let k = 0; k < relevant.length; k++) {
    const mine = relevant[k] as MergeInput[];
    if (mine.length === 0) continue; // nothing in this layer can touch the path
    const end = mergeLayers(relevant, k);
    last = end;
    const after = stateOf(end, path);

    // 1. The layer's markers, applied to the lower state first.
    let before: State = prev;
    const markers = mine.filter((e) => e.whiteout === "whiteout" || e.whiteout === "opaque");
    if (markers.length > 0 && prev.kind === "present") {
      const mid = stateOf(mergeLayers([...relevant.slice(0, k), markers]), path);
      if (mid.kind !== "present") {
        const record = mid.kind === "deleted" && mid.deleted.removedBy === k ? mid.deleted : undefined;
        events.push(removalEvent(k, prev.entry.version, prev.entry.implied, record, markers, path, true));
        before = mid;
      }
    }

    // 2. The layer's own entries: a write of the path (kept, or removed again by a later
    // ancestor write of the same layer), a deeper path making it a directory, an ancestor
    // written as a non-directory removing it.
    const removedHere = after.kind === "deleted" && after.deleted.removedBy === k ? after.deleted : undefined;
    const written = after.kind === "present" ? writtenIn(after.entry, k) : removedHere?.last.layer === k ? removedHere.last : undefined;
    if (written !== undefined) {
      const count = mine.reduce((n, e) => (e.path === path && e.whiteout === "none" ? n + 1 : n), 0);
      const base = { layer: k, version: written, implied: false, visible: false, ...(count > 1 ? { entriesInLayer: count } : {}) };
      if (before.kind === "present") {
        const previous = before.entry.version;
        const kind: HistoryEventKind = isDir(previous) !== isDir(written) ? "replaced" : "changed";
        events.push({ ...base, kind, previous, changes: versionChanges(previous, written) });
      } else events.push({ ...base, kind: events.length > 0 ? "re-added" : "added" });
    }
    if (after.kind === "present" && after.entry.implied && after.entry.version.layer === k) {
      // A deeper path of this layer made it a directory: over a lower non-directory, a replacement.
      const version = after.entry.version;
      const lower = written ?? (before.kind === "present" ? before.entry.version : undefined);
      const replaces = lower !== undefined && !isDir(lower);
      events.push({
        layer: k,
        kind: replaces ? "replaced" : "implied",
        version,
        implied: true,
        ...(lower !== undefined ? { previous: lower, changes: versionChanges(lower, version) } : {}),
        visible: false,
      });
    }
    if (after.kind !== "present" && (written !== undefined || before.kind === "present")) {
      const removed = written ?? (before.kind === "present" ? before.entry.version : undefined);
      const wasImplied = written === undefined && before.kind === "present" && before.entry.implied;
      if (removed !== undefined) events.push(removalEvent(k, removed, wasImplied, removedHere, mine, path, false));
    }
    prev = after;
  }

  const finalFs = last ?? mergeLayers(relevant);
  const fin = stateOf(finalFs, path);
  const final: FinalState =
    fin.kind === "present"
      ? { kind: "present", version: fin.entry.version, implied: fin.entry.implied, hides: fin.entry.hides }
      : fin.kind === "deleted"
        ? { kind: "deleted", deleted: fin.deleted }
        : { kind: "absent" };
  if (fin.kind === "present") {
    // The visible version is the one the last write (or implied directory) of the top state produced.
    for (let i = events.length - 1; i >= 0; i--) {
      const e = events[i] as HistoryEvent;
      if (isWrite(e.kind) && e.layer === fin.entry.version.layer && e.implied === fin.entry.implied) {
        events[i] = { ...e, visible: true };
        break;
      }
    }
  }
  const warnings = finalFs.warnings.filter((w) => w.path === path || (w.kind.startsWith("whiteout-of") && targetOfMarker(w.path) === path));
  return { path, events, final, warnings };
}

/** True for the events that produce a version (as opposed to removing one). */
export function isWrite(kind: HistoryEventKind): boolean {
  return kind === "added" || kind === "changed" || kind === "replaced" || kind === "re-added" || kind === "implied";
}
