/**
 * Test-only: MergedColumns turned back into the objects the object merge and the merged view's
 * tree give (MergedEntry and DeletedPath maps, an ordered node list), so the columnar merge can be
 * compared with `mergeLayersExactly` + `buildMergedTree` field by field; and layer entries made
 * from the MergeInput values the random stacks use (packEntries wants whole LayerEntry values).
 */
import type { LayerEntry } from "../../pipeline/types";
import type { PackedEntries } from "../../pipeline/pack";
import { HOW, NODE_DELETED, NODE_IMPLIED, NODE_PRESENT, NODE_UNDER_DELETED, hiddenAt, nameOf, pathOf, versionAt, type MergedColumns } from "../columns";
import type { MergeInput } from "../merge";
import type { DeletedPath, MergedEntry, MergedFilesystem } from "../types";

/** A display-tree node as plain data: what finishTree computes, and what the node stands for. */
export interface PlainNode {
  readonly key: string;
  readonly name: string;
  /** Index of the parent in the node list, -1 at the top level. */
  readonly parent: number;
  readonly depth: number;
  readonly size: number;
  readonly descendants: number;
  readonly isDir: boolean;
  readonly kind: "present" | "implied" | "deleted" | "under-deleted";
}

export interface PlainColumns {
  readonly entries: Map<string, MergedEntry>;
  readonly deleted: Map<string, DeletedPath>;
  readonly nodes: PlainNode[];
}

const KINDS = { [NODE_PRESENT]: "present", [NODE_IMPLIED]: "implied", [NODE_DELETED]: "deleted", [NODE_UNDER_DELETED]: "under-deleted" } as const;

/** The columns as objects, in the same key order as merge.ts builds them. */
export function plainColumns(cols: MergedColumns, layers: readonly PackedEntries[]): PlainColumns {
  const entries = new Map<string, MergedEntry>();
  const deleted = new Map<string, DeletedPath>();
  const nodes: PlainNode[] = [];
  for (let i = 0; i < cols.count; i++) {
    const key = pathOf(cols, i);
    const kind = cols.kind[i] as keyof typeof KINDS;
    nodes.push({ key, name: nameOf(cols, i), parent: cols.parent[i]!, depth: cols.depth[i]!, size: cols.size[i]!, descendants: cols.descendants[i]!, isDir: cols.isDir[i] === 1, kind: KINDS[kind] });
    const version = versionAt(cols, layers, i);
    if (version === undefined) continue;
    const hides = hiddenAt(cols, layers, i);
    if (kind === NODE_DELETED) {
      const layer = cols.removedBy[i]!;
      const markerLayer = layers[layer] as PackedEntries;
      const markerPath = layerPath(markerLayer, cols.marker[i]!);
      deleted.set(key, { path: key, last: version, ...(hides.length > 0 ? { earlier: hides } : {}), removedBy: layer, marker: markerPath, how: HOW[cols.how[i]!]! });
    } else entries.set(key, { path: key, version, hides, implied: kind === NODE_IMPLIED });
  }
  return { entries, deleted, nodes };
}

/** Entry `i`'s path in a packed layer (a slow walk: tests only). */
function layerPath(p: PackedEntries, i: number): string {
  let at = 0;
  for (let k = 0; k < i; k++) at += p.pathLen[k]! + Math.max(0, p.linkLen[k]!) + Math.max(0, p.targetLen[k]!);
  return p.text.slice(at, at + p.pathLen[i]!);
}

/** Paths that are never rows: the root entry and ".". */
const isRow = (path: string): boolean => path !== "" && path !== ".";

/** The object merge's maps as the columns can hold them: rows only; deleted paths only when shown. */
export function comparableFs(fs: MergedFilesystem, showDeleted: boolean): { entries: Map<string, MergedEntry>; deleted: Map<string, DeletedPath> } {
  const entries = new Map([...fs.entries].filter(([p]) => isRow(p)));
  const deleted = new Map(showDeleted ? [...fs.deleted].filter(([p]) => isRow(p) && !fs.entries.has(p)) : []);
  return { entries, deleted };
}

/** The first difference between two maps (values compared as JSON; insertion order ignored), or undefined. */
export function mapDifference<V>(got: ReadonlyMap<string, V>, want: ReadonlyMap<string, V>): string | undefined {
  if (got.size !== want.size) return `${got.size} paths ≠ ${want.size}: extra ${JSON.stringify([...got.keys()].filter((k) => !want.has(k)).slice(0, 5))}, missing ${JSON.stringify([...want.keys()].filter((k) => !got.has(k)).slice(0, 5))}`;
  for (const [k, v] of want) {
    const g = JSON.stringify(got.get(k));
    const w = JSON.stringify(v);
    if (g !== w) return `${JSON.stringify(k.slice(0, 200))}: ${g?.slice(0, 2000)} ≠ ${w.slice(0, 2000)}`;
  }
  return undefined;
}

const NO_BYTES = new Uint8Array(0);
const utf8 = new TextEncoder();

/** A whole LayerEntry from a MergeInput (what the random stacks make), for packEntries. */
export function asLayerEntry(m: MergeInput): LayerEntry {
  return {
    path: m.path,
    rawPath: m.path === "" ? NO_BYTES : utf8.encode(m.path),
    type: m.type,
    typeflag: m.type === "dir" ? "5" : "0",
    size: m.size,
    mode: m.mode,
    uid: m.uid,
    gid: m.gid,
    uname: m.uname ?? "",
    gname: m.gname ?? "",
    mtime: m.mtime,
    ...(m.linkname !== undefined ? { linkname: m.linkname } : {}),
    whiteout: m.whiteout,
    ...(m.whiteoutTarget !== undefined ? { whiteoutTarget: m.whiteoutTarget } : {}),
    headerOffset: 0,
    dataOffset: 0,
    ...(m.flags !== undefined ? { flags: m.flags } : {}),
  };
}
