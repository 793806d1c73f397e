/**
 * The overlay merge and its display tree as columns: the same answer as `mergeLayersExactly`
 * (merge.ts) followed by the merged view's `buildMergedTree` (features/merged/model.ts), computed
 * straight from the packed layers (pipeline/pack.ts `PackedEntries`) with typed arrays and no
 * object or string per entry. Built for the filetree worker: a million-entry layer is one pass
 * over its packed text, and what crosses to the page is a dozen transferable buffers.
 *
 * How it works:
 * - Every distinct path gets an id in a path table, whose paths are (layer, start, length) ranges of
 *   the layers' own `text`. A path's parent is the path up to its last "/" (merge.ts `parentOf`),
 *   interned on the way, so the ids of a path's ancestors are one array read each. Each path has
 *   a table of its children (open addressing, FNV-1a over the UTF-16 code units of the child's
 *   path after its parent's), so a tar's run of one directory's entries probes one small table
 *   that stays in the cache, where one table of every path was a cache and TLB miss per entry.
 *   Lookups compare code units, so `__proto__` is a plain name and no path string is made unless
 *   a warning needs one (T12).
 * - The merge state lives in columns by id: present / deleted, the winning version as (layer,
 *   entry index), the versions it hides as a persistent linked list (merge.ts copies arrays
 *   `[version, ...hides]`; sharing tails is the same list), and each present directory's
 *   children as an intrusive linked list (merge.ts's children index). merge.ts's rules are
 *   followed step by step, in the same order, so the warnings come out in the same order.
 * - The tree: the ids to show (present paths, and deleted ones when asked, never "" or "."), the
 *   directories implied by them, numbered in pre-order with siblings by name; sizes and descendant
 *   counts bottom-up (features/layers/tree.ts `finishTreeSteps`). A tar written by walking sorted
 *   directories interns its paths in exactly that order, which one pass checks and takes as it is;
 *   otherwise children are grouped by parent, sorted (a group in order costs one comparison per
 *   child) and walked. Columns are written only where they are not 0: first writes to fresh
 *   memory fault pages in, about 3 µs per 4 KiB page here, a sizeable part of a million-entry merge.
 *
 * Differences from the object merge, by design: the columns hold the tree's nodes, not the merged
 * Maps, so a present path "." (only possible from non-normalised input; it is not a row) has no
 * node, and deleted paths are carried only when `showDeleted`. Map insertion order (which
 * mergeLayers' `entries` and `deleted` have and nothing displays) is not kept; the tree order is.
 */
import type { PackedEntries } from "../pipeline/pack";
import type { EntryType } from "../pipeline/types";
import { IMPLIED_DIR_MODE, hardlinkTargetPath } from "./merge";
import type { DeletedPath, MergeWarning, PathVersion } from "./types";
import { ITEMS_PER_STEP, runSteps, type Steps } from "../steps";

/** What a node of the merged tree stands for (the `kind` column). */
export const NODE_PRESENT = 0;
/** A present directory no layer wrote (implied by deeper paths; merge.ts `impliedDir`). */
export const NODE_IMPLIED = 1;
/** A path removed by a whiteout, an opaque marker or a non-directory (shown with `showDeleted`). */
export const NODE_DELETED = 2;
/** A directory the tree needs above deleted paths (or above "." / "" paths), with no version of its own. */
export const NODE_UNDER_DELETED = 3;
export type NodeKind = typeof NODE_PRESENT | typeof NODE_IMPLIED | typeof NODE_DELETED | typeof NODE_UNDER_DELETED;

/** The `how` column's values, by index: how a deleted node was removed (DeletedPath["how"]). */
export const HOW: readonly DeletedPath["how"][] = ["whiteout", "opaque", "replaced-by-non-directory"];

/**
 * The merged filesystem as of `upTo` and its display tree, one row per node, in the tree's
 * pre-order (siblings by name in UTF-16 code-unit order): node `i`'s subtree is `i … i +
 * descendants[i]`, its first child is `i + 1`, its next sibling `i + descendants[i] + 1`.
 * Versions are (layer, entry index in that layer's packed entries); -1 entry is an implied
 * directory (mode 0o755, owner 0, written by no layer). Plain data: every column is a typed array
 * (transfer them with {@link columnsBuffers}); `texts` are the layers' own `text` strings, which
 * the page already holds with the packed layers.
 */
export interface MergedColumns {
  /** The top layer applied (clamped as mergeLayers clamps it). */
  readonly upTo: number;
  readonly showDeleted: boolean;
  /** Number of nodes. */
  readonly count: number;
  /** Each layer's packed `text`, by layer: where node paths are read from. */
  readonly texts: readonly string[];
  /** Parent node, -1 at the top level. */
  readonly parent: Int32Array;
  /** 0 at the top level. */
  readonly depth: Int32Array;
  readonly descendants: Int32Array;
  /** Bytes: a file's size; a directory's (or anything with children) the sum of its descendants'; deleted nodes 0. */
  readonly size: Float64Array;
  /** {@link NodeKind} per node. */
  readonly kind: Uint8Array;
  /** 1 for directories and anything with children. */
  readonly isDir: Uint8Array;
  /** The version's layer: the winner's, an implied directory's, a deleted node's last; -1 under deleted. */
  readonly layer: Int32Array;
  /** The version's entry in that layer's packed entries; -1 for implied directories and NODE_UNDER_DELETED. */
  readonly entry: Int32Array;
  /** Deleted nodes: the layer whose marker removed them; 0 for the others (not read). */
  readonly removedBy: Int32Array;
  /** Deleted nodes: the marker's entry in layer `removedBy` (the non-directory's own entry for "replaced-by-non-directory"); 0 for the others. */
  readonly marker: Int32Array;
  /** Deleted nodes: index into {@link HOW}. */
  readonly how: Uint8Array;
  /**
   * Lower versions each node hides (a deleted node: the versions before its last), highest layer
   * first, as CSR: node i's are `hidesLayer/hidesEntry[hidesStart[i] … hidesStart[i + 1])`.
   */
  readonly hidesStart: Int32Array;
  readonly hidesLayer: Int32Array;
  readonly hidesEntry: Int32Array;
  /** The node's path: an id in {@link MergedColumns.paths}. */
  readonly pathId: Int32Array;
  /** Every path the merge met (rows or not), by id; see {@link PathTable}. */
  readonly paths: PathTable;
  /** Sum of the top-level nodes' sizes. */
  readonly totalSize: number;
  /** The merge's warnings, as mergeLayers gives them (same content, same order). */
  readonly warnings: readonly MergeWarning[];
  /** Present nodes (merged paths that are rows), and deleted nodes shown. */
  readonly presentCount: number;
  readonly deletedCount: number;
  /**
   * The merged filesystem's own figures, whatever the tree shows: its paths (mergeLayers'
   * `entries.size`, "" and "." included), its deleted paths (`deleted.size`, shown or not), and
   * the bytes of its non-directories (features/merged/model.ts `presentBytes`).
   */
  readonly mergedPaths: number;
  readonly deletedPaths: number;
  readonly presentBytes: number;
}

/**
 * The merge's paths by id: path `id` is `texts[text[id]].slice(start[id], start[id] + length[id])`
 * (text -1: the root path "", id 0), its name starts at `nameOffset[id]` within it, and
 * `node[id]` is the path's node, or -1 when it is not a row. Path `id`'s children are found by
 * their key, their path after `id`'s ("/b" under "a", "a" and "/a" under the root), in its child
 * table: `childSlots[id]` slots (a power of two; 0: no children) from slot `childAt[id]` of
 * `slots`, linear probing, two Int32s per slot: the child's id + 1 (0: empty) and its key's hash.
 */
export interface PathTable {
  readonly text: Int32Array;
  readonly start: Int32Array;
  readonly length: Int32Array;
  readonly nameOffset: Int32Array;
  readonly childAt: Int32Array;
  readonly childSlots: Int32Array;
  readonly slots: Int32Array;
  readonly node: Int32Array;
}

/** What a path lookup reads: the merge's tables while it runs, a PathTable after. */
interface PathIndex {
  readonly texts: readonly string[];
  /** The path's text (-1: the root). */
  readonly src: Int32Array;
  readonly start: Int32Array;
  readonly len: Int32Array;
  readonly childAt: Int32Array;
  readonly childSlots: Int32Array;
  readonly slots: Int32Array;
}

// ---------------------------------------------------------------------------------------------
// Hashing

