/**
 * A layer's entries as a tree, for display. Pure data and functions (no React): built once per
 * layer in O(n log n), then flattened into the rows that are actually visible.
 *
 * View state — what is expanded, focused, filtered — is not stored here (STYLE #12): callers
 * pass an `isExpanded` predicate and keep their own sets of keys.
 *
 * Layout decisions:
 * - Directories implied by deeper paths (a tar may omit them) are created without an entry.
 * - A whiteout `dir/.wh.name` is a node named `name` (the target) under `dir`; it is shown as
 *   deleted, and keyed by its literal path so it never merges with a same-named entry.
 * - An opaque marker `dir/.wh..wh..opq` is not a row: it marks its directory (`opaque`).
 * - The same path twice in one layer: the last entry wins (tar semantics, T5); `duplicates` counts
 *   the others. Two entries whose display paths agree but whose raw bytes differ (lossy display
 *   of invalid UTF-8) stay two nodes (T12).
 */
import type { LayerEntry } from "../../core/pipeline/types";
import { ITEMS_PER_STEP, runSteps, type Steps } from "../../core/steps";

export interface TreeNode {
  /** Unique within the tree: the entry's literal path (plus a suffix in the rare collision case). */
  readonly key: string;
  /** What a reader sees as the name: the last path component (a whiteout's target name). */
  readonly name: string;
  /** Display path: for a whiteout, the path it hides. */
  readonly path: string;
  readonly parent: TreeNode | undefined;
  /** 0 for top-level nodes. */
  readonly depth: number;
  /** The entry written at this path; undefined for an implied directory. */
  readonly entry: LayerEntry | undefined;
  /** Position of `entry` in the layer's entries (tar order), or -1. */
  readonly entryIndex: number;
  /** The opaque marker entry for this directory, if the layer has one. */
  readonly opaqueEntry: LayerEntry | undefined;
  /** Other entries at this same path in this layer, overridden by `entry`. */
  readonly duplicates: number;
  /** True for directories and anything that has children. */
  readonly isDir: boolean;
  /** Bytes: the entry's size for a file; the sum of every descendant's size for a directory. */
  readonly size: number;
  /** Number of descendants (0 for a leaf). */
  readonly descendants: number;
  /** Children sorted by name (UTF-16 code unit order, like `LC_ALL=C ls`). */
  readonly children: readonly TreeNode[];
  /**
   * Position in {@link FileTree.nodes} (pre-order by name): a node's subtree is the contiguous
   * range `index … index + descendants`.
   */
  readonly index: number;
}

/** Mutable during construction only. */
interface Building {
  key: string;
  name: string;
  path: string;
  parent: Building | undefined;
  depth: number;
  entry: LayerEntry | undefined;
  entryIndex: number;
  opaqueEntry: LayerEntry | undefined;
  duplicates: number;
  isDir: boolean;
  size: number;
  descendants: number;
  children: Building[];
  index: number;
}

export type SortOrder = "name" | "size";

export interface FileTree {
  /** Top-level nodes, sorted by name. */
  readonly roots: readonly TreeNode[];
  /** Every node, parents before children (pre-order, by name). */
  readonly nodes: readonly TreeNode[];
  /** Node for an entry index (tar order), if that entry is shown as a node (opaque markers are not). */
  nodeOfEntry(entryIndex: number): TreeNode | undefined;
  /** A node's children in the given order (size: largest first, then by name). Cached per node. */
  childrenOf(node: TreeNode | undefined, order: SortOrder): readonly TreeNode[];
  /** Sum of every top-level node's size. */
  readonly totalSize: number;
  /** A tree that filters its own way (the merged tree over columns, with {@link OrderedNodes}): {@link filterTree} asks it. */
  filter?(query: string): ReadonlySet<TreeNode> | undefined;
  /** Its once-per-tree filter work, for {@link prepareFilter}. */
  prepareFilter?(): void;
}

