/**
 * The merged tree over the core's columns (core/filetree/columns.ts): the same `MergedTree` the
 * object path (model.ts `buildMergedTree`) gives the view, but nothing is made per path up front.
 * A node object is made the first time something asks for it (a row in view, a filter's match, an
 * ancestor of one) and kept; its strings and its entry are made when read.
 *
 * Why: a million-entry image made a million of everything on the page before its first frame
 * (2.4 s, bench/README.md). Over columns, the first frame makes the top-level nodes only.
 */
import {
  HOW,
  entryTextStarts,
  NODE_DELETED,
  NODE_IMPLIED,
  NODE_UNDER_DELETED,
  filterColumns,
  hiddenAt,
  nameOf,
  nodeOf,
  packedVersion,
  pathOf,
  prepareColumnsFilter,
  type MergedColumns,
  type MergedEntry,
  type DeletedPath,
  type PathVersion,
} from "../../core/filetree";
import type { PackedEntries } from "../../core/pipeline/pack";
import type { LayerEntry } from "../../core/pipeline/types";
import type { FileTree, OrderedNodes, SortOrder, TreeNode } from "../layers/tree";
import type { MergedRow, MergedRows, MergedTree } from "./model";
import { MergedNodeBase, asEntry } from "./nodes";

const bySize = (a: TreeNode, b: TreeNode): number => b.size - a.size || (a.name < b.name ? -1 : a.name > b.name ? 1 : a.index - b.index);

/** A node of the tree over columns: its fields read from the columns, its strings made once. */
class ColumnNode extends MergedNodeBase implements TreeNode {
  private keyMade: string | undefined;
  private nameMade: string | undefined;
  private childrenMade: readonly TreeNode[] | undefined;
  private entryMade: LayerEntry | undefined;
  constructor(
    private readonly tree: ColumnsTree,
    readonly index: number,
  ) {
    super();
  }
  get key(): string {
    return (this.keyMade ??= pathOf(this.tree.cols, this.index));
  }
  get path(): string {
    return this.key;
  }
  get name(): string {
    return (this.nameMade ??= nameOf(this.tree.cols, this.index));
  }
  get parent(): TreeNode | undefined {
    const p = this.tree.cols.parent[this.index]!;
    return p < 0 ? undefined : this.tree.node(p);
  }
  get depth(): number {
    return this.tree.cols.depth[this.index]!;
  }
  get isDir(): boolean {
    return this.tree.cols.isDir[this.index] === 1;
  }
  get size(): number {
    return this.tree.cols.size[this.index]!;
  }
  get descendants(): number {
    return this.tree.cols.descendants[this.index]!;
  }
  get children(): readonly TreeNode[] {
    return (this.childrenMade ??= this.tree.childIndexes(this.index).map((i) => this.tree.node(i)));
  }
  /** For the row's icon and mode: the version shown (a deleted path's last), as an entry. */
  get entry(): LayerEntry | undefined {
    if (this.entryMade) return this.entryMade;
    const cols = this.tree.cols;
    const kind = cols.kind[this.index];
    if (kind === NODE_UNDER_DELETED) return undefined;
    const v = this.tree.version(this.index);
    this.entryMade = asEntry(this.key, v, kind === NODE_DELETED || v.type === "dir" ? 0 : v.size);
    return this.entryMade;
  }
}

/**
 * A filter's nodes over columns: their indexes in pre-order (filterColumns), a node object made
 * only when iterated or listed, membership by binary search. Building a Set of 334 000 nodes was
 * half of the worst filter's time.
 */
class KeptNodes implements OrderedNodes {
  private listed: readonly TreeNode[] | undefined;
  constructor(
    private readonly tree: ColumnsTree,
    private readonly indexes: Int32Array,
  ) {}
  get size(): number {
    return this.indexes.length;
  }
  has(node: TreeNode): boolean {
    const i = node.index;
    const at = lowerBound(this.indexes, i);
    return at < this.indexes.length && this.indexes[at] === i && this.tree.node(i) === node;
  }
  inPreOrder(): readonly TreeNode[] {
    if (this.listed) return this.listed;
    const out = new Array<TreeNode>(this.indexes.length);
    for (let k = 0; k < out.length; k++) out[k] = this.tree.node(this.indexes[k]!);
    return (this.listed = out);
  }
  forEach(f: (value: TreeNode, key: TreeNode, set: ReadonlySet<TreeNode>) => void, thisArg?: unknown): void {
    for (const n of this.inPreOrder()) f.call(thisArg, n, n, this);
  }
  *entries(): SetIterator<[TreeNode, TreeNode]> {
    for (const n of this.inPreOrder()) yield [n, n];
  }
  keys(): SetIterator<TreeNode> {
    return this.values();
  }
  *values(): SetIterator<TreeNode> {
    yield* this.inPreOrder();
  }
  [Symbol.iterator](): SetIterator<TreeNode> {
    return this.values();
  }
}