const FNV_BASIS = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;

/** FNV-1a over UTF-16 code units: the hash of a child table's key. */
function hashRange(s: string, start: number, length: number): number {
  let h = FNV_BASIS;
  for (let k = start, end = start + length; k < end; k++) h = Math.imul(h ^ s.charCodeAt(k), FNV_PRIME);
  return h;
}

/** FNV's low bits are weak on similar keys: mix before masking. */
function slotOf(h: number, mask: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h & mask;
}

function sameRange(a: string, as: number, b: string, bs: number, length: number): boolean {
  if (a === b && as === bs) return true;
  for (let k = 0; k < length; k++) if (a.charCodeAt(as + k) !== b.charCodeAt(bs + k)) return false;
  return true;
}

const SLASH = 0x2f;
const DOT = 0x2e;

/** The root: the path "", id 0. */
const ROOT = 0;

/** The child of `parent` whose key (its path after the parent's) is `t[s … s + length)` with hash `h`, or -1. */
function childOf(ix: PathIndex, parent: number, h: number, t: string, s: number, length: number): number {
  const n = ix.childSlots[parent]!;
  if (n === 0) return -1;
  const base = ix.childAt[parent]!;
  const mask = n - 1;
  const plen = ix.len[parent]!;
  const slots = ix.slots;
  for (let k = slotOf(h, mask); ; k = (k + 1) & mask) {
    const at = 2 * (base + k);
    const v = slots[at]!;
    if (v === 0) return -1;
    if (slots[at + 1] !== h) continue;
    const id = v - 1;
    if (ix.len[id]! - plen === length && sameRange(ix.texts[ix.src[id]!] ?? "", ix.start[id]! + plen, t, s, length)) return id;
  }
}

/**
 * The id of the path `t[s … s + length)`, walked from the root, one key per "/" (a leading "/"
 * makes the first key "/x", under the prefix "", the root). A missing path is -1, or with
 * `make`, made: `make(parent, h, from, end)` adds the prefix `t[s … s + end)`, whose key
 * `t[s + from … s + end)` has hash `h`, and returns its id. Iterative: paths may be 32 768 levels
 * deep (T11).
 */
function walkPath(ix: PathIndex, t: string, s: number, length: number, make?: (parent: number, h: number, from: number, end: number) => number): number {
  let at = ROOT;
  let from = 0;
  for (let k = 0; k <= length; k++) {
    if (k < length && t.charCodeAt(s + k) !== SLASH) continue;
    if (k === 0) continue; // the prefix "" is the root
    const h = hashRange(t, s + from, k - from);
    let next = childOf(ix, at, h, t, s + from, k - from);
    if (next < 0) {
      if (make === undefined) return -1;
      next = make(at, h, from, k);
    }
    at = next;
    from = k;
  }
  return at;
}

/** The id of `path`, or -1 when the table has no such path. */
const findPath = (ix: PathIndex, path: string): number => walkPath(ix, path, 0, path.length);

/** A directory's first child table has this many slots; it doubles when two thirds full. */
const FIRST_CHILD_SLOTS = 8;

// ---------------------------------------------------------------------------------------------
// One packed layer, read for the merge

const T_OTHER = 0;
const T_DIR = 1;
const T_SYMLINK = 2;
const T_HARDLINK = 3;
const W_NONE = 0;
const W_WHITEOUT = 1;
const W_OPAQUE = 2;
const W_BAD = 3;

const typeCode = (t: string): number => (t === "dir" ? T_DIR : t === "symlink" ? T_SYMLINK : t === "hardlink" ? T_HARDLINK : T_OTHER);
const whiteoutCode = (w: string): number => (w === "whiteout" ? W_WHITEOUT : w === "opaque" ? W_OPAQUE : w === "bad" ? W_BAD : W_NONE);

/** Names in pack.ts's `names` columns per entry (type, typeflag, whiteout, uname, gname). */
const NAMES = 5;

/**
 * What the merge reads of a packed layer: the path text and its lengths, the flags, the sizes,
 * and of each entry's five names (pack.ts `names`) its type and whiteout, coded in one byte. The
 * merged view's worker is sent only these (the owners, modes, times and offsets are read on the
 * page, by {@link packedVersion}): about half of the packed layer, a fifth of it the names.
 */
export type MergeSource = Pick<PackedEntries, "n" | "text" | "pathLen" | "linkLen" | "targetLen" | "flags" | "size"> & {
  /** Per entry: its type's code | its whiteout's code << 2 (T_* and W_* below). */
  readonly kinds: Uint8Array;
};

/** The text-related columns, which a packed layer and a merge source share. */
type TextColumns = Pick<PackedEntries, "n" | "pathLen" | "linkLen" | "targetLen">;

const sources = new WeakMap<PackedEntries, MergeSource>();

/** A packed layer's {@link MergeSource} (its own columns, and the kinds made once per packed layer); a merge source as it is. */
export function mergeSourceOf(p: PackedEntries | MergeSource): MergeSource {
  if ("kinds" in p) return p;
  const known = sources.get(p);
  if (known) return known;
  const codes = new Uint8Array(p.dict.length);
  for (let k = 0; k < p.dict.length; k++) codes[k] = typeCode(p.dict[k]!) | (whiteoutCode(p.dict[k]!) << 2);
  const kinds = new Uint8Array(p.n);
  const names = p.names;
  for (let i = 0, o = 0; i < p.n; i++, o += NAMES) {
    // The type's code from its name, the whiteout's from its own: one table, two lookups.
    const kind = (codes[names[o]!]! & 3) | (codes[names[o + 2]!]! & 12);
    if (kind !== 0) kinds[i] = kind; // a fresh page stays unfaulted (see treeOf)
  }
  const source: MergeSource = { n: p.n, text: p.text, pathLen: p.pathLen, linkLen: p.linkLen, targetLen: p.targetLen, flags: p.flags, size: p.size, kinds };
  sources.set(p, source);
  return source;
}

const textStartsOf = new WeakMap<TextColumns, Int32Array>();

/** Where each entry's path starts in `p.text` (its link name and whiteout target follow it). Cached per packed form. */
export function entryTextStarts(p: TextColumns): Int32Array {
  let starts = textStartsOf.get(p);
  if (starts) return starts;
  starts = new Int32Array(p.n);
  let at = 0;
  for (let i = 0; i < p.n; i++) {
    starts[i] = at;
    const ll = p.linkLen[i]!;
    const tl = p.targetLen[i]!;
    at += p.pathLen[i]! + (ll > 0 ? ll : 0) + (tl > 0 ? tl : 0);
  }
  textStartsOf.set(p, starts);
  return starts;
}

/** The entry's link name, or undefined. */
function linknameOf(p: TextColumns & Pick<PackedEntries, "text">, starts: Int32Array, i: number): string | undefined {
  const ll = p.linkLen[i]!;
  if (ll < 0) return undefined;
  const at = starts[i]! + p.pathLen[i]!;
  return p.text.slice(at, at + ll);
}

/**
 * A version as merge.ts's `versionOf` makes it, from packed entry `entry` of layer `layer` (-1:
 * the implied directory merge.ts's `impliedDir(layer)` makes). For the page's details pane.
 */
export function packedVersion(p: PackedEntries | undefined, layer: number, entry: number): PathVersion {
  if (entry < 0 || p === undefined) return { layer, type: "dir", size: 0, mode: IMPLIED_DIR_MODE, uid: 0, gid: 0, mtime: 0 };
  const o = entry * NAMES;
  const v: { -readonly [K in keyof PathVersion]: PathVersion[K] } = {
    layer,
    type: p.dict[p.names[o]!] as EntryType,
    size: p.size[entry]!,
    mode: p.mode[entry]!,
    uid: p.uid[entry]!,
    gid: p.gid[entry]!,
    mtime: p.mtime[entry]!,
  };
  const linkname = linknameOf(p, entryTextStarts(p), entry);
  if (linkname !== undefined) v.linkname = linkname;
  const uname = p.dict[p.names[o + 3]!];
  const gname = p.dict[p.names[o + 4]!];
  if (uname) v.uname = uname;
  if (gname) v.gname = gname;
  return v;
}

interface LayerView {
  readonly p: MergeSource;
  readonly starts: Int32Array;
  /** {@link MergeSource.kinds}: `& 3` the type, `>> 2` the whiteout. */
  readonly kinds: Uint8Array;
  /** 1 for entries flagged "unsafe-path" (kept out of the merge, T1). */
  readonly unsafe: Uint8Array;
  /** Path id of every entry. */
  readonly ids: Int32Array;
}

