/**
 * What the tar parser produces: plain data only (structured-clone friendly: no classes, no
 * functions; Maps and Uint8Arrays survive postMessage), so entries can cross from a worker to
 * the page as they are.
 */
import type { LayerscopeError } from "../errors";
import type { UnsafeReason, WhiteoutKind } from "./path";

/**
 * The kind of an entry, from its typeflag (POSIX ustar, GNU tar "tar.h"). "sparse" is a GNU
 * sparse file (typeflag 'S', or a PAX GNU.sparse.* entry): its body is not the file's bytes
 * as they are. "unknown" keeps the raw typeflag in {@link TarEntry.typeflag} (T13).
 * Same words as `EntryType` in src/core/pipeline/types.ts.
 */
export type TarEntryType = "file" | "hardlink" | "symlink" | "char" | "block" | "dir" | "fifo" | "contiguous" | "sparse" | "unknown";

/** One entry of a tar stream, as written: nothing resolved, nothing followed. */
export interface TarEntry {
  /**
   * Normalised path for display and lookup (see `normalisePath`): no leading "./" or "/", no
   * "//" or "." components, no trailing "/", ".." resolved unless the path climbs above the root
   * (then kept as written and flagged by {@link unsafe}); "" is the root directory itself. Decoded from
   * {@link rawPath} losslessly: a byte that is not valid UTF-8 becomes the lone surrogate
   * U+DC00+byte (see `surrogateEscape`), so different raw names are different paths.
   */
  readonly path: string;
  /** The name's exact bytes after PAX and GNU long-name records were applied (Go's `Header.Name`). */
  readonly rawPath: Uint8Array;
  /** `rawPath` decoded for display, not normalised (what `tar -t` would print). */
  readonly originalPath: string;
  /** True when `rawPath` is not valid UTF-8. */
  readonly pathInvalidUtf8: boolean;
  /** Why the path could place this entry outside the layer root, if it could (SECURITY T1). */
  readonly unsafe: UnsafeReason | undefined;
  readonly type: TarEntryType;
  /** The raw typeflag character ("0", "5", "\u0000" for V7 files, "D", …). */
  readonly typeflag: string;
  /**
   * The file's size in bytes: the header or PAX `size`, or for a sparse file its real
   * (expanded) size. 0 for types that have no body (links, directories, devices, FIFOs).
   */
  readonly size: number;
  /** Bytes of body stored at {@link dataOffset}, before block padding. Equals `size` except for sparse files. */
  readonly dataSize: number;
  /** Permission bits, setuid/setgid/sticky included (mode & 0o7777); file-type bits some old tars add are dropped. */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  /** Owner names; "" in V7 headers, which have none. */
  readonly uname: string;
  readonly gname: string;
  /** Modification time, seconds since the epoch (fractional when a PAX `mtime` gives one). */
  readonly mtime: number;
  /** Symlink or hardlink target as written (decoded for display); undefined when the header has none. */
  readonly linkname?: string;
  readonly rawLinkname?: Uint8Array;
  readonly linknameInvalidUtf8?: boolean;
  /**
   * Set when a symlink's or hardlink's target, read lexically, reaches outside the layer root
   * (see `linkUnsafe`). Nothing is resolved (T2): later entries under a symlink keep their
   * literal paths, and judging them is the merge's job.
   */
  readonly linkUnsafe?: UnsafeReason;
  /** Device numbers of character and block devices. */
  readonly devmajor?: number;
  readonly devminor?: number;
  readonly whiteout: WhiteoutKind;
  /** For "whiteout", the normalised path it hides; for "opaque", the directory ("" = root). */
  readonly whiteoutTarget?: string;
  /** Offset of this entry's own 512-byte header in the uncompressed tar. */
  readonly headerOffset: number;
  /** Offset of the first PAX or GNU meta header that belongs to this entry, when there is one. */
  readonly metaOffset?: number;
  /** Offset of the body in the uncompressed tar (after any sparse extension blocks). */
  readonly dataOffset: number;
  /**
   * PAX records this parser does not apply (xattrs such as `SCHILY.xattr.security.capability`,
   * `atime`, `ctime`, GNU sparse keys…), values decoded as UTF-8 with replacement. A Map, so a
   * keyword like `__proto__` is only data (T12).
   */
  readonly pax?: ReadonlyMap<string, string>;
}

