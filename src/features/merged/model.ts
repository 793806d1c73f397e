/**
 * What the merged view derives from the layer results: the merged filesystem as of a layer
 * (mergeLayers, cached), and that filesystem as a display tree built with the layers feature's
 * tree model. Pure functions and module caches, no React.
 *
 * View state (expanded, focused, filter, sort, "show deleted") stays in the components
 * (STYLE #12): the tree built here is keyed by path so that state survives slider moves.
 */
import { mergeLayers, mergeSteps, type DeletedPath, type MergedColumns, type MergedEntry, type MergedFilesystem, type MergeWarning } from "../../core/filetree";
import type { PackedEntries } from "../../core/pipeline/pack";
import { mergedTreeOfColumns } from "./columnsTree";
import { MergedNodeBase, asEntry } from "./nodes";
import type { LayerEntry, LayerIndex } from "../../core/pipeline/types";
import type { LayerJobState } from "../../lib/layers/types";
import { trust, untrustedReason } from "../layers/model";
import { keepNewest, sameElements } from "../../lib/collections";
import { finishTreeSteps, type FileTree, type TreeNode, type UnfinishedNode } from "../layers/tree";
import { ITEMS_PER_STEP, runSteps, type Steps } from "../../core/steps";

/** A layer with no result yet (running, failed, cancelled) merges as an empty layer. */
const NO_ENTRIES: readonly LayerEntry[] = Object.freeze([]);

type LayersMemo = { readonly results: readonly (LayerIndex | undefined)[]; readonly layers: readonly (readonly LayerEntry[])[] }[];
/** Recent results → layers pairs, filed under their first result (so nothing outlives the results). */
const recentLayers = new WeakMap<LayerIndex, LayersMemo>();
const KEEP_LAYER_ARRAYS = 4;
/**
 * Before any layer has a result: one array of empty layers per layer count. Without it every
 * progress snapshot (10 a second per layer) made a new array, and the pictures' analysis, keyed
 * by the array, restarted the filetree worker each time while the layers were being read.
 */
const noResults = new Map<number, readonly (readonly LayerEntry[])[]>();

/**
 * Each layer's entries, base first; layers without a result are empty. The same array object for
 * the same result objects (whoever asks), so the merges and the analysis cached per array
 * (mergedAt, analysis.ts) are shared by the merged view, the efficiency panel and the pictures.
 */
export function layerEntries(results: readonly (LayerIndex | undefined)[]): readonly (readonly LayerEntry[])[] {
  const first = results.find((r) => r !== undefined);
  if (first === undefined) {
    let empty = noResults.get(results.length);
    if (!empty) {
      empty = Object.freeze(results.map(() => NO_ENTRIES));
      noResults.set(results.length, empty);
    }
    return empty;
  }
  const memo = first === undefined ? undefined : (recentLayers.get(first) ?? []);
  const hit = memo?.find((r) => sameElements(r.results, results));
  if (hit) return hit.layers;
  const layers = results.map((r) => r?.entries ?? NO_ENTRIES);
  if (first !== undefined && memo) {
    memo.unshift({ results: [...results], layers });
    memo.length = Math.min(memo.length, KEEP_LAYER_ARRAYS);
    recentLayers.set(first, memo);
  }
  return layers;
}

/** Why the merged view is not the whole image yet, per layer (0-based), or empty when it is. */
export interface Completeness {
  /** Layers still queued or downloading. */
  readonly running: readonly number[];
  /** Layers that failed or were cancelled without a result. */
  readonly missing: readonly number[];
  /** Layers whose result stopped early (only part of their entries). */
  readonly partial: readonly number[];
  /** Layers whose result must not be trusted, with the reason in words. */
  readonly untrusted: readonly { readonly layer: number; readonly reason: string }[];
}

export function completeness(states: readonly LayerJobState[]): Completeness {
  const running: number[] = [];
  const missing: number[] = [];
  const partial: number[] = [];
  const untrusted: { layer: number; reason: string }[] = [];
  for (const s of states) {
    const stage = s.progress.stage;
    if (!s.result) {
      if (stage === "queued" || stage === "downloading") running.push(s.layerIndex);
      else missing.push(s.layerIndex);
    } else if (s.result.partial) partial.push(s.layerIndex);
    if (trust(s) === "untrusted") untrusted.push({ layer: s.layerIndex, reason: untrustedReason(s) });
  }
  return { running, missing, partial, untrusted };
}

/** "1", "1 and 3", "1, 2 and 4" — 1-based, as the layers list numbers them. */
export function layerList(layers: readonly number[]): string {
  const n = layers.map((i) => String(i + 1));
  if (n.length <= 1) return n.join("");
  return `${n.slice(0, -1).join(", ")} and ${n[n.length - 1] ?? ""}`;
}

