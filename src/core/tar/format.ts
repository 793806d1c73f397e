/**
 * The tar header block: named offsets, typeflags, magic values, and the numeric and checksum
 * rules, as POSIX.1-2001 (ustar/pax), GNU tar's "tar.h" and Go's archive/tar (format.go,
 * strconv.go) define them. Everything here reads from a 512-byte block at a given offset and
 * allocates nothing, so the streaming parser can call it on every header.
 */

/** Size of a tar block: headers, and bodies padded with zeros, are aligned to it. */
export const BLOCK_SIZE = 512;

/** A field of the header block: where it starts and how many bytes it has. */
export interface Field {
  readonly offset: number;
  readonly size: number;
}

/**
 * The V7 + ustar header layout (POSIX.1-1988 ustar, pax "ustar Interchange Format").
 * `prefix` exists only in ustar/pax headers; GNU headers use those bytes for the fields in
 * {@link GNU} instead, so reading `prefix` from a GNU header would glue atime bytes onto names.
 */
export const USTAR = {
  name: { offset: 0, size: 100 },
  mode: { offset: 100, size: 8 },
  uid: { offset: 108, size: 8 },
  gid: { offset: 116, size: 8 },
  size: { offset: 124, size: 12 },
  mtime: { offset: 136, size: 12 },
  checksum: { offset: 148, size: 8 },
  typeflag: { offset: 156, size: 1 },
  linkname: { offset: 157, size: 100 },
  magic: { offset: 257, size: 6 },
  version: { offset: 263, size: 2 },
  uname: { offset: 265, size: 32 },
  gname: { offset: 297, size: 32 },
  devmajor: { offset: 329, size: 8 },
  devminor: { offset: 337, size: 8 },
  prefix: { offset: 345, size: 155 },
} as const satisfies Record<string, Field>;

/**
 * Star (Jörg Schilling's tar) shortens the ustar prefix to 131 bytes and ends the block with
 * "tar\0"; Go's archive/tar recognises it by that trailer (format.go, `trailerSTAR`).
 */
export const STAR = {
  prefix: { offset: 345, size: 131 },
  trailer: { offset: 508, size: 4 },
} as const satisfies Record<string, Field>;

/**
 * The old GNU header's own fields, in the bytes ustar uses for `prefix` (GNU tar "tar.h",
 * `struct oldgnu_header`). Only the sparse ones matter here: a typeflag 'S' entry carries
 * four sparse map slots, an "is extended" byte (more map blocks follow the header, before the
 * body) and the file's real size.
 */
export const GNU = {
  atime: { offset: 345, size: 12 },
  ctime: { offset: 357, size: 12 },
  sparse: { offset: 386, size: 96 },
  isExtended: { offset: 482, size: 1 },
  realSize: { offset: 483, size: 12 },
} as const satisfies Record<string, Field>;

/** A GNU sparse extension block: 21 map slots of 24 bytes, then its own "is extended" byte. */
export const GNU_SPARSE_EXTENSION = {
  isExtended: { offset: 504, size: 1 },
} as const satisfies Record<string, Field>;

/** Typeflag bytes (POSIX ustar and pax, GNU tar "tar.h"). */
export const TYPEFLAG = {
  /** '0': regular file. */
  file: 0x30,
  /** NUL: regular file in pre-POSIX archives (V7 "AREGTYPE"); a directory if the name ends in '/'. */
  fileV7: 0x00,
  hardlink: 0x31,
  symlink: 0x32,
  char: 0x33,
  block: 0x34,
  dir: 0x35,
  fifo: 0x36,
  /** '7': contiguous file, a regular file on every system that matters. */
  contiguous: 0x37,
  /** 'x': pax extended header for the next entry. */
  paxHeader: 0x78,
  /** 'g': pax global extended header. */
  paxGlobal: 0x67,
  /** 'L': GNU long name for the next entry. */
  gnuLongName: 0x4c,
  /** 'K': GNU long link target for the next entry. */
  gnuLongLink: 0x4b,
  /** 'S': old GNU sparse file. */
  gnuSparse: 0x53,
} as const;

/**
 * Which header layout a block uses, by its magic and version fields (Go format.go
 * `getFormat`): "ustar\0" "00" is ustar/pax (with a prefix field), "ustar " " \0" is old GNU,
 * "ustar\0" with the star trailer is star, and anything else is V7 (no owner names, no prefix).
 */
export type HeaderFormat = "ustar" | "gnu" | "star" | "v7";

/** "ustar\0" */
const MAGIC_USTAR = [0x75, 0x73, 0x74, 0x61, 0x72, 0x00] as const;
/** "ustar " then version " \0" */
const MAGIC_GNU = [0x75, 0x73, 0x74, 0x61, 0x72, 0x20] as const;
const VERSION_GNU = [0x20, 0x00] as const;
/** "tar\0" */
const TRAILER_STAR = [0x74, 0x61, 0x72, 0x00] as const;

