/**
 * Stage (b): the uncompressed stream. Every byte is hashed for the diff_id to the very end of
 * the stream (bytes after the tar end marker are part of it, SECURITY D3), and tar headers are
 * parsed as they pass (bodies skipped, never copied). Entries become {@link LayerEntry} values
 * as soon as their header is read; nothing else of the stream is kept.
 */
import { createBlobVerifier, isSizeError, type BlobVerifier } from "../digest/incremental";
import type { Verification } from "../digest";
import type { LayerscopeError } from "../errors";
import { asLayerscopeError, createTarParser, type TarEntry, type TarParser } from "../tar";
import { reportedCompression, type BlobOutcome } from "./blob";
import type { LayerJob } from "./job";
import type { LayerEntry, LayerIndex, LayerTotals } from "./types";

/** Stage (b)'s handle: push the uncompressed stream in order, then finish with stage (a)'s outcome. */
export interface TarStage {
  /** Hashes and parses the next chunk. The chunk is not kept. */
  push(chunk: Uint8Array): void;
  /** Uncompressed bytes pushed so far. */
  readonly uncompressedBytes: number;
  /** Entries indexed so far. */
  readonly entryCount: number;
  /** Ends the stream and assembles the layer's result. Call once. */
  finish(blob: BlobOutcome): LayerIndex;
}

const EMPTY_TOTALS: LayerTotals = { entries: 0, files: 0, dirs: 0, symlinks: 0, hardlinks: 0, whiteouts: 0, opaques: 0, others: 0, fileBytes: 0 };

/** Flags on {@link LayerEntry.flags}: the contract's three, how a harmless odd path was written, and escaping links. */
const FLAG_UNSAFE = "unsafe-path";
const FLAG_INVALID_UTF8 = "invalid-utf8";
const FLAG_DUPLICATE = "duplicate";
const FLAG_ABSOLUTE = "absolute-path";
const FLAG_DOTDOT = "dotdot-path";
/** A symlink or hardlink whose target, read lexically, climbs above the layer root (T2): listed, never followed. */
const FLAG_UNSAFE_LINK = "unsafe-link";

/** The pipeline's plain-data entry for a parsed tar header, with the flags the caller found. */
export function toLayerEntry(e: TarEntry, flags: readonly string[]): LayerEntry {
  return {
    path: e.path,
    rawPath: e.rawPath,
    type: e.type,
    typeflag: e.typeflag,
    size: e.size,
    mode: e.mode,
    uid: e.uid,
    gid: e.gid,
    uname: e.uname,
    gname: e.gname,
    mtime: e.mtime,
    ...(e.linkname !== undefined ? { linkname: e.linkname } : {}),
    whiteout: e.whiteout,
    ...(e.whiteoutTarget !== undefined ? { whiteoutTarget: e.whiteoutTarget } : {}),
    headerOffset: e.headerOffset,
    dataOffset: e.dataOffset,
    ...(flags.length > 0 ? { flags } : {}),
  };
}

/**
 * Starts stage (b) for `job`. The diff_id hasher is the same verify-while-streaming check as the
 * blob's, without a size: a missing diff_id or an algorithm we cannot compute is "unverifiable".
 */