/**
 * A filter's result that holds its nodes in pre-order already (the tree over columns): rows are
 * read off it without a Set of every match or a sort (334 000 matches in a million-entry tree).
 */
export interface OrderedNodes extends ReadonlySet<TreeNode> {
  /** The nodes by ascending `index`. */
  inPreOrder(): readonly TreeNode[];
}

const isOrdered = (s: ReadonlySet<TreeNode>): s is OrderedNodes => typeof (s as Partial<OrderedNodes>).inPreOrder === "function";

const byName = (a: { name: string; key: string }, b: { name: string; key: string }): number =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0;

const bySize = (a: TreeNode, b: TreeNode): number => b.size - a.size || byName(a, b);

function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (!a || !b) return a === b;
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** "a/b/c" → "c"; a trailing component only. */
function baseName(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? path : path.slice(slash + 1);
}

/** Builds the tree of one layer's entries (tar order). */
export function buildFileTree(entries: readonly LayerEntry[]): FileTree {
  const byKey = new Map<string, Building>();
  const roots: Building[] = [];
  const ofEntry: (Building | undefined)[] = new Array<Building | undefined>(entries.length);

  const newNode = (key: string, path: string, name: string, parent: Building | undefined): Building => {
    const node: Building = {
      key,
      name,
      path,
      parent,
      depth: parent ? parent.depth + 1 : 0,
      entry: undefined,
      entryIndex: -1,
      opaqueEntry: undefined,
      duplicates: 0,
      isDir: false,
      size: 0,
      descendants: 0,
      children: [],
      index: -1,
    };
    if (parent) {
      parent.children.push(node);
      parent.isDir = true;
    } else roots.push(node);
    return node;
  };

  /** The directory at `path` (a prefix of an entry path), creating implied ones on the way. */
  // Tars list a directory's entries together, so the last directory asked for is usually the next.
  let lastPath = "";
  let lastDir: Building | undefined;
  const directory = (path: string): Building | undefined => {
    if (path === "") return undefined;
    if (path === lastPath && lastDir) return lastDir;
    const existing = byKey.get(path);
    if (existing) {
      lastPath = path;
      lastDir = existing;
      return existing;
    }
    // Walk up to the nearest existing ancestor, then create downwards; iterative, as paths may be
    // thousands of components deep (T11). Prefixes are slices of `path`, which engines share.
    const missing: number[] = [];
    let end = path.length;
    let parent: Building | undefined;
    for (;;) {
      missing.push(end);
      const slash = path.lastIndexOf("/", end - 1);
      if (slash < 0) break;
      const found = byKey.get(path.slice(0, slash));
      if (found) {
        parent = found;
        break;
      }
      end = slash;
    }
    for (let i = missing.length - 1; i >= 0; i--) {
      const stop = missing[i] as number;
      const prefix = path.slice(0, stop);
      const node = newNode(prefix, prefix, baseName(prefix), parent);
      node.isDir = true;
      byKey.set(prefix, node);
      parent = node;
    }
    lastPath = path;
    lastDir = parent;
    return parent;
  };

  const parentPath = (path: string): string => {
    const slash = path.lastIndexOf("/");
    return slash < 0 ? "" : path.slice(0, slash);
  };

  for (let i = 0; i < entries.length; i++) {
    const e = entries[i] as LayerEntry;
    if (e.path === "" || e.path === ".") continue; // the root entry ("./") is not a row
    if (e.whiteout === "opaque") {
      const dirPath = e.whiteoutTarget ?? parentPath(e.path);
      const dir = directory(dirPath);
      if (dir) dir.opaqueEntry = e;
      continue;
    }
    if (e.whiteout === "whiteout") {
      const target = e.whiteoutTarget ?? `${parentPath(e.path) ? `${parentPath(e.path)}/` : ""}${baseName(e.path).replace(/^\.wh\./, "")}`;
      const parent = directory(parentPath(e.path));
      let node = byKey.get(e.path);
      if (node) node.duplicates++;
      else {
        node = newNode(e.path, target, baseName(target), parent);
        byKey.set(e.path, node);
      }
      node.entry = e;
      node.entryIndex = i;
      ofEntry[i] = node;
      continue;
    }
    const parent = directory(parentPath(e.path));
    let node = byKey.get(e.path);
    if (node && node.entry && !sameBytes(node.entry.rawPath, e.rawPath)) {
      // Same display path, different bytes: a distinct name that displays alike (T12).
      const key = `${e.path}\u0000${i}`;
      node = newNode(key, e.path, baseName(e.path), parent);
      byKey.set(key, node);
    } else if (node) {
      if (node.entry) node.duplicates++;
    } else {
      node = newNode(e.path, e.path, baseName(e.path), parent);
      byKey.set(e.path, node);
    }
    node.entry = e;
    node.entryIndex = i;
    if (e.type === "dir") node.isDir = true;
    ofEntry[i] = node;
  }

  return finishTree(roots, (node) => (node.entry && node.entry.whiteout === "none" ? node.entry.size : 0), (i) => ofEntry[i]);
}