/** A PAX global header (typeflag 'g'): shown, not applied (see the parser's doc comment). */
export interface TarGlobalHeader {
  readonly headerOffset: number;
  readonly records: ReadonlyMap<string, string>;
}

/** Something odd that did not stop parsing. */
export interface TarWarning {
  readonly code:
    | "global-header"
    | "trailing-data"
    | "orphan-meta"
    | "gnu-name-overrides-pax"
    | "body-ignored"
    | "unknown-sparse-format";
  readonly message: string;
  readonly offset: number;
}

/** Machine-readable cause of a `corrupt-tar` error. */
export type TarErrorCode =
  | "bad-checksum"
  | "bad-field"
  | "bad-size"
  | "bad-pax"
  | "bad-sparse"
  | "lone-zero-block"
  | "truncated-header"
  | "truncated-body"
  | "missing-end-marker";

/**
 * Why parsing stopped. Both shapes are members of {@link LayerscopeError} (plus `code` /
 * `offset` for tests and badges), so they can be handed on as they are.
 */
export type TarError =
  | { readonly kind: "corrupt-tar"; readonly code: TarErrorCode; readonly reason: string; readonly offset: number }
  | { readonly kind: "limit-exceeded"; readonly what: TarLimit; readonly limit: number; readonly detail: string; readonly offset: number };

/** Names of the parser's safety limits, as they appear in `limit-exceeded` errors. */
export type TarLimit = "tar entries" | "tar meta entry size" | "tar path length";

/** Compile-time proof that a TarError is a LayerscopeError. */
export const asLayerscopeError = (e: TarError): LayerscopeError => e;

/** What the parser saw, once the stream ended (or failed). Offsets and sizes in bytes. */
export interface TarSummary {
  /** Entries in tar order (empty when the parser was created with `collect: false`). */
  readonly entries: readonly TarEntry[];
  readonly entryCount: number;
  readonly globalHeaders: readonly TarGlobalHeader[];
  readonly warnings: readonly TarWarning[];
  /** Total bytes pushed, the whole stream (this is what a diff_id hashes). */
  readonly totalBytes: number;
  /** Offset of the first of the two zero blocks; undefined when no end marker was read. */
  readonly endMarkerOffset: number | undefined;
  /** Offset just past the end marker: where the archive proper ends. */
  readonly endOffset: number | undefined;
  /** Bytes after the end marker (GNU tar pads to 10 240-byte records, so zeros here are usual). */
  readonly trailingBytes: number;
  /** True when every trailing byte is zero (also true when there are none). */
  readonly trailingAllZero: boolean;
  /** Set when parsing stopped early; the entries before `error.offset` are kept. */
  readonly error: TarError | undefined;
  /** True when `entries` may not be the whole archive (there was an error). */
  readonly partial: boolean;
}

export interface TarParserOptions {
  /**
   * Largest PAX ('x'/'g') or GNU long name/link ('L'/'K') body held in memory, and the total of
   * GNU sparse extension blocks. Go's archive/tar uses the same 1 MiB (`maxSpecialFileSize`).
   */
  readonly maxMetaBytes?: number;
  /** Entries after which parsing stops with a clear error (SECURITY T11). */
  readonly maxEntries?: number;
  /** Longest entry path or link target, in bytes. Linux's PATH_MAX is 4 096; we allow far more. */
  readonly maxPathBytes?: number;
  /** Keep entries in the summary (default true). Turn off when `onEntry` consumes them. */
  readonly collect?: boolean;
  /** Called for each entry as soon as its header (and meta headers) are parsed, in tar order. */
  readonly onEntry?: (entry: TarEntry) => void;
}

/** 1 MiB: the same cap as Go's archive/tar for PAX and GNU long-name bodies. */
export const DEFAULT_MAX_META_BYTES = 1 << 20;
/** One million entries: ten times a large real filesystem layer (a full distro is ~100 000). */
export const DEFAULT_MAX_ENTRIES = 1_000_000;
/** 64 KiB: sixteen times PATH_MAX, so only hostile names reach it. */
export const DEFAULT_MAX_PATH_BYTES = 64 * 1024;
