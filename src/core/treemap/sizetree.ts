/**
 * The merged filesystem as a tree of sizes, for the treemap: every path a node, a directory's size
 * the sum of the file bodies below it, children sorted biggest first.
 *
 * Flat typed arrays rather than an object per path: a few megabytes for 200 000 paths, and plain
 * data a worker can transfer (only the names are cloned), instead of 200 000 objects. Building
 * it takes about 170 ms for 200 000 paths in Node 20 (most of it the path → id Map), so the page
 * builds it in the filetree worker, beside the efficiency report (src/workers/filetree-runner.ts).
 * Node 0 is the root (path ""); a node's parent always has a smaller id.
 *
 * Sizes are tar body sizes (PathVersion.size): a hard link counts 0 (its bytes are its target's),
 * as do symlinks, devices and directories themselves.
 */
import type { MergedFilesystem } from "../filetree/types";

/** What a node stands for (symlinks, hard links, devices, FIFOs… are "other": shown, 0 bytes). */
export const NodeKind = { Dir: 0, File: 1, Other: 2 } as const;
export type NodeKind = (typeof NodeKind)[keyof typeof NodeKind];

export interface SizeTree {
  /** Number of nodes (the root included). */
  readonly count: number;
  /** Last path component of each node ("" for the root). */
  readonly names: readonly string[];
  /** Parent id (-1 for the root). */
  readonly parent: Int32Array;
  /** Bytes: a file's body size, a directory's sum over its subtree. */
  readonly size: Float64Array;
  /** The layer (0-based, manifest order) whose version is visible at the top; -1 for the root. */
  readonly layer: Int32Array;
  readonly kind: Uint8Array;
  /** Regular files in the subtree (1 for a file). */
  readonly files: Int32Array;
  /** Children of node i: `children[childStart[i] … childStart[i + 1])`, biggest first, then by name. */
  readonly childStart: Int32Array;
  readonly children: Int32Array;
}

const parentOf = (path: string): string => {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? "" : path.slice(0, slash);
};

/**
 * The size tree of a merged filesystem (usually the top layer's, `mergeLayers(layers)`). Deleted
 * paths are not in it: they take no space in the final filesystem.
 */
export function buildSizeTree(fs: Pick<MergedFilesystem, "entries">): SizeTree {
  const capacity = fs.entries.size + 1;
  const names: string[] = [""];
  const paths: string[] = [""];
  const ids = new Map<string, number>([["", 0]]);
  let parents = new Int32Array(capacity + 16).fill(-1);
  let size = new Float64Array(capacity + 16);
  let layer = new Int32Array(capacity + 16).fill(-1);
  let kind = new Uint8Array(capacity + 16);

  const grow = (): void => {
    // Only when a path's ancestor is missing from the entries (the merge always lists them).
    const n = parents.length * 2;
    const p2 = new Int32Array(n).fill(-1);
    p2.set(parents);
    parents = p2;
    const s2 = new Float64Array(n);
    s2.set(size);
    size = s2;
    const l2 = new Int32Array(n).fill(-1);
    l2.set(layer);
    layer = l2;
    const k2 = new Uint8Array(n);
    k2.set(kind);
    kind = k2;
  };

  /** The id of `path`, creating it (and missing ancestors, as directories) first. Iterative: paths may be thousands deep. */
  const idOf = (path: string): number => {
    const known = ids.get(path);
    if (known !== undefined) return known;
    const missing: string[] = [];
    let p = path;
    while (p !== "" && !ids.has(p)) {
      missing.push(p);
      p = parentOf(p);
    }
    let id = -1;
    for (let k = missing.length - 1; k >= 0; k--) {
      const q = missing[k] as string;
      id = names.length;
      if (id >= parents.length) grow();
      names.push(q.slice(q.lastIndexOf("/") + 1));
      paths.push(q);
      ids.set(q, id);
      parents[id] = ids.get(parentOf(q)) as number;
    }
    return id;
  };

  for (const [path, entry] of fs.entries) {
    if (path === "") continue;
    const id = idOf(path);
    const v = entry.version;
    layer[id] = v.layer;
    if (v.type === "dir") kind[id] = NodeKind.Dir;
    else if (v.type === "file") {
      kind[id] = NodeKind.File;
      size[id] = v.size;
    } else kind[id] = NodeKind.Other;
  }

  const count = names.length;
  const files = new Int32Array(count);
  // Parents have smaller ids: one pass from the deepest ids up sums every subtree.
  for (let id = count - 1; id > 0; id--) {
    if (kind[id] === NodeKind.File) files[id] = (files[id] ?? 0) + 1;
    const p = parents[id] as number;
    size[p] = (size[p] ?? 0) + (size[id] as number);
    files[p] = (files[p] ?? 0) + (files[id] as number);
  }

  // Children lists (CSR), then each sorted biggest first, ties by name (deterministic).
  const childStart = new Int32Array(count + 1);
  for (let id = 1; id < count; id++) {
    const slot = (parents[id] as number) + 1;
    childStart[slot] = (childStart[slot] as number) + 1;
  }
  for (let id = 0; id < count; id++) childStart[id + 1] = (childStart[id + 1] as number) + (childStart[id] as number);
  const fill = childStart.slice(0, count);
  const children = new Int32Array(Math.max(0, count - 1));
  for (let id = 1; id < count; id++) {
    const p = parents[id] as number;
    const at = fill[p] as number;
    children[at] = id;
    fill[p] = at + 1;
  }
  const finalSize = size.subarray(0, count);
  const byBiggest = (a: number, b: number): number => {
    const d = (finalSize[b] as number) - (finalSize[a] as number);
    if (d !== 0) return d;
    const na = names[a] as string;
    const nb = names[b] as string;
    return na < nb ? -1 : na > nb ? 1 : a - b;
  };
  for (let id = 0; id < count; id++) {
    const from = childStart[id] as number;
    const to = childStart[id + 1] as number;
    if (to - from > 1) children.subarray(from, to).sort(byBiggest);
  }

  return {
    count,
    names,
    parent: parents.slice(0, count),
    size: finalSize.slice(),
    layer: layer.slice(0, count),
    kind: kind.slice(0, count),
    files,
    childStart,
    children,
  };
}