// ---------------------------------------------------------------------------------------------
// Merging, cached

/** Merges slower than this are debounced while the slider moves (the brief's 100 ms). */
export const SLOW_MERGE_MS = 100;

/** Merged filesystems kept per set of layers: sliding back and forth between a few is instant. */
const KEEP_PER_LAYERS = 4;

interface MergeCache {
  readonly byUpTo: Map<number, MergedFilesystem>;
  /** How long the last merge of these layers took, in ms. */
  lastMs: number;
}

const merges = new WeakMap<readonly (readonly LayerEntry[])[], MergeCache>();

const now = (): number => globalThis.performance?.now() ?? Date.now();

/**
 * The filesystem as of layer `upTo` (0-based, inclusive), merged once per `layers` array and
 * `upTo`, and kept while that array is. Pass the same array object for the same results (see
 * {@link layerEntries} and a stable holder), or every call merges again.
 */
export function mergedAt(layers: readonly (readonly LayerEntry[])[], upTo: number): MergedFilesystem {
  const hit = cachedMerge(layers, upTo);
  if (hit) return hit;
  const start = now();
  const fs = mergeLayers(layers, upTo);
  keepMerge(layers, upTo, fs, now() - start);
  return fs;
}

/** The cached merge of `layers` as of `upTo`, if there is one (most recently used, then). */
function cachedMerge(layers: readonly (readonly LayerEntry[])[], upTo: number): MergedFilesystem | undefined {
  const cache = merges.get(layers);
  const hit = cache?.byUpTo.get(upTo);
  if (cache && hit) {
    // Most recently used last.
    cache.byUpTo.delete(upTo);
    cache.byUpTo.set(upTo, hit);
  }
  return hit;
}

function keepMerge(layers: readonly (readonly LayerEntry[])[], upTo: number, fs: MergedFilesystem, ms: number): void {
  let cache = merges.get(layers);
  if (!cache) {
    cache = { byUpTo: new Map(), lastMs: 0 };
    merges.set(layers, cache);
  }
  cache.lastMs = ms;
  cache.byUpTo.set(upTo, fs);
  keepNewest(cache.byUpTo, KEEP_PER_LAYERS);
}

/** How long the latest merge of `layers` took (ms), or 0 before any. */
export function lastMergeMs(layers: readonly (readonly LayerEntry[])[]): number {
  return merges.get(layers)?.lastMs ?? 0;
}

// ---------------------------------------------------------------------------------------------
// The display tree

/** What a row of the merged tree stands for. */
export type MergedRow =
  | { readonly kind: "present"; readonly entry: MergedEntry }
  | { readonly kind: "deleted"; readonly deleted: DeletedPath };

/** The rows of a merged tree by node key (the path), read from the merged filesystem when asked. */
export interface MergedRows {
  get(key: string): MergedRow | undefined;
  has(key: string): boolean;
  /** Every key that has a row (present paths, then deleted ones when shown). */
  keys(): IterableIterator<string>;
}

export interface MergedTree {
  readonly tree: FileTree;
  /** By node key (the path). Nodes not here are directories implied only by deleted paths. */
  readonly rows: MergedRows;
  readonly presentCount: number;
  readonly deletedCount: number;
}

/** "a/b/c" → "c". */
const baseName = (path: string): string => path.slice(path.lastIndexOf("/") + 1);

/**
 * A node of the merged tree. Built straight from the merged filesystem: the node is the only
 * object made per path (a million paths made four more each, and a map entry, before), and its
 * `entry` (for the row's icon) is made when a row asks for it.
 */
class MergedNode extends MergedNodeBase implements TreeNode, UnfinishedNode {
  readonly name: string;
  parent: MergedNode | undefined = undefined;
  readonly children: MergedNode[] = [];
  depth = 0;
  size = 0;
  descendants = 0;
  index = -1;
  isDir: boolean;
  private made: LayerEntry | undefined;
  constructor(
    readonly key: string,
    /** What the row shows: the present entry, the deleted path, or nothing (a directory implied by deleted paths). */
    readonly source: MergedEntry | DeletedPath | undefined,
    readonly deleted: boolean,
  ) {
    super();
    this.name = baseName(key);
    this.isDir = source === undefined || (deleted ? (source as DeletedPath).last.type === "dir" : (source as MergedEntry).version.type === "dir");
  }
  get path(): string {
    return this.key;
  }
  get entry(): LayerEntry | undefined {
    const s = this.source;
    if (s === undefined) return undefined;
    if (this.deleted) return (this.made ??= asEntry(this.key, (s as DeletedPath).last, 0));
    const v = (s as MergedEntry).version;
    return (this.made ??= asEntry(this.key, v, v.type === "dir" ? 0 : v.size));
  }
}