function matches(block: Uint8Array, at: number, bytes: readonly number[]): boolean {
  for (let i = 0; i < bytes.length; i++) if (block[at + i] !== bytes[i]) return false;
  return true;
}

/** The header layout of a block whose checksum is valid. */
export function headerFormat(block: Uint8Array): HeaderFormat {
  if (matches(block, USTAR.magic.offset, MAGIC_USTAR)) {
    return matches(block, STAR.trailer.offset, TRAILER_STAR) ? "star" : "ustar";
  }
  if (matches(block, USTAR.magic.offset, MAGIC_GNU) && matches(block, USTAR.version.offset, VERSION_GNU)) return "gnu";
  return "v7";
}

/** True when all 512 bytes are zero (half of the end-of-archive marker). */
export function isZeroBlock(block: Uint8Array): boolean {
  // Word-at-a-time would need alignment; 512 byte compares per header are not where time goes.
  for (let i = 0; i < BLOCK_SIZE; i++) if (block[i] !== 0) return false;
  return true;
}

/**
 * Checks the header checksum. POSIX says the sum of all bytes as unsigned chars, with the
 * checksum field counted as eight spaces; some old tars (Sun, early GNU) summed signed chars,
 * so, like Go (format.go `computeChecksum`) and GNU tar, either sum is accepted. The field is
 * read as octal with leading/trailing spaces and NULs ignored.
 */
export function checksumMatches(block: Uint8Array): boolean {
  const stored = parseOctal(block, USTAR.checksum.offset, USTAR.checksum.size);
  if (!Number.isSafeInteger(stored)) return false;
  const start = USTAR.checksum.offset;
  const end = start + USTAR.checksum.size;
  // Three plain loops instead of one with a branch: this runs once per header.
  let unsigned = 0x20 * USTAR.checksum.size;
  for (let i = 0; i < start; i++) unsigned += block[i] as number;
  for (let i = end; i < BLOCK_SIZE; i++) unsigned += block[i] as number;
  if (stored === unsigned) return true;
  // The signed sum differs only by 256 for each byte >= 0x80.
  let high = 0;
  for (let i = 0; i < start; i++) if ((block[i] as number) >= 0x80) high++;
  for (let i = end; i < BLOCK_SIZE; i++) if ((block[i] as number) >= 0x80) high++;
  return stored === unsigned - 0x100 * high;
}

/**
 * A ustar octal field, read as Go's `parseOctal` does: leading and trailing spaces and NULs
 * are ignored, the rest is cut at the first NUL, and every remaining byte must be an octal
 * digit. Empty means 0. Returns NaN when the field is not octal, and Infinity past 2^53
 * (exact integers end there; every caller refuses it).
 */
export function parseOctal(block: Uint8Array, offset: number, size: number): number {
  let start = offset;
  let end = offset + size;
  while (start < end && (block[start] === 0x20 || block[start] === 0x00)) start++;
  while (end > start && (block[end - 1] === 0x20 || block[end - 1] === 0x00)) end--;
  let value = 0;
  for (let i = start; i < end; i++) {
    const c = block[i] as number;
    if (c === 0x00) break; // Go's parseString: the value stops at the first NUL
    if (c < 0x30 || c > 0x37) return Number.NaN;
    value = value * 8 + (c - 0x30);
  }
  return value > Number.MAX_SAFE_INTEGER ? Number.POSITIVE_INFINITY : value;
}

/**
 * A numeric field in octal or in GNU/star base-256: when the first byte's high bit is set, the
 * rest of the field (with that bit cleared) is a big-endian two's-complement integer, negative
 * when the next bit is set (Go strconv.go `parseNumeric`). GNU tar writes sizes of 8 GiB and
 * more, large ids and pre-1970 times this way. Exact up to 2^53 in magnitude; beyond that
 * returns ±Infinity (a size that large cannot be a real layer and cannot be counted exactly).
 */
export function parseNumeric(block: Uint8Array, field: Field): number {
  const first = block[field.offset] as number;
  if ((first & 0x80) === 0) return parseOctal(block, field.offset, field.size);
  const negative = (first & 0x40) !== 0;
  // For a negative number, invert every byte: the result is |x| - 1 (since -a-1 == ^a).
  const inv = negative ? 0xff : 0x00;
  let value = 0;
  for (let i = 0; i < field.size; i++) {
    let c = (block[field.offset + i] as number) ^ inv;
    if (i === 0) c &= 0x7f; // the marker bit is not part of the number
    value = value * 256 + c;
    if (value > Number.MAX_SAFE_INTEGER) return negative ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  }
  return negative ? -value - 1 : value;
}

/** Length of a NUL-terminated string field: up to the first NUL or the field's end. */
export function cStringLength(block: Uint8Array, offset: number, size: number): number {
  for (let i = 0; i < size; i++) if (block[offset + i] === 0) return i;
  return size;
}

/** Bytes of padding after a body of `size` bytes, up to the next block boundary. */
export function blockPadding(size: number): number {
  return (BLOCK_SIZE - (size % BLOCK_SIZE)) % BLOCK_SIZE;
}
