/**
 * The overlay-merged filesystem of an image, and comparisons between two of them: plain data,
 * shared by the merge (merge.ts), efficiency (efficiency.ts), the file diff (diff.ts) and the UI.
 * Layers are numbered by their position in manifest.layers, base first, 0-based.
 */
import type { EntryType } from "../pipeline/types";

/** One version of a path, as one layer wrote it. */
export interface PathVersion {
  /** The layer that wrote it. */
  readonly layer: number;
  readonly type: EntryType;
  /** Body size in bytes (0 for directories and links). */
  readonly size: number;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  /** Owner names from the tar header, when it has them. */
  readonly uname?: string;
  readonly gname?: string;
  readonly linkname?: string;
  readonly mtime: number;
}

/** A path present in the merged filesystem. */
export interface MergedEntry {
  readonly path: string;
  /** The version that wins: written by the highest layer that has this path and was not later hidden. */
  readonly version: PathVersion;
  /** Lower versions of this path that `version` hides, highest layer first. */
  readonly hides: readonly PathVersion[];
  /** True when no layer wrote this path: a directory implied by deeper paths. */
  readonly implied: boolean;
}

/** A path removed by a whiteout or an opaque marker (shown on request). */
export interface DeletedPath {
  readonly path: string;
  /** The last version before it was removed. */
  readonly last: PathVersion;
  /** Versions before `last` that it had hidden, highest layer first (absent when none). */
  readonly earlier?: readonly PathVersion[];
  /** The layer whose whiteout or opaque marker removed it. */
  readonly removedBy: number;
  /** The marker's own path: ".wh.<name>" or "<dir>/.wh..wh..opq". */
  readonly marker: string;
  readonly how: "whiteout" | "opaque" | "replaced-by-non-directory";
}

/** An oddity found while merging: flagged beside the result, never fatal (SECURITY T4, T5). */
export interface MergeWarning {
  readonly layer: number;
  readonly path: string;
  readonly kind:
    | "whiteout-of-missing-path"
    | "whiteout-of-same-layer-entry"
    | "duplicate-in-layer"
    | "opaque-after-children"
    | "bad-whiteout-name"
    | "unsafe-path"
    | "hardlink-to-missing-target"
    /** A path under a lower symlink: indexed at its literal path, the link not followed (T2). */
    | "path-through-symlink";
  readonly detail: string;
}

/** The filesystem as of layer `upTo` (inclusive): what `docker run` would see if the image stopped there. */
export interface MergedFilesystem {
  readonly upTo: number;
  /** Merged entries by path. Map, never an object: names like `__proto__` are plain paths (T12). */
  readonly entries: ReadonlyMap<string, MergedEntry>;
  readonly deleted: ReadonlyMap<string, DeletedPath>;
  readonly warnings: readonly MergeWarning[];
}
