/**
 * The layer pipeline's plain-data results: what crosses from the workers to the page.
 * Everything here is structured-clone friendly (no classes, no functions).
 */
import type { Verification } from "../digest";
import type { LayerscopeError } from "../errors";
import type { TarEntryType as EntryType, WhiteoutKind } from "../tar";

/**
 * The kind of a tar entry (from its typeflag), and how its basename relates to OCI whiteouts
 * (`.wh.<name>`, `.wh..wh..opq`, other `.wh.` names "bad"): the tar parser's own types.
 */
export type { TarEntryType as EntryType, WhiteoutKind } from "../tar";

/** One entry of a layer's tar, as written (nothing resolved). */
export interface LayerEntry {
  /** Normalised path for display and lookup: no leading "./" or "/", no "//", no trailing "/". */
  readonly path: string;
  /** The path's exact bytes after PAX / GNU long-name records were applied. */
  readonly rawPath: Uint8Array;
  readonly type: EntryType;
  /** The raw typeflag character (e.g. "0", "5", "x"), for labelling unknown types. */
  readonly typeflag: string;
  /** Body size in bytes (0 for links and directories). */
  readonly size: number;
  /** Permission and mode bits from the header (e.g. 0o755), without the file-type bits. */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly uname: string;
  readonly gname: string;
  /** Modification time, seconds since the epoch (fractional with PAX). */
  readonly mtime: number;
  /** Symlink or hardlink target, as written. */
  readonly linkname?: string;
  readonly whiteout: WhiteoutKind;
  /** For a "whiteout" entry, the path it hides; for "opaque", the directory whose lower contents it hides. */
  readonly whiteoutTarget?: string;
  /** Offset of the 512-byte header in the uncompressed tar. */
  readonly headerOffset: number;
  /** Offset of the body in the uncompressed tar (for later extraction). */
  readonly dataOffset: number;
  /**
   * Oddities worth a badge: "unsafe-path" (escapes the root), "absolute-path" and "dotdot-path"
   * (normalised but written oddly), "invalid-utf8", "duplicate" (same path again in this layer),
   * "unsafe-link" (a symlink or hardlink whose target climbs above the root, T2: never followed).
   */
  readonly flags?: readonly string[];
}

/** Per-layer counts. Sizes in bytes. */
export interface LayerTotals {
  readonly entries: number;
  readonly files: number;
  readonly dirs: number;
  readonly symlinks: number;
  readonly hardlinks: number;
  readonly whiteouts: number;
  readonly opaques: number;
  readonly others: number;
  /** Sum of regular-file body sizes. */
  readonly fileBytes: number;
}

/** Where one layer's work stands. */
export type LayerStage = "queued" | "downloading" | "done" | "failed" | "cancelled";

export interface LayerProgress {
  readonly stage: LayerStage;
  /** Compressed bytes received so far, and the descriptor's size. */
  readonly compressedBytes: number;
  readonly compressedTotal: number;
  /** Uncompressed (tar) bytes hashed and parsed so far. */
  readonly uncompressedBytes: number;
  readonly entries: number;
  /** Recent throughput of the tar stream, bytes per second (0 until known). */
  readonly bytesPerSecond: number;
  /** HTTP status of the latest blob GET, once the proxy answered it. */
  readonly httpStatus?: number;
}

/**
 * One layer, indexed and verified. Produced once the stream ended (or failed).
 * `digestVerdict` compares the compressed blob with the manifest descriptor's digest;
 * `diffIdVerdict` compares the uncompressed tar, read to its very end, with `config.rootfs.diff_ids[i]`.
 */
export interface LayerIndex {
  /** Position in manifest.layers (base first). */
  readonly layerIndex: number;
  readonly digest: string;
  readonly diffId: string | undefined;
  readonly mediaType: string;
  /** Compression found by magic bytes (the media type is only a hint). */
  readonly compression: "gzip" | "zstd" | "none";
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  /** Entries in tar order. */
  readonly entries: readonly LayerEntry[];
  readonly totals: LayerTotals;
  /** Non-fatal oddities, in words: media type vs magic, trailing data, duplicate paths, unsafe paths… */
  readonly warnings: readonly string[];
  readonly digestVerdict: Verification;
  readonly diffIdVerdict: Verification;
  /** Set when the stream stopped early: entries are then partial. */
  readonly error?: LayerscopeError;
  /** True when `entries` is not the whole layer. */
  readonly partial: boolean;
}

/** True only when both verdicts are "verified": anything else is shown as untrusted. */
export function isTrusted(layer: Pick<LayerIndex, "digestVerdict" | "diffIdVerdict" | "error">): boolean {
  return layer.error === undefined && layer.digestVerdict.status === "verified" && layer.diffIdVerdict.status === "verified";
}