/** The fields {@link finishTree} fills in; the rest of a TreeNode is the builder's. */
export interface UnfinishedNode {
  readonly name: string;
  readonly key: string;
  readonly parent: UnfinishedNode | undefined;
  readonly children: UnfinishedNode[];
  depth: number;
  size: number;
  descendants: number;
  index: number;
}

/**
 * The common end of every tree builder: children sorted by name, the pre-order numbering, depths,
 * directory sizes and descendant counts. `leafSize` is a childless node's own size (a directory's
 * is the sum of its descendants'). O(n) plus the sorts, which cost n − 1 comparisons per
 * directory when the input is already in order (V8's sort is a TimSort), as tars usually are.
 */
export function finishTree<N extends UnfinishedNode & TreeNode>(
  roots: N[],
  leafSize: (node: N) => number,
  nodeOfEntry: (entryIndex: number) => TreeNode | undefined = () => undefined,
): FileTree {
  return runSteps(finishTreeSteps(roots, leafSize, nodeOfEntry));
}

/** {@link finishTree} as steps (core/steps.ts), to run in slices on the page. */
export function* finishTreeSteps<N extends UnfinishedNode & TreeNode>(
  roots: N[],
  leafSize: (node: N) => number,
  nodeOfEntry: (entryIndex: number) => TreeNode | undefined = () => undefined,
): Steps<FileTree> {
  // Pre-order by name, then sizes bottom-up (reverse pre-order visits children before parents).
  roots.sort(byName);
  const order: N[] = [];
  const stack: N[] = [];
  for (let i = roots.length - 1; i >= 0; i--) stack.push(roots[i] as N);
  while (stack.length > 0) {
    if (order.length % ITEMS_PER_STEP === ITEMS_PER_STEP - 1) yield;
    const node = stack.pop() as N;
    node.index = order.length;
    node.depth = node.parent ? node.parent.depth + 1 : 0;
    order.push(node);
    const children = node.children as N[];
    if (children.length > 1) children.sort(byName);
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i] as N);
  }
  for (let i = order.length - 1; i >= 0; i--) {
    if (i % ITEMS_PER_STEP === 0) yield;
    const node = order[i] as N;
    if (node.children.length === 0) node.size = leafSize(node);
    const parent = node.parent;
    if (parent) {
      parent.size += node.size;
      parent.descendants += node.descendants + 1;
    }
  }
  let totalSize = 0;
  for (const r of roots) totalSize += r.size;

  const sizeOrder = new WeakMap<TreeNode, readonly TreeNode[]>();
  let rootsBySize: readonly TreeNode[] | undefined;
  const nodes: readonly TreeNode[] = order;
  return {
    roots,
    nodes,
    totalSize,
    nodeOfEntry,
    childrenOf(node, sort) {
      const list = node ? node.children : roots;
      if (sort === "name" || list.length < 2) return list;
      if (!node) return (rootsBySize ??= [...list].sort(bySize));
      let sorted = sizeOrder.get(node);
      if (!sorted) {
        sorted = [...list].sort(bySize);
        sizeOrder.set(node, sorted);
      }
      return sorted;
    },
  };
}