/**
 * The merged filesystem as a tree; with `showDeleted`, deleted paths are nodes too (size 0, so
 * directory totals count only what is present). A deleted path that a higher layer wrote again
 * is present, and shown once, as present.
 *
 * Cost: one node per path, a map of the directories only, and a parent lookup that tar order
 * mostly answers with the previous entry's parent: about 0.2 s for a million paths in Node 20,
 * where the generic buildFileTree over entries made for it took 2.5 s.
 */
export function buildMergedTree(fs: MergedFilesystem, showDeleted: boolean): MergedTree {
  return runSteps(buildMergedTreeSteps(fs, showDeleted));
}

/** {@link buildMergedTree} as steps (core/steps.ts), to run in slices on the page. */
export function* buildMergedTreeSteps(fs: MergedFilesystem, showDeleted: boolean): Steps<MergedTree> {
  const all: MergedNode[] = [];
  /** Nodes that may have children, by path; other nodes are looked up only when something hangs under them. */
  const dirs = new Map<string, MergedNode>();
  for (const [path, entry] of fs.entries) {
    if (all.length % ITEMS_PER_STEP === ITEMS_PER_STEP - 1) yield;
    if (path === "" || path === ".") continue;
    const node = new MergedNode(path, entry, false);
    all.push(node);
    if (node.isDir) dirs.set(path, node);
  }
  const presentCount = all.length;
  if (showDeleted) {
    for (const [path, deleted] of fs.deleted) {
      if (path === "" || path === "." || fs.entries.has(path)) continue;
      const node = new MergedNode(path, deleted, true);
      all.push(node);
      if (node.isDir) dirs.set(path, node);
    }
  }
  const deletedCount = all.length - presentCount;

  let others: Map<string, MergedNode> | undefined;
  const roots: MergedNode[] = [];
  /** The node at `path`, creating a directory implied by deleted paths when there is none. */
  const nodeAt = (path: string): MergedNode => {
    const dir = dirs.get(path);
    if (dir) return dir;
    // A non-directory with paths under it (deleted ones under a present file): rare, so its map is made on demand.
    if (!others) {
      others = new Map();
      for (const n of all) if (!n.isDir) others.set(n.key, n);
    }
    const other = others.get(path);
    if (other) return other;
    const implied = new MergedNode(path, undefined, false);
    dirs.set(path, implied);
    attach(implied);
    return implied;
  };
  let lastParentPath = "";
  let lastParent: MergedNode | undefined;
  const attach = (node: MergedNode): void => {
    const path = node.key;
    const slash = path.lastIndexOf("/");
    if (slash < 0) {
      roots.push(node);
      return;
    }
    // Tar order keeps a directory's entries together: most entries share the previous one's parent.
    let parent: MergedNode;
    if (lastParent !== undefined && slash === lastParentPath.length && path.startsWith(lastParentPath)) parent = lastParent;
    else {
      const parentPath = path.slice(0, slash);
      parent = nodeAt(parentPath); // may attach implied directories, which moves the cache
      lastParentPath = parentPath;
      lastParent = parent;
    }
    node.parent = parent;
    parent.children.push(node);
    parent.isDir = true;
  };
  for (let i = 0; i < all.length; i++) {
    if (i % ITEMS_PER_STEP === ITEMS_PER_STEP - 1) yield;
    attach(all[i] as MergedNode);
  }
  const tree = yield* finishTreeSteps(roots, (n) => (n.deleted || n.source === undefined ? 0 : (n.source as MergedEntry).version.type === "dir" ? 0 : (n.source as MergedEntry).version.size));
  return { tree, rows: rowsOf(fs, showDeleted), presentCount, deletedCount };
}

/** The rows of the merged tree, looked up in `fs` (no map of a million rows made in advance). */
function rowsOf(fs: MergedFilesystem, showDeleted: boolean): MergedRows {
  const shown = (path: string): boolean => path !== "" && path !== ".";
  return {
    get(key) {
      if (!shown(key)) return undefined;
      const entry = fs.entries.get(key);
      if (entry) return { kind: "present", entry };
      const deleted = showDeleted ? fs.deleted.get(key) : undefined;
      return deleted ? { kind: "deleted", deleted } : undefined;
    },
    has(key) {
      return shown(key) && (fs.entries.has(key) || (showDeleted && fs.deleted.has(key)));
    },
    *keys() {
      for (const key of fs.entries.keys()) if (shown(key)) yield key;
      if (showDeleted) for (const key of fs.deleted.keys()) if (shown(key) && !fs.entries.has(key)) yield key;
    },
  };
}

const trees = new WeakMap<MergedFilesystem, { plain?: MergedTree; withDeleted?: MergedTree }>();