/** The path of node `id` ("" for the root). */
export function pathOf(tree: SizeTree, id: number): string {
  const parts: string[] = [];
  for (let n = id; n > 0; n = tree.parent[n] as number) parts.push(tree.names[n] as string);
  return parts.reverse().join("/");
}

/** The ids from the root down to `id`, both included: a breadcrumb. */
export function ancestorsOf(tree: SizeTree, id: number): number[] {
  const out: number[] = [];
  for (let n = id; n >= 0; n = tree.parent[n] as number) out.push(n);
  return out.reverse();
}

/** The children of node `id`, biggest first. */
export function childrenOf(tree: SizeTree, id: number): Int32Array {
  return tree.children.subarray(tree.childStart[id] as number, tree.childStart[id + 1] as number);
}

/** The id of `path` (as in MergedEntry, "" for the root), or undefined: one walk down the children by name. */
export function findPath(tree: SizeTree, path: string): number | undefined {
  if (path === "") return 0;
  let id = 0;
  for (const name of path.split("/")) {
    let next: number | undefined;
    for (const c of childrenOf(tree, id)) {
      if (tree.names[c] === name) {
        next = c;
        break;
      }
    }
    if (next === undefined) return undefined;
    id = next;
  }
  return id;
}

/** The buffers of a size tree, for a worker's transfer list. */
export function sizeTreeBuffers(tree: SizeTree): ArrayBuffer[] {
  return [tree.parent, tree.size, tree.layer, tree.kind, tree.files, tree.childStart, tree.children].map((a) => a.buffer as ArrayBuffer);
}

/**
 * Bytes of regular files per providing layer under the given nodes (each node's whole subtree),
 * biggest first: what a closed directory or a "small items" tile is made of.
 */
export function layerBytesUnder(tree: SizeTree, roots: Iterable<number>): { readonly layer: number; readonly bytes: number }[] {
  const bytes = new Map<number, number>();
  const stack = [...roots];
  while (stack.length > 0) {
    const id = stack.pop() as number;
    if (tree.kind[id] === NodeKind.File) {
      const layer = tree.layer[id] as number;
      bytes.set(layer, (bytes.get(layer) ?? 0) + (tree.size[id] as number));
    }
    for (const c of childrenOf(tree, id)) stack.push(c);
  }
  return [...bytes].map(([layer, b]) => ({ layer, bytes: b })).sort((a, b) => b.bytes - a.bytes || a.layer - b.layer);
}
