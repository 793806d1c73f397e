/**
 * What every node of the merged tree shares, whatever it is built from (the object merge,
 * model.ts, or the columns, columnsTree.ts): its entry made from a version for the row's icon and
 * mode, and none of a layer tree's tar bookkeeping.
 */
import type { PathVersion } from "../../core/filetree";
import type { LayerEntry } from "../../core/pipeline/types";

const NO_BYTES = new Uint8Array(0);

/**
 * A PathVersion as a LayerEntry, so the layers feature's tree model (buildFileTree, filterTree,
 * visibleRows) and its icons and mode strings serve the merged view too. Only the display fields
 * matter; offsets and raw bytes are not used.
 */
export function asEntry(path: string, v: PathVersion, size: number): LayerEntry {
  return {
    path,
    rawPath: NO_BYTES,
    type: v.type,
    typeflag: "",
    size,
    mode: v.mode,
    uid: v.uid,
    gid: v.gid,
    uname: v.uname ?? "",
    gname: v.gname ?? "",
    mtime: v.mtime,
    ...(v.linkname !== undefined ? { linkname: v.linkname } : {}),
    whiteout: "none",
    headerOffset: 0,
    dataOffset: 0,
  };
}

/** A merged tree node has no tar entry index, opaque marker or duplicates: those are a layer tree's. */
export abstract class MergedNodeBase {
  get entryIndex(): number {
    return -1;
  }
  get opaqueEntry(): undefined {
    return undefined;
  }
  get duplicates(): number {
    return 0;
  }
}