/** {@link buildMergedTree}, cached per merged filesystem object. */
export function mergedTreeFor(fs: MergedFilesystem, showDeleted: boolean): MergedTree {
  return cachedTree(fs, showDeleted) ?? keepTree(fs, showDeleted, buildMergedTree(fs, showDeleted));
}

function cachedTree(fs: MergedFilesystem, showDeleted: boolean): MergedTree | undefined {
  const slot = trees.get(fs);
  return showDeleted ? slot?.withDeleted : slot?.plain;
}

function keepTree(fs: MergedFilesystem, showDeleted: boolean, tree: MergedTree): MergedTree {
  let slot = trees.get(fs);
  if (!slot) {
    slot = {};
    trees.set(fs, slot);
  }
  if (showDeleted) slot.withDeleted = tree;
  else slot.plain = tree;
  return tree;
}

/** The merged filesystem's figures the view's header shows. */
export interface MergedSummary {
  /** Paths in the merged filesystem (its `entries.size`). */
  readonly paths: number;
  /** Bytes of its non-directories ({@link presentBytes}). */
  readonly bytes: number;
  /** Paths deleted on the way (its `deleted.size`), shown or not. */
  readonly deleted: number;
  readonly warnings: readonly MergeWarning[];
}

/**
 * What the merged view shows: the merged filesystem's figures and its tree, and the filesystem
 * itself for the export. A view made from columns (big images, see useMergedView) has no
 * filesystem object until the export asks for one: `fs()` then merges (once, cached).
 */
export interface MergedView {
  readonly summary: MergedSummary;
  readonly merged: MergedTree;
  fs(): MergedFilesystem;
}

const summaryOf = (fs: MergedFilesystem): MergedSummary => ({ paths: fs.entries.size, bytes: presentBytes(fs), deleted: fs.deleted.size, warnings: fs.warnings });

const views = new WeakMap<MergedTree, MergedView>();

/** The view of an object merge and its tree (one object per tree, so renders see the same view). */
function objectView(fs: MergedFilesystem, merged: MergedTree): MergedView {
  let view = views.get(merged);
  if (!view) {
    view = { summary: summaryOf(fs), merged, fs: () => fs };
    views.set(merged, view);
  }
  return view;
}

/** The view if both parts are cached (no work), else undefined. */
export function cachedView(layers: readonly (readonly LayerEntry[])[], upTo: number, showDeleted: boolean): MergedView | undefined {
  const fs = cachedMerge(layers, upTo);
  const merged = fs && cachedTree(fs, showDeleted);
  return fs && merged ? objectView(fs, merged) : undefined;
}

/** The view now, from the caches or computed in full (for small images: see lib/filetree/client.ts MERGE_IN_WORKER_ABOVE_ENTRIES). */
export function viewNow(layers: readonly (readonly LayerEntry[])[], upTo: number, showDeleted: boolean): MergedView {
  const fs = mergedAt(layers, upTo);
  return objectView(fs, mergedTreeFor(fs, showDeleted));
}

/**
 * The view of columns merged in the filetree worker (core/filetree/columns.ts) from `packed`, the
 * packed forms of `layers`: its tree makes nodes as they are shown; `fs()` merges the objects
 * (mergedAt, cached) only when the export asks.
 */
export function columnsView(cols: MergedColumns, packed: readonly PackedEntries[], layers: readonly (readonly LayerEntry[])[]): MergedView {
  const summary: MergedSummary = { paths: cols.mergedPaths, bytes: cols.presentBytes, deleted: cols.deletedPaths, warnings: cols.warnings };
  return { summary, merged: mergedTreeOfColumns(cols, packed), fs: () => mergedAt(layers, cols.upTo) };
}

/**
 * The view as steps (core/steps.ts), for the page to run in slices: what is cached is reused,
 * what is computed is cached, as {@link viewNow} does.
 */
export function* viewSteps(layers: readonly (readonly LayerEntry[])[], upTo: number, showDeleted: boolean): Steps<MergedView> {
  let fs = cachedMerge(layers, upTo);
  if (!fs) {
    const start = now();
    fs = yield* mergeSteps(layers, upTo);
    keepMerge(layers, upTo, fs, now() - start);
  }
  const merged = cachedTree(fs, showDeleted) ?? keepTree(fs, showDeleted, yield* buildMergedTreeSteps(fs, showDeleted));
  return objectView(fs, merged);
}


/** Total bytes of regular files in the merged filesystem (what `docker run` would see). */
export function presentBytes(fs: MergedFilesystem): number {
  let total = 0;
  for (const e of fs.entries.values()) if (e.version.type !== "dir") total += e.version.size;
  return total;
}