function layerView(p: MergeSource): LayerView {
  const n = p.n;
  const unsafe = new Uint8Array(n);
  for (const [i, flags] of p.flags) if (flags.includes(UNSAFE_FLAG)) unsafe[i] = 1;
  return { p, starts: entryTextStarts(p), kinds: p.kinds, unsafe, ids: new Int32Array(n) };
}

/** The flag the tar stage sets on paths that climb above the layer root (SECURITY T1). */
const UNSAFE_FLAG = "unsafe-path";

// ---------------------------------------------------------------------------------------------
// The merge state, by path id

const ABSENT = 0;
const PRESENT = 1;
const DELETED = 2;

const grow32 = (a: Int32Array, cap: number): Int32Array<ArrayBuffer> => {
  const b = new Int32Array(cap);
  b.set(a);
  return b;
};
const grow8 = (a: Uint8Array, cap: number): Uint8Array<ArrayBuffer> => {
  const b = new Uint8Array(cap);
  b.set(a);
  return b;
};

/** Mutable state of the columnar merge. Internal. */
class Overlay {
  // The path table (a PathIndex): id → path as a range of texts[src], and each path's child table.
  n = 0;
  cap: number;
  src: Int32Array;
  start: Int32Array;
  len: Int32Array;
  /** Where the last component starts in the path (0: no "/"). */
  nameAt: Int32Array;
  /** merge.ts `parentOf`: the id of the path before the last "/" (ROOT, the path "", for none). */
  parent: Int32Array;
  childAt: Int32Array;
  childSlots: Int32Array;
  childCount: Int32Array;
  /** Every child table, each in a range of its own; a table outgrown is left behind. */
  slots: Int32Array;
  /** Slots handed out so far. */
  slotTop = 0;

  // The merge: status, winning version, hidden versions (a record list), children list.
  status: Uint8Array;
  vtype: Uint8Array;
  verLayer: Int32Array;
  verEntry: Int32Array;
  hides: Int32Array;
  /** When the path last entered merge.ts's `nodes` Map: its iteration order, for the hardlink warnings. */
  seq: Int32Array;
  /**
   * Each present path's children, as linked lists (merge.ts's children index). Like that index,
   * made on the first removal that needs it and kept up to date from then on: a merge that
   * removes nothing (a million-entry base layer) never pays for it. Empty arrays until then.
   */
  firstChild = new Int32Array(0);
  nextSib = new Int32Array(0);
  prevSib = new Int32Array(0);
  private childrenReady = false;
  /** Deleted paths: who removed them, with which marker, how. Made on the first removal. */
  removedBy = new Int32Array(0);
  marker = new Int32Array(0);
  how = new Uint8Array(0);
  /** Per-layer map of merge.ts's planLayer: the last entry of a path, as `layerBase + index` (below the layer's base: none). */
  lastEntry: Int32Array;
  // Per-layer sets of applyLayer (own writes, opaque markers, flagged directories) as layer stamps; made when a layer needs them.
  ownStamp = new Int32Array(0);
  markerStamp = new Int32Array(0);
  markerIdx = new Int32Array(0);
  flaggedStamp = new Int32Array(0);

  // Version records: the hides lists (persistent, tails shared). Record 0 is no record: a list
  // ends at 0 and a path that hides nothing has 0, what a fresh column holds, never written.
  recCount = 1;
  recLayer = new Int32Array(1024);
  recEntry = new Int32Array(1024);
  recNext = new Int32Array(1024);

  seqNext = 0;
  knownDir = -1;
  readonly warnings: MergeWarning[] = [];
  private readonly missing: number[] = [];
  // The parent of the last path interned (tar order keeps a directory's entries together).
  private cacheSrc = -1;
  private cacheStart = 0;
  private cacheLen = -1;
  private cacheId = -1;

  constructor(
    readonly texts: readonly string[],
    readonly layers: readonly LayerView[],
    capacity: number,
  ) {
    const cap = Math.max(1024, capacity);
    this.cap = cap;
    this.src = new Int32Array(cap);
    this.start = new Int32Array(cap);
    this.len = new Int32Array(cap);
    this.nameAt = new Int32Array(cap);
    this.parent = new Int32Array(cap);
    this.childAt = new Int32Array(cap);
    this.childSlots = new Int32Array(cap);
    this.childCount = new Int32Array(cap);
    this.status = new Uint8Array(cap);
    this.vtype = new Uint8Array(cap);
    this.verLayer = new Int32Array(cap);
    this.verEntry = new Int32Array(cap);
    this.hides = new Int32Array(cap);
    this.seq = new Int32Array(cap);
    this.lastEntry = new Int32Array(cap).fill(-1);
    // Child tables take two to four slots per path (one to two in use, the rest outgrown), two Int32s each.
    this.slots = new Int32Array(2 * 4 * cap);
    // The root, the path "": never a node, but the parent of top-level paths and of "/x".
    this.n = 1;
    this.src[ROOT] = -1;
    this.parent[ROOT] = -1;
  }

  private grow(): void {
    const cap = this.cap * 2;
    this.cap = cap;
    this.src = grow32(this.src, cap);
    this.start = grow32(this.start, cap);
    this.len = grow32(this.len, cap);
    this.nameAt = grow32(this.nameAt, cap);
    this.parent = grow32(this.parent, cap);
    this.childAt = grow32(this.childAt, cap);
    this.childSlots = grow32(this.childSlots, cap);
    this.childCount = grow32(this.childCount, cap);
    this.status = grow8(this.status, cap);
    this.vtype = grow8(this.vtype, cap);
    this.verLayer = grow32(this.verLayer, cap);
    this.verEntry = grow32(this.verEntry, cap);
    this.hides = grow32(this.hides, cap);
    this.seq = grow32(this.seq, cap);
    const last = this.lastEntry.length;
    this.lastEntry = grow32(this.lastEntry, cap);
    this.lastEntry.fill(-1, last);
    if (this.childrenReady) {
      this.firstChild = grow32(this.firstChild, cap);
      this.nextSib = grow32(this.nextSib, cap);
      this.prevSib = grow32(this.prevSib, cap);
    }
    if (this.removedBy.length > 0) {
      this.removedBy = grow32(this.removedBy, cap);
      this.marker = grow32(this.marker, cap);
      this.how = grow8(this.how, cap);
    }
    if (this.ownStamp.length > 0) this.ownStamp = grow32(this.ownStamp, cap);
    if (this.markerStamp.length > 0) {
      this.markerStamp = grow32(this.markerStamp, cap);
      this.markerIdx = grow32(this.markerIdx, cap);
      this.flaggedStamp = grow32(this.flaggedStamp, cap);
    }
  }

  private textOf(src: number): string {
    return src < 0 ? "" : (this.texts[src] as string);
  }

  /** The id of any string's path, or -1 when no entry has it (nor a path under it). */
  lookup(path: string): number {
    return findPath(this, path);
  }

  /** A new path `texts[src][start … start + length)` under `parent`, its key's hash `h`. */
  private add(h: number, src: number, start: number, length: number, nameAt: number, parent: number): number {
    if (this.n === this.cap) this.grow();
    const id = this.n++;
    if (src !== 0) this.src[id] = src; // fresh columns hold 0 (see present)
    this.start[id] = start;
    this.len[id] = length;
    this.nameAt[id] = nameAt;
    this.parent[id] = parent;
    if (this.childrenReady) this.firstChild[id] = -1;
    let n = this.childSlots[parent]!;
    if (3 * (this.childCount[parent]! + 1) > 2 * n) n = this.growChildren(parent);
    const base = this.childAt[parent]!;
    const mask = n - 1;
    const slots = this.slots;
    let k = slotOf(h, mask);
    while (slots[2 * (base + k)] !== 0) k = (k + 1) & mask;
    slots[2 * (base + k)] = id + 1;
    slots[2 * (base + k) + 1] = h;
    this.childCount[parent]!++;
    return id;
  }