export async function createTarStage(job: LayerJob): Promise<TarStage> {
  const verifier: BlobVerifier | undefined = job.diffId !== undefined ? await createBlobVerifier(job.diffId) : undefined;
  const limits = job.limits ?? {};
  const entries: LayerEntry[] = [];
  // A Map, so names like "__proto__" are only data (T12).
  const seen = new Map<string, number>();
  let duplicates = 0;
  let unsafe = 0;
  let unsafeLinks = 0;
  let invalidNames = 0;
  let files = 0;
  let dirs = 0;
  let symlinks = 0;
  let hardlinks = 0;
  let whiteouts = 0;
  let opaques = 0;
  let others = 0;
  let fileBytes = 0;
  let bytes = 0;
  let finished = false;

  function onEntry(e: TarEntry): void {
    const flags: string[] = [];
    if (e.unsafe === "escapes-root") {
      flags.push(FLAG_UNSAFE);
      unsafe++;
    } else if (e.unsafe === "absolute") flags.push(FLAG_ABSOLUTE);
    else if (e.unsafe === "dotdot") flags.push(FLAG_DOTDOT);
    if (e.linkUnsafe === "escapes-root") {
      flags.push(FLAG_UNSAFE_LINK);
      unsafeLinks++;
    }
    if (e.pathInvalidUtf8) {
      flags.push(FLAG_INVALID_UTF8);
      invalidNames++;
    }
    // Paths are lossless (invalid bytes escaped as lone surrogates), so the path is the key.
    const key = e.path;
    const before = seen.get(key);
    if (before !== undefined) {
      // T5: the same path twice in one layer; the last one wins when extracted.
      flags.push(FLAG_DUPLICATE);
      duplicates++;
    }
    seen.set(key, entries.length);

    switch (e.type) {
      case "file":
      case "contiguous":
      case "sparse":
        files++;
        fileBytes += e.size;
        break;
      case "dir":
        dirs++;
        break;
      case "symlink":
        symlinks++;
        break;
      case "hardlink":
        hardlinks++;
        break;
      default:
        others++;
    }
    if (e.whiteout === "whiteout") whiteouts++;
    else if (e.whiteout === "opaque") opaques++;

    entries.push(toLayerEntry(e, flags));
  }

  const parser: TarParser = createTarParser({
    collect: false,
    onEntry,
    ...(limits.maxEntries !== undefined ? { maxEntries: limits.maxEntries } : {}),
    ...(limits.maxMetaBytes !== undefined ? { maxMetaBytes: limits.maxMetaBytes } : {}),
    ...(limits.maxPathBytes !== undefined ? { maxPathBytes: limits.maxPathBytes } : {}),
  });

  return {
    push(chunk) {
      if (finished) throw new Error("tar stage: push() after finish()");
      bytes += chunk.length;
      verifier?.update(chunk);
      // After a tar error the parser only counts: the hash above still sees every byte (drain).
      parser.push(chunk);
    },
    get uncompressedBytes() {
      return bytes;
    },
    get entryCount() {
      return entries.length;
    },
    finish(blob) {
      if (finished) throw new Error("tar stage: finish() called twice");
      finished = true;
      const summary = parser.end();
      const warnings: string[] = [...blob.warnings];

      let diffIdVerdict: Verification;
      if (job.diffId === undefined) {
        diffIdVerdict = { status: "unverifiable", digest: "", reason: "the image config has no diff_id for this layer" };
      } else if (!blob.decodedToEnd) {
        verifier?.finish();
        diffIdVerdict = { status: "unverifiable", digest: job.diffId, reason: "the layer could not be decompressed to its end" };
      } else {
        const v = verifier!.finish();
        // No size was given, so a size error cannot happen; keep the type honest anyway.
        diffIdVerdict = isSizeError(v) ? { status: "unverifiable", digest: job.diffId, reason: "size error" } : v;
      }

      // When the stream stopped early, the blob's error explains it better than the tar's
      // complaint about a cut archive; otherwise a tar error (corrupt header, limit) is the error.
      const tarError: LayerscopeError | undefined = summary.error !== undefined ? asLayerscopeError(summary.error) : undefined;
      for (const w of summary.warnings) warnings.push(w.message);
      if (duplicates > 0) warnings.push(`${duplicates} path${duplicates === 1 ? " appears" : "s appear"} more than once in this layer; the last one wins`);
      if (unsafe > 0) warnings.push(`${unsafe} path${unsafe === 1 ? " climbs" : "s climb"} above the layer root ("..") and ${unsafe === 1 ? "is" : "are"} kept out of the merged view`);
      if (unsafeLinks > 0) {
        warnings.push(`${unsafeLinks} link${unsafeLinks === 1 ? " points" : "s point"} above the layer root ("..") and ${unsafeLinks === 1 ? "is" : "are"} listed, never followed`);
      }
      if (invalidNames > 0) warnings.push(`${invalidNames} name${invalidNames === 1 ? " is" : "s are"} not valid UTF-8 (each invalid byte is shown escaped)`);

      const error = blob.error ?? tarError;
      const totals: LayerTotals =
        entries.length === 0
          ? EMPTY_TOTALS
          : { entries: entries.length, files, dirs, symlinks, hardlinks, whiteouts, opaques, others, fileBytes };
      return {
        layerIndex: job.layerIndex,
        digest: job.digest,
        diffId: job.diffId,
        mediaType: job.mediaType,
        compression: reportedCompression(blob, job.mediaType),
        compressedSize: blob.compressedBytes,
        uncompressedSize: bytes,
        entries,
        totals,
        warnings,
        digestVerdict: blob.digestVerdict,
        diffIdVerdict,
        ...(error !== undefined ? { error } : {}),
        partial: error !== undefined,
      };
    },
  };
}