/** The first position of `a` (ascending) whose value is ≥ `x`. */
function lowerBound(a: Int32Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A FileTree over columns, with the filter done on the columns (see tree.ts `filterTree`). */
class ColumnsTree implements FileTree {
  private readonly made: (ColumnNode | undefined)[];
  private rootsMade: readonly TreeNode[] | undefined;
  private rootsBySize: readonly TreeNode[] | undefined;
  private readonly sizeOrder = new WeakMap<TreeNode, readonly TreeNode[]>();
  private allMade: readonly TreeNode[] | undefined;
  constructor(
    readonly cols: MergedColumns,
    /** The layers' packed entries, as given to mergeColumns: the versions are read from them. */
    readonly layers: readonly PackedEntries[],
  ) {
    this.made = new Array<ColumnNode | undefined>(cols.count);
  }
  node(i: number): ColumnNode {
    return (this.made[i] ??= new ColumnNode(this, i));
  }
  /** Node indexes of `i`'s children (or the top level for -1), in name order: each subtree is a run of the pre-order. */
  childIndexes(i: number): number[] {
    const out: number[] = [];
    const end = i < 0 ? this.cols.count : i + this.cols.descendants[i]! + 1;
    for (let c = i + 1; c < end; c += this.cols.descendants[c]! + 1) out.push(c);
    return out;
  }
  version(i: number): PathVersion {
    const layer = this.cols.layer[i]!;
    return packedVersion(this.layers[layer], layer, this.cols.entry[i]!);
  }
  get roots(): readonly TreeNode[] {
    return (this.rootsMade ??= this.childIndexes(-1).map((i) => this.node(i)));
  }
  /** Every node: made only when something needs them all ("expand all"). */
  get nodes(): readonly TreeNode[] {
    if (this.allMade) return this.allMade;
    const all = new Array<TreeNode>(this.cols.count);
    for (let i = 0; i < all.length; i++) all[i] = this.node(i);
    return (this.allMade = all);
  }
  get totalSize(): number {
    return this.cols.totalSize;
  }
  nodeOfEntry(): TreeNode | undefined {
    return undefined;
  }
  childrenOf(node: TreeNode | undefined, order: SortOrder): readonly TreeNode[] {
    const list = node ? node.children : this.roots;
    if (order === "name" || list.length < 2) return list;
    if (!node) return (this.rootsBySize ??= [...list].sort(bySize));
    let sorted = this.sizeOrder.get(node);
    if (!sorted) {
      sorted = [...list].sort(bySize);
      this.sizeOrder.set(node, sorted);
    }
    return sorted;
  }
  filter(query: string): OrderedNodes | undefined {
    const kept = filterColumns(this.cols, query);
    return kept === undefined ? undefined : new KeptNodes(this, kept);
  }
  prepareFilter(): void {
    prepareColumnsFilter(this.cols);
  }
}

/** The rows of the tree over columns, by path, made when asked. */
function columnsRows(tree: ColumnsTree): MergedRows {
  const { cols } = tree;
  const rowAt = (i: number): MergedRow | undefined => {
    const kind = cols.kind[i];
    if (kind === NODE_UNDER_DELETED) return undefined;
    const path = pathOf(cols, i);
    const version = tree.version(i);
    const hides = hiddenAt(cols, tree.layers, i);
    if (kind !== NODE_DELETED) {
      const entry: MergedEntry = { path, version, hides, implied: kind === NODE_IMPLIED };
      return { kind: "present", entry };
    }
    const removedBy = cols.removedBy[i]!;
    const markerPacked = tree.layers[removedBy];
    const marker = markerPacked ? pathAt(markerPacked, cols.marker[i]!) : "";
    const deleted: DeletedPath = { path, last: version, ...(hides.length > 0 ? { earlier: hides } : {}), removedBy, marker, how: HOW[cols.how[i]!] ?? "whiteout" };
    return { kind: "deleted", deleted };
  };
  return {
    get(key) {
      const i = nodeOf(cols, key);
      return i < 0 ? undefined : rowAt(i);
    },
    has(key) {
      const i = nodeOf(cols, key);
      return i >= 0 && cols.kind[i] !== NODE_UNDER_DELETED;
    },
    *keys() {
      for (let i = 0; i < cols.count; i++) if (cols.kind[i] !== NODE_UNDER_DELETED) yield pathOf(cols, i);
    },
  };
}

/** Entry `i`'s path in a packed layer. */
function pathAt(p: PackedEntries, i: number): string {
  const at = entryTextStarts(p)[i] ?? 0;
  return p.text.slice(at, at + (p.pathLen[i] ?? 0));
}

/** The view's tree over columns: `layers` are the packed layers the columns were merged from. */
export function mergedTreeOfColumns(cols: MergedColumns, layers: readonly PackedEntries[]): MergedTree {
  const tree = new ColumnsTree(cols, layers);
  return { tree, rows: columnsRows(tree), presentCount: cols.presentCount, deletedCount: cols.deletedCount };
}