  /** Moves `parent`'s child table to a new range twice its size (or makes its first); returns the new size. */
  private growChildren(parent: number): number {
    const old = this.childSlots[parent]!;
    const oldAt = this.childAt[parent]!;
    const n = old === 0 ? FIRST_CHILD_SLOTS : 4 * old;
    if (2 * (this.slotTop + n) > this.slots.length) this.slots = grow32(this.slots, Math.max(2 * this.slots.length, 2 * (this.slotTop + n)));
    const at = this.slotTop;
    this.slotTop += n;
    const slots = this.slots;
    const mask = n - 1;
    for (let k = 0; k < old; k++) {
      const v = slots[2 * (oldAt + k)]!;
      if (v === 0) continue;
      const h = slots[2 * (oldAt + k) + 1]!;
      let j = slotOf(h, mask);
      while (slots[2 * (at + j)] !== 0) j = (j + 1) & mask;
      slots[2 * (at + j)] = v;
      slots[2 * (at + j) + 1] = h;
    }
    this.childAt[parent] = at;
    this.childSlots[parent] = n;
    return n;
  }

  /** The id of the path `texts[src][s … s + length)`, made (with its ancestors) when new. */
  intern(src: number, s: number, length: number): number {
    if (length === 0) return ROOT;
    const t = this.texts[src] as string;
    let slash = length - 1;
    while (slash >= 0 && t.charCodeAt(s + slash) !== SLASH) slash--;
    let parent: number;
    let from: number; // where the key starts: the parent's length
    if (slash <= 0) {
      // "x", or "/x" under the prefix "", the root.
      parent = ROOT;
      from = 0;
    } else {
      from = slash;
      if (slash === this.cacheLen && sameRange(this.textOf(this.cacheSrc), this.cacheStart, t, s, slash)) parent = this.cacheId;
      else {
        parent = this.internPrefix(src, t, s, slash);
        this.cacheSrc = src;
        this.cacheStart = s;
        this.cacheLen = slash;
        this.cacheId = parent;
      }
    }
    const h = hashRange(t, s + from, length - from);
    const found = childOf(this, parent, h, t, s + from, length - from);
    return found >= 0 ? found : this.add(h, src, s, length, slash + 1, parent);
  }

  /** The id of the prefix `t[s … s + length)`, made with its ancestors when new, from the root down. */
  private internPrefix(src: number, t: string, s: number, length: number): number {
    return walkPath(this, t, s, length, (parent, h, from, end) => this.add(h, src, s, end, t.charCodeAt(s + from) === SLASH ? from + 1 : 0, parent));
  }

  pathOf(id: number): string {
    const s = this.start[id]!;
    return this.textOf(this.src[id]!).slice(s, s + this.len[id]!);
  }

  private entryPath(layer: number, entry: number): string {
    const v = this.layers[layer] as LayerView;
    const s = v.starts[entry]!;
    return v.p.text.slice(s, s + v.p.pathLen[entry]!);
  }

  private pushRec(layer: number, entry: number, next: number): number {
    if (this.recCount === this.recLayer.length) {
      const cap = this.recCount * 2;
      this.recLayer = grow32(this.recLayer, cap);
      this.recEntry = grow32(this.recEntry, cap);
      this.recNext = grow32(this.recNext, cap);
    }
    const r = this.recCount++;
    this.recLayer[r] = layer;
    this.recEntry[r] = entry;
    this.recNext[r] = next;
    return r;
  }

  /** Makes the children lists from the present paths (merge.ts `children`), once. */
  private ensureChildren(): void {
    if (this.childrenReady) return;
    this.childrenReady = true;
    this.firstChild = new Int32Array(this.cap).fill(-1);
    this.nextSib = new Int32Array(this.cap);
    this.prevSib = new Int32Array(this.cap);
    for (let id = 0; id < this.n; id++) if (this.status[id] === PRESENT) this.link(id);
  }

  private ensureDeletions(): void {
    if (this.removedBy.length > 0) return;
    this.removedBy = new Int32Array(this.cap);
    this.marker = new Int32Array(this.cap);
    this.how = new Uint8Array(this.cap);
  }

  private link(id: number): void {
    if (!this.childrenReady) return; // made from `status` when first needed
    const p = this.parent[id]!;
    const first = this.firstChild[p]!;
    this.nextSib[id] = first;
    this.prevSib[id] = -1;
    if (first >= 0) this.prevSib[first] = id;
    this.firstChild[p] = id;
  }

  private unlink(id: number): void {
    const prev = this.prevSib[id]!;
    const next = this.nextSib[id]!;
    if (prev >= 0) this.nextSib[prev] = next;
    else this.firstChild[this.parent[id]!] = next;
    if (next >= 0) this.prevSib[next] = prev;
  }

  private childrenOf(id: number): number[] {
    this.ensureChildren();
    const kids: number[] = [];
    for (let c = this.firstChild[id]!; c >= 0; c = this.nextSib[c]!) kids.push(c);
    return kids;
  }

  /** merge.ts `takeHistory`: a deleted path's versions before removal, as hides for its new version. */
  private takeHistory(id: number): number {
    if (this.status[id] !== DELETED) return 0;
    return this.pushRec(this.verLayer[id]!, this.verEntry[id]!, this.hides[id]!);
  }

  private present(id: number, layer: number, entry: number, type: number, hides: number): void {
    this.status[id] = PRESENT;
    // Layers apply in order, so while layer 0 applies every version's layer is still 0 (as are
    // fresh columns): not writing zeros leaves those pages unfaulted (see treeOf).
    if (layer !== 0) this.verLayer[id] = layer;
    this.verEntry[id] = entry;
    if (type !== 0 || this.vtype[id] !== 0) this.vtype[id] = type;
    if (hides !== 0 || this.hides[id] !== 0) this.hides[id] = hides;
    this.seq[id] = this.seqNext++;
    this.link(id);
  }

  /** merge.ts `removeTree`. */
  removeTree(id: number, layer: number, marker: number, how: number): void {
    if (this.status[id] !== PRESENT) return;
    this.knownDir = -1;
    this.ensureChildren();
    this.ensureDeletions();
    this.unlink(id);
    const stack: number[] = [id];
    while (stack.length > 0) {
      const p = stack.pop() as number;
      if (this.status[p] !== PRESENT) continue;
      this.status[p] = ABSENT;
      for (let c = this.firstChild[p]!; c >= 0; c = this.nextSib[c]!) stack.push(c);
      this.firstChild[p] = -1;
      if (this.verEntry[p]! < 0) continue; // implied: nothing to show as deleted, only its contents
      this.status[p] = DELETED;
      this.removedBy[p] = layer;
      this.marker[p] = marker;
      this.how[p] = how;
    }
  }

  /** merge.ts `clearDir`. */
  clearDir(dir: number, layer: number, marker: number): void {
    if (dir < 0 || (dir !== ROOT && this.status[dir] !== PRESENT)) return;
    for (const k of this.childrenOf(dir)) this.removeTree(k, layer, marker, 1);
  }

  /** merge.ts `ensureDir`, by id; `through` is the entry being written. */
  private ensureDir(dir: number, layer: number, through: number): void {
    if (dir === ROOT || dir === this.knownDir) return;
    const missing = this.missing;
    missing.length = 0;
    for (let at = dir; at !== ROOT && at !== this.knownDir; at = this.parent[at]!) {
      if (this.status[at] !== PRESENT) {
        missing.push(at);
        continue;
      }
      const type = this.vtype[at]!;
      if (type === T_SYMLINK) {
        const layerView = this.layers[this.verLayer[at]!] as LayerView;
        const linkname = linknameOf(layerView.p, layerView.starts, this.verEntry[at]!) ?? "";
        const path = this.pathOf(through);
        this.warnings.push({ layer, path, kind: "path-through-symlink", detail: `"${path}" goes through "${this.pathOf(at)}", a symlink to "${linkname}"; shown at its literal path, not resolved` });
      } else if (type !== T_DIR) {
        // A regular file (or other non-directory) in the way: an extractor must replace it by a directory.
        this.hides[at] = this.pushRec(this.verLayer[at]!, this.verEntry[at]!, this.hides[at]!);
        this.verLayer[at] = layer;
        this.verEntry[at] = -1;
        this.vtype[at] = T_DIR;
      }
      break;
    }
    for (let i = missing.length - 1; i >= 0; i--) {
      const d = missing[i]!;
      this.present(d, layer, -1, T_DIR, this.takeHistory(d));
    }
    if (this.status[dir] === PRESENT && this.vtype[dir] === T_DIR) this.knownDir = dir;
  }

