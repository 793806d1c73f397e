/**
 * Which compression a layer uses, decided by its first bytes (magic numbers), as containerd does
 * (pkg/archive/compression DetectCompression). The media type is only a hint: registries and
 * tools mislabel layers, and trying decoders one after another (as dive does) hides real
 * corruption behind a fallback. A disagreement is kept as a warning beside the result.
 */
import { err, ok, type Result } from "../result";
import type { CompressionError } from "./errors";

/** A layer's compression: the three formats the OCI image-spec allows for layers. */
export type CompressionFormat = "gzip" | "zstd" | "none";
/** What the magic bytes say; "unknown" when they match none of the formats. */
export type DetectedCompression = CompressionFormat | "unknown";

/**
 * How many leading bytes detection wants: a whole tar header block, so that an old (v7) tar
 * without the "ustar" magic can still be recognised by its checksum. Fewer is fine for gzip and
 * zstd (4 bytes decide) and for a blob shorter than this.
 */
export const DETECT_BYTES = 512;

// RFC 1952 2.3.1: ID1 ID2 CM, with CM 8 = deflate, the only method defined.
const GZIP_MAGIC = [0x1f, 0x8b, 0x08] as const;
// RFC 8878 3.1.1: Magic_Number 0xFD2FB528, little-endian on the wire.
const ZSTD_MAGIC = 0xfd2fb528;
// RFC 8878 3.1.2: skippable frames use 0x184D2A50..0x184D2A5F; the low nibble is free.
const ZSTD_SKIPPABLE_MASK = 0xfffffff0;
const ZSTD_SKIPPABLE_MAGIC = 0x184d2a50;

// POSIX ustar header (pax spec, "ustar Interchange Format"): field offsets in the 512-byte block.
const TAR_BLOCK = 512;
const TAR_CHKSUM_OFFSET = 148;
const TAR_CHKSUM_LENGTH = 8;
const TAR_MAGIC_OFFSET = 257;
// "ustar\0" (POSIX) and "ustar " (old GNU, followed by " \0"): the first five bytes are shared.
const USTAR = [0x75, 0x73, 0x74, 0x61, 0x72] as const;

function startsWith(bytes: Uint8Array, magic: readonly number[], at = 0): boolean {
  if (bytes.length < at + magic.length) return false;
  return magic.every((b, i) => bytes[at + i] === b);
}

function u32le(bytes: Uint8Array, at: number): number | undefined {
  if (bytes.length < at + 4) return undefined;
  return (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;
}

/** True for the zstd frame magic or a skippable-frame magic at `at`. */
export function isZstdMagic(bytes: Uint8Array, at = 0): boolean {
  const m = u32le(bytes, at);
  return m !== undefined && (m === ZSTD_MAGIC || (m & ZSTD_SKIPPABLE_MASK) >>> 0 === ZSTD_SKIPPABLE_MAGIC);
}

/**
 * A tar header block checks out when its stored checksum (octal, in bytes 148..155) equals the
 * sum of all 512 bytes with the checksum field read as spaces. Old tars wrote the sum as signed
 * bytes, so both sums are accepted, like Go's archive/tar.
 */
function plausibleTarHeader(block: Uint8Array): boolean {
  if (block.length < TAR_BLOCK) return false;
  const field = block.subarray(TAR_CHKSUM_OFFSET, TAR_CHKSUM_OFFSET + TAR_CHKSUM_LENGTH);
  const text = String.fromCharCode(...field).replace(/[\0 ]+$/, "").replace(/^ +/, "");
  if (!/^[0-7]{1,7}$/.test(text)) return false;
  const stored = parseInt(text, 8);
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < TAR_BLOCK; i++) {
    const b = i >= TAR_CHKSUM_OFFSET && i < TAR_CHKSUM_OFFSET + TAR_CHKSUM_LENGTH ? 0x20 : block[i]!;
    unsigned += b;
    signed += b < 128 ? b : b - 256;
  }
  return stored === unsigned || stored === signed;
}

/**
 * The compression named by a blob's first bytes (give at least {@link DETECT_BYTES}, or the whole
 * blob if shorter):
 * - gzip: 1f 8b 08 (RFC 1952).
 * - zstd: the frame magic 28 b5 2f fd, or a skippable frame 5? 2a 4d 18 (RFC 8878).
 * - none: a tar — "ustar" at byte 257, a v7 header whose checksum holds, or a first block of
 *   zeros (an empty archive is just its end marker).
 * - unknown: anything else, including an empty blob.
 */
export function detectCompression(firstBytes: Uint8Array): DetectedCompression {
  if (startsWith(firstBytes, GZIP_MAGIC)) return "gzip";
  if (isZstdMagic(firstBytes)) return "zstd";
  if (startsWith(firstBytes, USTAR, TAR_MAGIC_OFFSET)) return "none";
  if (firstBytes.length >= TAR_BLOCK) {
    const block = firstBytes.subarray(0, TAR_BLOCK);
    if (block.every((b) => b === 0) || plausibleTarHeader(block)) return "none";
  }
  return "unknown";
}

/**
 * The compression a layer media type announces, or undefined when it names none we know.
 * Covers OCI (`…layer.v1.tar`, `+gzip`, `+zstd`, and the nondistributable variants) and Docker
 * (`…rootfs.diff.tar.gzip`, `…rootfs.foreign.diff.tar.gzip`).
 */
export function compressionFromMediaType(mediaType: string): CompressionFormat | undefined {
  const mt = mediaType.trim().toLowerCase();
  if (mt.endsWith("+gzip") || mt.endsWith(".tar.gzip")) return "gzip";
  if (mt.endsWith("+zstd")) return "zstd";
  if (mt.endsWith(".tar")) return "none";
  return undefined;
}

/** What detection decided and why, with any disagreement with the media type as a warning. */
export interface CompressionChoice {
  readonly format: CompressionFormat;
  /** What the media type announced, if it announced anything. */
  readonly hinted?: CompressionFormat;
  readonly warnings: readonly string[];
}

function hex(bytes: Uint8Array, n: number): string {
  return Array.from(bytes.subarray(0, n), (b) => b.toString(16).padStart(2, "0")).join(" ");
}

/**
 * Decides a layer's format from its first bytes; the media type only adds a warning when it
 * disagrees ("media type says gzip, bytes say zstd: decoding as zstd"). Bytes that match nothing
 * are an `unknown-compression` error naming the first bytes.
 */
export function chooseCompression(firstBytes: Uint8Array, mediaType?: string): Result<CompressionChoice, CompressionError> {
  const detected = detectCompression(firstBytes);
  const hinted = mediaType === undefined ? undefined : compressionFromMediaType(mediaType);
  if (detected === "unknown") {
    return err({ kind: "unknown-compression", firstBytes: hex(firstBytes, 8), ...(mediaType !== undefined ? { mediaType } : {}) });
  }
  const warnings: string[] = [];
  if (mediaType !== undefined && hinted === undefined) {
    warnings.push(`media type ${mediaType} names no layer compression; the bytes say ${detected}`);
  } else if (hinted !== undefined && hinted !== detected) {
    warnings.push(`media type ${mediaType} says ${hinted}, but the bytes are ${detected}: decoding as ${detected}`);
  }
  return ok({ format: detected, ...(hinted !== undefined ? { hinted } : {}), warnings });
}