/** Each node's display path in lower case, by node index; made on a tree's first filter. */
const lowerPaths = new WeakMap<FileTree, readonly string[]>();

function lowerPathsOf(tree: FileTree): readonly string[] {
  let lower = lowerPaths.get(tree);
  if (!lower) {
    lower = tree.nodes.map((n) => n.path.toLowerCase());
    lowerPaths.set(tree, lower);
  }
  return lower;
}

/** Does the once-per-tree part of {@link filterTree} now (views call it when idle), so the first filter is as fast as the next. */
export function prepareFilter(tree: FileTree): void {
  if (tree.prepareFilter) tree.prepareFilter();
  else lowerPathsOf(tree);
}

/**
 * The nodes whose display path contains `query` (case-insensitive), plus all their ancestors, so
 * every match can be reached. Undefined for an empty query (no filter). O(n) per query; the
 * paths are lower-cased once per tree (4× faster per query over a million paths).
 */
export function filterTree(tree: FileTree, query: string): ReadonlySet<TreeNode> | undefined {
  if (tree.filter) return tree.filter(query);
  const q = query.toLowerCase();
  if (q === "") return undefined;
  const lower = lowerPathsOf(tree);
  const keep = new Set<TreeNode>();
  const nodes = tree.nodes;
  for (let i = 0; i < nodes.length; i++) {
    if (!(lower[i] as string).includes(q)) continue;
    // Stop climbing at the first ancestor already kept: its own ancestors are kept too.
    for (let n: TreeNode | undefined = nodes[i]; n && !keep.has(n); n = n.parent) keep.add(n);
  }
  return keep;
}

/**
 * The rows to show, in order: top-level nodes and the children of every expanded node, depth
 * first. With `include`, only those nodes (a filter's result). Asks `descendants`, not
 * `children`, whether a node has any (a tree over columns makes children only when listed). Never descends into collapsed
 * directories, so the cost is the number of rows returned; a filter's rows in name order are
 * its nodes sorted by pre-order index, so the tree's other nodes are never visited.
 */
export function visibleRows(
  tree: FileTree,
  order: SortOrder,
  isExpanded: (node: TreeNode) => boolean,
  include?: ReadonlySet<TreeNode>,
): TreeNode[] {
  const rows: TreeNode[] = [];
  if (include && order === "name") {
    // A kept node's ancestors are all kept (filterTree), so the kept nodes in pre-order are the
    // rows, less the subtrees of folded directories (contiguous ranges of the pre-order).
    const kept = isOrdered(include) ? include.inPreOrder() : [...include].sort((a, b) => a.index - b.index);
    let skipThrough = -1;
    for (const n of kept) {
      if (n.index <= skipThrough) continue;
      rows.push(n);
      if (n.descendants > 0 && !isExpanded(n)) skipThrough = n.index + n.descendants;
    }
    return rows;
  }
  const stack: TreeNode[] = [];
  const pushChildren = (list: readonly TreeNode[]): void => {
    for (let i = list.length - 1; i >= 0; i--) {
      const n = list[i] as TreeNode;
      if (!include || include.has(n)) stack.push(n);
    }
  };
  pushChildren(tree.childrenOf(undefined, order));
  while (stack.length > 0) {
    const node = stack.pop() as TreeNode;
    rows.push(node);
    if (node.descendants > 0 && isExpanded(node)) pushChildren(tree.childrenOf(node, order));
  }
  return rows;
}