  /** merge.ts `add` (exact): writes entry `entry` of `layer`. */
  addEntry(view: LayerView, layer: number, entry: number): void {
    const id = view.ids[entry]!;
    const type = view.kinds[entry]! & 3;
    this.ensureDir(this.parent[id]!, layer, id);
    if (this.status[id] !== PRESENT) {
      this.present(id, layer, entry, type, this.takeHistory(id));
      return;
    }
    const hides = this.verEntry[id]! < 0 ? this.hides[id]! : this.pushRec(this.verLayer[id]!, this.verEntry[id]!, this.hides[id]!);
    if (type !== T_DIR && id === this.knownDir) this.knownDir = -1;
    if (this.vtype[id] === T_DIR && type !== T_DIR) {
      // A non-directory over a directory hides the whole lower tree at that path.
      for (const k of this.childrenOf(id)) this.removeTree(k, layer, entry, 2);
    }
    this.verLayer[id] = layer;
    this.verEntry[id] = entry;
    this.vtype[id] = type;
    this.hides[id] = hides;
  }

  /** The id of a marker's target, or -1 when no path has it. */
  targetOf(view: LayerView, i: number): number {
    return this.lookup(this.targetPath(view, i));
  }

  /**
   * applyLayer's first pass over entries `from … to`: each path interned, unsafe paths and
   * repeats warned of. A plain method, not a generator's loop, so V8 optimises it as it runs.
   */
  private internRange(view: LayerView, layer: number, base: number, from: number, to: number): { readonly unsafe: number; readonly distinct: number } {
    const p = view.p;
    const ids = view.ids;
    const starts = view.starts;
    const pathLen = p.pathLen;
    let unsafe = 0;
    let distinct = 0;
    for (let i = from; i < to; i++) {
      const id = this.intern(layer, starts[i]!, pathLen[i]!);
      ids[i] = id;
      if (view.unsafe[i] === 1) {
        const path = this.pathOf(id);
        this.warnings.push({ layer, path, kind: "unsafe-path", detail: `"${path}" climbs above the layer root; kept out of the merged view` });
        unsafe++;
        continue;
      }
      const before = this.lastEntry[id]! - base;
      if (before >= 0) {
        const path = this.pathOf(id);
        this.warnings.push({ layer, path, kind: "duplicate-in-layer", detail: `"${path}" appears more than once in this layer (entries ${before} and ${i}); the last one wins` });
      } else distinct++;
      this.lastEntry[id] = base + i;
    }
    return { unsafe, distinct };
  }

  /** merge.ts `applyLayer` with the exact `planLayer`. */
  *applyLayer(view: LayerView, layer: number, base: number): Steps<void> {
    const p = view.p;
    const n = p.n;
    const stamp = layer + 1;
    const warnings = this.warnings;
    const ids = view.ids;
    // Sort out the layer: every path interned, unsafe paths and repeats flagged in tar order.
    let unsafe = 0;
    let distinct = 0;
    for (let from = 0; from < n; from += ITEMS_PER_STEP) {
      if (from > 0) yield;
      const counts = this.internRange(view, layer, base, from, Math.min(n, from + ITEMS_PER_STEP));
      unsafe += counts.unsafe;
      distinct += counts.distinct;
    }
    yield;
    const everyEntryLast = unsafe === 0 && distinct === n;
    const writes = new Int32Array(n);
    let nWrites = 0;
    const opaques: number[] = []; // [dir id, marker entry] pairs
    const whiteouts: number[] = []; // [target id, marker entry] pairs
    for (let i = 0; i < n; i++) {
      const id = ids[i]!;
      if (!everyEntryLast && this.lastEntry[id] !== base + i) continue; // an earlier duplicate, or an unsafe path
      const w = view.kinds[i]! >> 2;
      if (w === W_NONE) {
        if (id !== ROOT) writes[nWrites++] = i;
      } else if (w === W_WHITEOUT) whiteouts.push(this.targetOf(view, i), i);
      else if (w === W_OPAQUE) opaques.push(this.targetOf(view, i), i);
      else {
        const path = this.pathOf(id);
        warnings.push({ layer, path, kind: "bad-whiteout-name", detail: `"${path}" starts with ".wh." but is neither "<dir>/.wh.<name>" nor an opaque marker; ignored, as runtimes ignore it` });
      }
    }

    if (opaques.length > 0) {
      if (this.markerStamp.length === 0) {
        this.markerStamp = new Int32Array(this.cap);
        this.markerIdx = new Int32Array(this.cap);
        this.flaggedStamp = new Int32Array(this.cap);
      }
      // An opaque marker after new children of its directory, flagged once per directory.
      for (let k = 0; k < opaques.length; k += 2) {
        const dir = opaques[k]!;
        if (dir < 0) continue; // no entry lies under a path no entry has
        this.markerStamp[dir] = stamp;
        this.markerIdx[dir] = opaques[k + 1]!;
      }
      for (let i = 0; i < n; i++) {
        const id = ids[i]!;
        if (view.kinds[i]! >> 2 === W_OPAQUE || id === ROOT) continue;
        for (let dir = this.parent[id]!; ; dir = this.parent[dir]!) {
          if (this.markerStamp[dir] === stamp && i < this.markerIdx[dir]! && this.flaggedStamp[dir] !== stamp) {
            this.flaggedStamp[dir] = stamp;
            const dirPath = this.pathOf(dir);
            warnings.push({
              layer,
              path: this.entryPath(layer, this.markerIdx[dir]!),
              kind: "opaque-after-children",
              detail: `the opaque marker of "${dir === ROOT ? "/" : dirPath}" comes after "${this.pathOf(id)}" of the same layer; it still hides only the lower layers`,
            });
          }
          if (dir === ROOT) break;
        }
      }
    }

    if (whiteouts.length > 0) {
      // Whiteouts of paths absent below are harmless no-ops (T4): judged against the lower state.
      if (this.ownStamp.length === 0) this.ownStamp = new Int32Array(this.cap);
      for (let k = 0; k < nWrites; k++) this.ownStamp[ids[writes[k]!]!] = stamp;
      const missing = new Uint8Array(whiteouts.length / 2);
      for (let k = 0; k < whiteouts.length; k += 2) {
        const target = whiteouts[k]!;
        missing[k / 2] = target < 0 || this.status[target] !== PRESENT ? 1 : 0;
      }
      for (let k = 0; k < whiteouts.length; k += 2) {
        const target = whiteouts[k]!;
        const marker = this.entryPath(layer, whiteouts[k + 1]!);
        if (target >= 0 && this.ownStamp[target] === stamp) {
          warnings.push({ layer, path: marker, kind: "whiteout-of-same-layer-entry", detail: `"${marker}" whites out "${this.pathOf(target)}", which this same layer also writes; the whiteout hides only lower layers, so the entry stays` });
        } else if (missing[k / 2] === 1) {
          warnings.push({ layer, path: marker, kind: "whiteout-of-missing-path", detail: `"${marker}" whites out "${this.targetPath(view, whiteouts[k + 1]!)}", which no lower layer has; nothing to hide` });
        }
      }
    }
    for (let k = 0; k < opaques.length; k += 2) this.clearDir(opaques[k]!, layer, opaques[k + 1]!);
    for (let k = 0; k < whiteouts.length; k += 2) if (whiteouts[k]! >= 0) this.removeTree(whiteouts[k]!, layer, whiteouts[k + 1]!, 0);
    for (let from = 0; from < nWrites; from += ITEMS_PER_STEP) {
      yield;
      const to = Math.min(nWrites, from + ITEMS_PER_STEP);
      for (let k = from; k < to; k++) this.addEntry(view, layer, writes[k]!);
    }
  }

  /**
   * A marker's target (merge.ts / changes.ts `whiteoutTargetOf`): the one packed with it, else
   * an opaque marker's directory, a whiteout's path without ".wh.".
   */
  private targetPath(view: LayerView, i: number): string {
    const p = view.p;
    const s = view.starts[i]!;
    const pl = p.pathLen[i]!;
    const tl = p.targetLen[i]!;
    if (tl >= 0) {
      const at = s + pl + Math.max(0, p.linkLen[i]!);
      return p.text.slice(at, at + tl);
    }
    const path = p.text.slice(s, s + pl);
    const slash = path.lastIndexOf("/");
    const dir = slash < 0 ? "" : path.slice(0, slash);
    if (view.kinds[i]! >> 2 === W_OPAQUE) return dir;
    const base = slash < 0 ? path : path.slice(slash + 1);
    const name = base.startsWith(".wh.") ? base.slice(4) : base;
    return dir === "" ? name : `${dir}/${name}`;
  }

  /** merge.ts `resultOf`: hardlinks whose target is not in the merged view, in the view's order. */
  hardlinkWarnings(): void {
    const links: number[] = [];
    for (let id = 0; id < this.n; id++) if (this.status[id] === PRESENT && this.vtype[id] === T_HARDLINK) links.push(id);
    links.sort((a, b) => this.seq[a]! - this.seq[b]!);
    for (const id of links) {
      const view = this.layers[this.verLayer[id]!] as LayerView;
      const linkname = linknameOf(view.p, view.starts, this.verEntry[id]!) ?? "";
      const target = hardlinkTargetPath(linkname);
      const at = target === undefined || target === "" ? -1 : this.lookup(target);
      if (at < 0 || this.status[at] !== PRESENT) {
        const path = this.pathOf(id);
        this.warnings.push({ layer: this.verLayer[id]!, path, kind: "hardlink-to-missing-target", detail: `hardlink "${path}" points at "${linkname}", which is not in the merged filesystem` });
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The tree

/** Marks of ids while the tree is chosen. */
const NOT_SHOWN = 0;


// Each pass of the tree is a plain function, called from the generator between pauses: V8
// optimises a long loop in a plain function while it runs (on-stack replacement), but not one in
// a generator's body, which ran 2–4× slower in Chromium on its first (and only) run per merge.

/** The filesystem's own figures and the nodes chosen: `mark[id]` is the node's kind + 1, or {@link NOT_SHOWN}. */
interface Shown {
  readonly mark: Uint8Array;
  readonly presentCount: number;
  readonly deletedCount: number;
  readonly mergedPaths: number;
  readonly deletedPaths: number;
  readonly presentBytes: number;
}

/** Step 1: present paths (and deleted ones when shown) are nodes, never "" or "."; with the merged filesystem's figures. */
function shownPaths(o: Overlay, showDeleted: boolean): Shown {
  const ids = o.n;
  const mark = new Uint8Array(ids);
  let presentCount = 0;
  let deletedCount = 0;
  let mergedPaths = 0;
  let deletedPaths = 0;
  let presentBytes = 0;
  for (let id = 0; id < ids; id++) {
    const st = o.status[id]!;
    if (st === PRESENT) {
      mergedPaths++;
      if (o.vtype[id] !== T_DIR && o.verEntry[id]! >= 0) presentBytes += (o.layers[o.verLayer[id]!] as LayerView).p.size[o.verEntry[id]!]!;
    } else if (st === DELETED) deletedPaths++;
    if (st === ABSENT || (st === DELETED && !showDeleted)) continue;
    const length = o.len[id]!;
    if (length === 0 || (length === 1 && o.texts[o.src[id]!]!.charCodeAt(o.start[id]!) === DOT)) continue;
    if (st === PRESENT) {
      mark[id] = (o.verEntry[id]! < 0 ? NODE_IMPLIED : NODE_PRESENT) + 1;
      presentCount++;
    } else {
      mark[id] = NODE_DELETED + 1;
      deletedCount++;
    }
  }
  return { mark, presentCount, deletedCount, mergedPaths, deletedPaths, presentBytes };
}

/** A path's parent in the tree: -1 for a top-level path (no "/"). */
const treeParentOf = (o: Overlay, id: number): number => (o.nameAt[id]! > 0 ? o.parent[id]! : -1);

/**
 * Step 1, then: the directories above the chosen nodes that are not nodes yet (merged/model.ts
 * `nodeAt`); returns the number of nodes. A present path's parent is present, so this climbs only
 * above deleted paths, and above the "." and "" that non-normalised paths ("./x", "/x") hang under.
 */
function markUnderDeleted(o: Overlay, mark: Uint8Array): number {
  const ids = o.n;
  for (let id = 0; id < ids; id++) {
    if (mark[id] === NOT_SHOWN) continue;
    for (let p = treeParentOf(o, id); p >= 0 && mark[p] === NOT_SHOWN; p = treeParentOf(o, p)) mark[p] = NODE_UNDER_DELETED + 1;
  }
  let count = 0;
  for (let id = 0; id < ids; id++) if (mark[id] !== NOT_SHOWN) count++;
  return count;
}

/** Path ids `a` and `b`'s names in UTF-16 code-unit order (tree.ts `byName`), as a sign. */
function compareNames(o: Overlay, a: number, b: number): number {
  const texts = o.texts;
  const ta = texts[o.src[a]!] ?? "";
  const tb = texts[o.src[b]!] ?? "";
  const na = o.nameAt[a]!;
  const nb = o.nameAt[b]!;
  const sa = o.start[a]! + na;
  const sb = o.start[b]! + nb;
  const la = o.len[a]! - na;
  const lb = o.len[b]! - nb;
  const m = la < lb ? la : lb;
  for (let i = 0; i < m; i++) {
    const d = ta.charCodeAt(sa + i) - tb.charCodeAt(sb + i);
    if (d !== 0) return d;
  }
  return la - lb;
}

/** The nodes in pre-order: position → path id, and each one's parent's position (-1 at the top level). */
interface Order {
  readonly pathId: Int32Array;
  readonly parent: Int32Array;
}

/**
 * Steps 2–4 when the ids already are the tree's pre-order with siblings by name, as a tar written
 * in walk order with sorted names makes them (each directory before its contents, implied ones
 * interned just before): checked in one pass with a stack of open directories, and the order
 * read off on the way; undefined as soon as a node is out of place (then the general steps run).
 */
function orderOfIds(o: Overlay, mark: Uint8Array, count: number): Order | undefined {
  const ids = o.n;
  const pathId = new Int32Array(count);
  const parent = new Int32Array(count);
  const open = new Int32Array(count); // positions of the open directories, outermost first
  let depth = 0;
  let lastTop = -1; // the last top-level node's position
  for (let id = 0, at = 0; id < ids; id++) {
    if (mark[id] === NOT_SHOWN) continue;
    const p = treeParentOf(o, id);
    // Close directories down to the parent; the one just above it is the previous sibling.
    let previous: number;
    if (p < 0) {
      previous = lastTop;
      depth = 0;
      lastTop = at;
    } else {
      let d = depth;
      while (d > 0 && pathId[open[d - 1]!] !== p) d--;
      if (d === 0) return undefined; // the parent is not open: not pre-order
      previous = d < depth ? open[d]! : -1;
      depth = d;
    }
    if (previous >= 0 && compareNames(o, pathId[previous]!, id) >= 0) return undefined;
    pathId[at] = id;
    parent[at] = p < 0 ? -1 : open[depth - 1]!;
    open[depth++] = at;
    at++;
  }
  return { pathId, parent };
}

/** The nodes numbered compactly (by id), each one's tree parent, and its children grouped (CSR). */
interface Groups {
  readonly count: number;
  /** Compact number → path id. */
  readonly idOf: Int32Array;
  /** Compact number → its parent's, -1 at the top level. */
  readonly up: Int32Array;
  /** The children of node k are `kids[childStart[k] … childStart[k + 1])`; the top level's at `count`. */
  readonly childStart: Int32Array;
  readonly kids: Int32Array;
}

/** Step 2 (general). */
function groupChildren(o: Overlay, mark: Uint8Array, count: number): Groups {
  const ids = o.n;
  const idOf = new Int32Array(count);
  const compact = new Int32Array(ids).fill(-1);
  for (let id = 0, k = 0; id < ids; id++) {
    if (mark[id] === NOT_SHOWN) continue;
    idOf[k] = id;
    compact[id] = k++;
  }
  const up = new Int32Array(count);
  const childStart = new Int32Array(count + 2);
  for (let k = 0; k < count; k++) {
    const p = treeParentOf(o, idOf[k]!);
    const pk = p >= 0 ? compact[p]! : -1;
    up[k] = pk;
    childStart[(pk >= 0 ? pk : count) + 1]!++;
  }
  for (let g = 0; g <= count; g++) childStart[g + 1]! += childStart[g]!;
  const kids = new Int32Array(count);
  const fill = childStart.slice(0, count + 1);
  for (let k = 0; k < count; k++) {
    const g = up[k]! >= 0 ? up[k]! : count;
    kids[fill[g]!++] = k;
  }
  return { count, idOf, up, childStart, kids };
}

/**
 * Step 3 (general): siblings by name, UTF-16 code units (tree.ts `byName`; two siblings never
 * share a name, as their paths would be equal), for the groups from `g` on until about `budget`
 * children are done; returns the next group. Groups already in order cost one comparison per child.
 */
function sortGroups(o: Overlay, groups: Groups, g: number, budget: number): number {
  const { count, idOf, childStart, kids } = groups;
  const byName = (ka: number, kb: number): number => compareNames(o, idOf[ka]!, idOf[kb]!);
  for (let done = 0; g <= count && done < budget; g++) {
    const from = childStart[g]!;
    const to = childStart[g + 1]!;
    let sorted = true;
    for (let j = from + 1; j < to; j++) {
      if (byName(kids[j - 1]!, kids[j]!) > 0) {
        sorted = false;
        break;
      }
    }
    if (!sorted) {
      const group = Array.from(kids.subarray(from, to)).sort(byName);
      kids.set(group, from);
    }
    done += to - from;
  }
  return g;
}

/** Step 4 (general): the nodes in pre-order, walking the sorted groups. */
function preOrder(groups: Groups): Order {
  const { count, idOf, up, childStart, kids } = groups;
  const pathId = new Int32Array(count);
  const parent = new Int32Array(count);
  const pre = new Int32Array(count); // compact number → position
  const stack = new Int32Array(count);
  let top = 0;
  for (let j = childStart[count + 1]! - 1; j >= childStart[count]!; j--) stack[top++] = kids[j]!;
  for (let at = 0; top > 0; at++) {
    const k = stack[--top]!;
    pre[k] = at;
    pathId[at] = idOf[k]!;
    const pk = up[k]!;
    parent[at] = pk >= 0 ? pre[pk]! : -1; // a parent comes before its children
    for (let j = childStart[k + 1]! - 1; j >= childStart[k]!; j--) stack[top++] = kids[j]!;
  }
  return { pathId, parent };
}

/** Step 5: the node columns in pre-order, with sizes and descendant counts bottom-up (tree.ts `finishTreeSteps`). */
function nodeColumns(
  o: Overlay,
  mark: Uint8Array,
  count: number,
  { pathId, parent }: Order,
): Pick<MergedColumns, "parent" | "depth" | "descendants" | "size" | "kind" | "isDir" | "layer" | "entry" | "removedBy" | "marker" | "how" | "hidesStart" | "hidesLayer" | "hidesEntry" | "pathId" | "totalSize"> & { readonly nodeOfId: Int32Array } {
  // Columns are written only where they differ from 0: a fresh page of memory costs a page fault
  // (about 3 µs here) when first written, and most nodes have no hides, no removal, kind 0.
  const depth = new Int32Array(count);
  const descendants = new Int32Array(count);
  const size = new Float64Array(count);
  const kind = new Uint8Array(count);
  const isDir = new Uint8Array(count);
  const layer = new Int32Array(count);
  const entry = new Int32Array(count);
  const removedBy = new Int32Array(count);
  const marker = new Int32Array(count);
  const how = new Uint8Array(count);
  const hidesStart = new Int32Array(count + 1);
  for (let at = count - 1; at >= 0; at--) {
    const pa = parent[at]!;
    if (pa >= 0) descendants[pa]! += descendants[at]! + 1;
  }
  let hidden = 0;
  for (let at = 0; at < count; at++) {
    const id = pathId[at]!;
    const pa = parent[at]!;
    if (pa >= 0) depth[at] = depth[pa]! + 1;
    const kd = (mark[id]! - 1) as NodeKind;
    if (kd !== NODE_PRESENT) kind[at] = kd;
    const hasKids = descendants[at]! > 0;
    if (kd === NODE_UNDER_DELETED) {
      layer[at] = -1;
      entry[at] = -1;
      isDir[at] = 1;
      continue;
    }
    const v = o.verLayer[id]!;
    if (v !== 0) layer[at] = v;
    entry[at] = o.verEntry[id]!;
    if (hasKids || o.vtype[id] === T_DIR) isDir[at] = 1;
    for (let r = o.hides[id]!; r !== 0; r = o.recNext[r]!) hidden++;
    if (kd === NODE_DELETED) {
      removedBy[at] = o.removedBy[id]!;
      marker[at] = o.marker[id]!;
      how[at] = o.how[id]!;
    } else if (!hasKids && kd === NODE_PRESENT && o.vtype[id] !== T_DIR) {
      const bytes = (o.layers[v] as LayerView).p.size[o.verEntry[id]!]!;
      if (bytes !== 0) size[at] = bytes;
    }
  }
  const nodeOfId = new Int32Array(o.n).fill(-1);
  for (let at = 0; at < count; at++) nodeOfId[pathId[at]!] = at;
  const hidesLayer = new Int32Array(hidden);
  const hidesEntry = new Int32Array(hidden);
  let h = 0;
  for (let at = 0; at < count; at++) {
    if (h !== 0) hidesStart[at] = h;
    if (kind[at] === NODE_UNDER_DELETED) continue;
    for (let r = o.hides[pathId[at]!]!; r !== 0; r = o.recNext[r]!) {
      hidesLayer[h] = o.recLayer[r]!;
      hidesEntry[h++] = o.recEntry[r]!;
    }
  }
  hidesStart[count] = h;
  let totalSize = 0;
  for (let at = count - 1; at >= 0; at--) {
    const pa = parent[at]!;
    if (pa >= 0) size[pa]! += size[at]!;
    else totalSize += size[at]!;
  }
  return { parent, depth, descendants, size, kind, isDir, layer, entry, removedBy, marker, how, hidesStart, hidesLayer, hidesEntry, pathId, totalSize, nodeOfId };
}

/** Steps 2–4 in general: children grouped, sorted by name, numbered in pre-order. */
function* generalOrder(o: Overlay, mark: Uint8Array, count: number): Steps<Order> {
  const groups = groupChildren(o, mark, count);
  yield;
  for (let g = 0; g <= count; ) {
    g = sortGroups(o, groups, g, ITEMS_PER_STEP);
    if (g <= count) yield;
  }
  return preOrder(groups);
}

function* treeOf(o: Overlay, upTo: number, showDeleted: boolean): Steps<MergedColumns> {
  const shown = shownPaths(o, showDeleted);
  yield;
  const count = markUnderDeleted(o, shown.mark);
  yield;
  const order = orderOfIds(o, shown.mark, count) ?? (yield* generalOrder(o, shown.mark, count));
  yield;
  const { nodeOfId, ...columns } = nodeColumns(o, shown.mark, count, order);
  yield;
  const ids = o.n;
  return {
    upTo,
    showDeleted,
    count,
    texts: o.texts,
    ...columns,
    paths: {
      text: o.src.subarray(0, ids),
      start: o.start.subarray(0, ids),
      length: o.len.subarray(0, ids),
      nameOffset: o.nameAt.subarray(0, ids),
      childAt: o.childAt.subarray(0, ids),
      childSlots: o.childSlots.subarray(0, ids),
      slots: o.slots.subarray(0, 2 * o.slotTop),
      node: nodeOfId,
    },
    warnings: o.warnings,
    presentCount: shown.presentCount,
    deletedCount: shown.deletedCount,
    mergedPaths: shown.mergedPaths,
    deletedPaths: shown.deletedPaths,
    presentBytes: shown.presentBytes,
  };
}

// ---------------------------------------------------------------------------------------------
// The API

/**
 * The filesystem as of layer `upTo` (inclusive, clamped to the top layer) and its display tree,
 * as columns: the same answer as `buildMergedTree(mergeLayersExactly(layers, upTo), showDeleted)`
 * (see the module comment for the two things it leaves out). `layers[i]` is layer i's packed
 * index (base first, tar order). Pure and synchronous; nothing of `layers` is changed.
 *
 * Cost: one pass over the applied layers' path text (hashing, no strings), plus the removed
 * subtrees, plus the tree (one name comparison per node when siblings come in order). Measured
 * with scripts/bench/columns-node.ts.
 */
export function mergeColumns(layers: readonly (PackedEntries | MergeSource)[], upTo: number = layers.length - 1, showDeleted = false): MergedColumns {
  return runSteps(mergeColumnsSteps(layers, upTo, showDeleted));
}

/** {@link mergeColumns} as steps (core/steps.ts), pausing every few thousand entries or nodes: the same answer. */
export function* mergeColumnsSteps(layers: readonly (PackedEntries | MergeSource)[], upTo: number = layers.length - 1, showDeleted = false): Steps<MergedColumns> {
  const top = Math.min(upTo, layers.length - 1);
  const views: LayerView[] = [];
  let capacity = 1024;
  for (let layer = 0; layer <= top; layer++) {
    const p = mergeSourceOf(layers[layer]!);
    views.push(layerView(p));
    capacity += p.n;
    yield;
  }
  const o = new Overlay(
    layers.map((l) => l.text),
    views,
    capacity + (capacity >> 3),
  );
  // Entries are numbered across layers (layer 0's first, then layer 1's…) for the map of each path's last entry.
  for (let layer = 0, base = 0; layer <= top; base += (views[layer] as LayerView).p.n, layer++) yield* o.applyLayer(views[layer] as LayerView, layer, base);
  o.hardlinkWarnings();
  return yield* treeOf(o, top, showDeleted);
}

/** Node `i`'s path. */
export function pathOf(cols: MergedColumns, i: number): string {
  const p = cols.paths;
  const id = cols.pathId[i]!;
  const s = p.start[id]!;
  return (cols.texts[p.text[id]!] ?? "").slice(s, s + p.length[id]!);
}

/** Node `i`'s name: its path's last component. */
export function nameOf(cols: MergedColumns, i: number): string {
  const p = cols.paths;
  const id = cols.pathId[i]!;
  const s = p.start[id]!;
  return (cols.texts[p.text[id]!] ?? "").slice(s + p.nameOffset[id]!, s + p.length[id]!);
}

/** The node at `path` (as the tree keys it: the merged path), or -1. */
export function nodeOf(cols: MergedColumns, path: string): number {
  const p = cols.paths;
  const id = findPath({ texts: cols.texts, src: p.text, start: p.start, len: p.length, childAt: p.childAt, childSlots: p.childSlots, slots: p.slots }, path);
  return id < 0 ? -1 : p.node[id]!;
}

/** Node `i`'s version (the winner; a deleted node's last), or undefined for NODE_UNDER_DELETED. `layers` as given to mergeColumns. */
export function versionAt(cols: MergedColumns, layers: readonly PackedEntries[], i: number): PathVersion | undefined {
  if (cols.kind[i] === NODE_UNDER_DELETED) return undefined;
  const layer = cols.layer[i]!;
  return packedVersion(layers[layer], layer, cols.entry[i]!);
}

/** The versions node `i` hides (a deleted node: those before its last), highest layer first. */
export function hiddenAt(cols: MergedColumns, layers: readonly PackedEntries[], i: number): PathVersion[] {
  const out: PathVersion[] = [];
  for (let h = cols.hidesStart[i]!; h < cols.hidesStart[i + 1]!; h++) {
    const layer = cols.hidesLayer[h]!;
    out.push(packedVersion(layers[layer], layer, cols.hidesEntry[h]!));
  }
  return out;
}

/** The buffers of the columns, to transfer rather than copy (postMessage's transfer list). */
export function columnsBuffers(cols: MergedColumns): ArrayBuffer[] {
  const columns = [
    cols.parent,
    cols.depth,
    cols.descendants,
    cols.size,
    cols.kind,
    cols.isDir,
    cols.layer,
    cols.entry,
    cols.removedBy,
    cols.marker,
    cols.how,
    cols.hidesStart,
    cols.hidesLayer,
    cols.hidesEntry,
    cols.pathId,
    cols.paths.text,
    cols.paths.start,
    cols.paths.length,
    cols.paths.nameOffset,
    cols.paths.childAt,
    cols.paths.childSlots,
    cols.paths.slots,
    cols.paths.node,
  ];
  const buffers = new Set<ArrayBuffer>();
  for (const c of columns) if (c.buffer instanceof ArrayBuffer && c.byteLength > 0) buffers.add(c.buffer);
  return [...buffers];
}

// ---------------------------------------------------------------------------------------------
// Filtering

interface LowerText {
  /** Every node's path lower-cased, in pre-order, each followed by "\n". */
  readonly text: string;
  /** Where node i's lower-cased path starts in `text`; `starts[count]` is its length. */
  readonly starts: Int32Array;
  /** Instead, when the paths together are too long for one string: each node's own. */
  readonly each?: readonly string[];
}

const lowerTexts = new WeakMap<MergedColumns, LowerText>();

/**
 * The paths joined would be longer than this: lower-case them one by one instead (as
 * features/layers/tree.ts does). V8 strings stop near 2^29 code units, and a 32 768-level path
 * (T11) has a billion code units of prefixes.
 */
const JOINED_LIMIT = 1 << 27;

/**
 * The lower-cased paths, made on the first filter. Joined with "\n" and lower-cased at once: a
 * newline is neither cased nor case-ignorable, so no case rule (Greek final sigma) looks across
 * it and each path lowers as it would alone. When lowering changes a length (U+0130 "İ"), the
 * paths are lowered one by one instead, to know where each starts.
 */
function lowerTextOf(cols: MergedColumns): LowerText {
  const hit = lowerTexts.get(cols);
  if (hit) return hit;
  const n = cols.count;
  let total = n;
  for (let i = 0; i < n; i++) total += cols.paths.length[cols.pathId[i]!]!;
  if (total > JOINED_LIMIT) {
    const each = Array.from({ length: n }, (_, i) => pathOf(cols, i).toLowerCase());
    const lower = { text: "", starts: new Int32Array(0), each };
    lowerTexts.set(cols, lower);
    return lower;
  }
  const parts: string[] = new Array<string>(n + 1);
  for (let i = 0; i < n; i++) parts[i] = pathOf(cols, i);
  parts[n] = "";
  const joined = parts.join("\n");
  let text = joined.toLowerCase();
  const starts = new Int32Array(n + 1);
  if (text.length === joined.length) {
    for (let i = 0, at = 0; i < n; i++) {
      starts[i] = at;
      at += cols.paths.length[cols.pathId[i]!]! + 1;
    }
  } else {
    let at = 0;
    for (let i = 0; i < n; i++) {
      parts[i] = (parts[i] as string).toLowerCase();
      starts[i] = at;
      at += (parts[i] as string).length + 1;
    }
    text = parts.join("\n");
  }
  starts[n] = text.length;
  const lower = { text, starts };
  lowerTexts.set(cols, lower);
  return lower;
}

/** Does the once-per-columns part of {@link filterColumns} now (when idle), so the first filter is as fast as the next. */
export function prepareColumnsFilter(cols: MergedColumns): void {
  lowerTextOf(cols);
}

/**
 * The nodes whose path contains `query` (case-insensitive, `toLowerCase`), plus all their
 * ancestors, ascending (pre-order): the set features/layers/tree.ts `filterTree` gives. Undefined
 * for a query that is empty once lower-cased, as filterTree: no filter (not "every node").
 * One `indexOf` scan of the lower-cased paths per query (made once per columns object).
 */
export function filterColumns(cols: MergedColumns, query: string): Int32Array | undefined {
  const q = query.toLowerCase();
  if (q === "") return undefined;
  const { text, starts, each } = lowerTextOf(cols);
  const n = cols.count;
  const keep = new Uint8Array(n);
  let kept = 0;
  if (each !== undefined) {
    for (let i = 0; i < n; i++) {
      if (!(each[i] as string).includes(q)) continue;
      for (let a = i; a >= 0 && keep[a] === 0; a = cols.parent[a]!) {
        keep[a] = 1;
        kept++;
      }
    }
    const out = new Int32Array(kept);
    for (let i = 0, k = 0; i < n; i++) if (keep[i] === 1) out[k++] = i;
    return out;
  }
  let node = 0;
  for (let at = text.indexOf(q); at >= 0 && node < n; ) {
    // The node the match starts in: matches come in order, so gallop forward from the last one.
    if (starts[node + 1]! <= at) {
      let lo = node + 1;
      let hi = n - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >>> 1;
        if (starts[mid]! <= at) lo = mid;
        else hi = mid - 1;
      }
      node = lo;
    }
    if (at + q.length < starts[node + 1]!) {
      // Inside the path (not across its "\n"): keep it and its ancestors.
      for (let a = node; a >= 0 && keep[a] === 0; a = cols.parent[a]!) {
        keep[a] = 1;
        kept++;
      }
      node++;
      if (node >= n) break;
      at = text.indexOf(q, starts[node]!);
    } else at = text.indexOf(q, at + 1);
  }
  const out = new Int32Array(kept);
  for (let i = 0, k = 0; i < n; i++) if (keep[i] === 1) out[k++] = i;
  return out;
}
