/**
 * Test-only: decompression bombs and hostile zstd frames, produced as streams so that neither the
 * bomb's output nor (for the largest) the bomb itself is ever held whole (SECURITY T10).
 *
 * - {@link gzipZerosBomb}: ONE gzip member (RFC 1952) whose deflate stream (RFC 1951) is a
 *   first unit of 1 MiB of zeros, then the same-sized second unit repeated: after the first unit
 *   the 32 KiB window holds only zeros, so every later unit decodes alike whatever the distances
 *   it uses. Each unit ends with a sync flush (an empty stored block), so units are byte-aligned
 *   and can be concatenated. CRC-32 and ISIZE are computed for the true length (CRC-32 of zeros by
 *   zlib's crc32_combine algebra), so the member is valid to its last byte: 10 GiB of zeros is
 *   about 10 MB of gzip, and zlib (`gunzip`) accepts it.
 * - {@link zstdRleBomb}: one zstd frame (RFC 8878) of RLE blocks of 128 KiB of zeros each,
 *   4 bytes per block: 10 GiB is 320 KiB of zstd.
 * - {@link zstdFrame}: a frame with a chosen Window_Descriptor or single-segment content size,
 *   to ask a decoder for a huge window.
 */
import { Deflate, Z_SYNC_FLUSH } from "pako";
import { concat } from "../../tar/testing";

export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;

// ── CRC-32 (RFC 1952 8, the zlib polynomial) ───────────────────────────────────────────────────────

const POLY = 0xedb88320;
const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 of `bytes`, continuing from `crc` (0 to start). */
export function crc32(bytes: Uint8Array, crc = 0): number {
  let c = ~crc >>> 0;
  for (let i = 0; i < bytes.length; i++) c = (TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8)) >>> 0;
  return ~c >>> 0;
}

/** a(x)·b(x) modulo the CRC polynomial, reflected (zlib crc32.c `multmodp`). */
function multmodp(a: number, b: number): number {
  let m = 0x80000000;
  let p = 0;
  for (;;) {
    if ((a & m) !== 0) {
      p ^= b;
      if ((a & (m - 1)) === 0) break;
    }
    m >>>= 1;
    b = b & 1 ? (b >>> 1) ^ POLY : b >>> 1;
  }
  return p >>> 0;
}

/** x^(2^k) modulo the polynomial, k = 0..31 (zlib's x2n_table). */
const X2N = (() => {
  const t: number[] = [];
  let p = 1 << 30; // x^1
  t.push(p);
  for (let n = 1; n < 32; n++) t.push((p = multmodp(p, p)));
  return t;
})();

/** x^(n·2^k) modulo the polynomial (zlib `x2nmodp`); n may exceed 2^32. */
function x2nmodp(n: number, k: number): number {
  let p = 0x80000000; // x^0
  while (n > 0) {
    if (n % 2 === 1) p = multmodp(X2N[k & 31]!, p);
    n = Math.floor(n / 2);
    k++;
  }
  return p;
}

/** CRC-32 of A‖B from crc(A), crc(B) and B's length in bytes (zlib `crc32_combine`). */
export function crc32Combine(crcA: number, crcB: number, lengthB: number): number {
  return (multmodp(x2nmodp(lengthB, 3), crcA) ^ crcB) >>> 0;
}

// ── gzip of zeros ─────────────────────────────────────────────────────────────────────────────────

/** The zeros one deflate unit stands for. */
const UNIT = MiB;

/** First unit (literal zero, then matches) and a later one (matches into a window of zeros). */
let units: { first: Uint8Array; next: Uint8Array; crc: number } | undefined;

function deflateUnits(): { first: Uint8Array; next: Uint8Array; crc: number } {
  if (units) return units;
  const zeros = new Uint8Array(UNIT);
  const d = new Deflate({ raw: true, level: 9 });
  const take = (): Uint8Array => concat(d.chunks.splice(0));
  d.push(zeros, Z_SYNC_FLUSH);
  const first = take();
  d.push(zeros, Z_SYNC_FLUSH);
  const next = take();
  units = { first, next, crc: crc32(zeros) };
  return units;
}

/** gzip header: ID1 ID2, CM deflate, no flags, mtime 0, XFL 2 (best), OS 255 (unknown). */
const GZIP_HEADER = Uint8Array.of(0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x02, 0xff);
/** A final fixed-Huffman block holding only end-of-block: BFINAL 1, BTYPE 01, code 256 (7 zero bits). */
const FINAL_EMPTY_BLOCK = Uint8Array.of(0x03, 0x00);

/**
 * One gzip member of `bytes` zeros (a whole number of MiB), as a stream of compressed chunks of
 * about `chunkBytes`. Each call makes a fresh stream; at most one chunk is held.
 */
export async function* gzipZerosBomb(bytes: number, chunkBytes = 64 * 1024): AsyncGenerator<Uint8Array, void, undefined> {
  if (!Number.isSafeInteger(bytes) || bytes <= 0 || bytes % UNIT !== 0) throw new RangeError(`gzipZerosBomb: ${bytes} is not a positive whole number of MiB`);
  const { first, next, crc } = deflateUnits();
  const count = bytes / UNIT;
  let buffer = new Uint8Array(chunkBytes + next.length + 32);
  let fill = 0;
  const put = (b: Uint8Array): void => {
    if (fill + b.length > buffer.length) {
      const bigger = new Uint8Array(fill + b.length);
      bigger.set(buffer.subarray(0, fill));
      buffer = bigger;
    }
    buffer.set(b, fill);
    fill += b.length;
  };
  put(GZIP_HEADER);
  put(first);
  let total = crc;
  for (let i = 1; i < count; i++) {
    put(next);
    total = crc32Combine(total, crc, UNIT);
    if (fill >= chunkBytes) {
      yield buffer.slice(0, fill);
      fill = 0;
    }
  }
  put(FINAL_EMPTY_BLOCK);
  const trailer = new Uint8Array(8);
  const view = new DataView(trailer.buffer);
  view.setUint32(0, total, true);
  view.setUint32(4, bytes % 2 ** 32, true); // ISIZE: the length modulo 2^32 (RFC 1952 2.3.1)
  put(trailer);
  yield buffer.slice(0, fill);
}

// ── zstd ──────────────────────────────────────────────────────────────────────────────────────────

const ZSTD_MAGIC = Uint8Array.of(0x28, 0xb5, 0x2f, 0xfd);
/** RFC 8878 3.1.1.2: the largest block, and the RLE / raw block types. */
const BLOCK_MAX = 128 * 1024;
const BLOCK_RAW = 0;
const BLOCK_RLE = 1;

function blockHeader(last: boolean, type: number, size: number): Uint8Array {
  const v = (last ? 1 : 0) | (type << 1) | (size << 3);
  return Uint8Array.of(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff);
}

/**
 * A zstd frame holding `content` as raw blocks (of at most 128 KiB), whose header asks for a
 * window of 2^windowLog bytes (Window_Descriptor: exponent = windowLog − 10, mantissa 0; default
 * 17, i.e. 128 KiB), or, with `singleSegment`, a single-segment frame whose 8-byte
 * Frame_Content_Size claims `singleSegment` bytes (the window is then the content size).
 */
export function zstdFrame(content: Uint8Array, opts: { windowLog?: number; singleSegment?: number } = {}): Uint8Array {
  const header: number[] = [];
  if (opts.singleSegment !== undefined) {
    header.push(0xc0 | 0x20); // FCS_Field_Size 8 bytes, Single_Segment
    let v = opts.singleSegment;
    for (let i = 0; i < 8; i++) {
      header.push(v % 256);
      v = Math.floor(v / 256);
    }
  } else {
    const windowLog = opts.windowLog ?? 17;
    if (windowLog < 10 || windowLog > 41) throw new RangeError(`zstdFrame: windowLog ${windowLog}`);
    header.push(0x00, (windowLog - 10) << 3);
  }
  const blocks = Math.max(1, Math.ceil(content.length / BLOCK_MAX));
  const out = new Uint8Array(4 + header.length + 3 * blocks + content.length);
  out.set(ZSTD_MAGIC);
  out.set(header, 4);
  let at = 4 + header.length;
  for (let b = 0; b < blocks; b++) {
    const piece = content.subarray(b * BLOCK_MAX, (b + 1) * BLOCK_MAX);
    out.set(blockHeader(b === blocks - 1, BLOCK_RAW, piece.length), at);
    out.set(piece, at + 3);
    at += 3 + piece.length;
  }
  return out;
}

/** A skippable frame (RFC 8878 3.1.2) carrying `content`: metadata a decoder must step over. */
export function zstdSkippableFrame(content: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + content.length);
  out.set(Uint8Array.of(0x50, 0x2a, 0x4d, 0x18));
  new DataView(out.buffer).setUint32(4, content.length, true);
  out.set(content, 8);
  return out;
}

/**
 * One zstd frame of `bytes` zeros (a whole number of 128 KiB blocks) made of RLE blocks, as a
 * stream: window 128 KiB, no content size, no checksum.
 */
export async function* zstdRleBomb(bytes: number, chunkBytes = 64 * 1024): AsyncGenerator<Uint8Array, void, undefined> {
  if (!Number.isSafeInteger(bytes) || bytes <= 0 || bytes % BLOCK_MAX !== 0) throw new RangeError(`zstdRleBomb: ${bytes} is not a whole number of 128 KiB blocks`);
  const blocks = bytes / BLOCK_MAX;
  // Magic, Frame_Header_Descriptor 0 (window descriptor follows), windowLog 17.
  let chunk: number[] = [...ZSTD_MAGIC, 0x00, (17 - 10) << 3];
  for (let i = 0; i < blocks; i++) {
    chunk.push(...blockHeader(i === blocks - 1, BLOCK_RLE, BLOCK_MAX), 0x00);
    if (chunk.length >= chunkBytes) {
      yield Uint8Array.from(chunk);
      chunk = [];
    }
  }
  if (chunk.length > 0) yield Uint8Array.from(chunk);
}

/** Collects a (small) stream into one array, for tests that need the whole compressed blob. */
export async function collect(stream: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const p of stream) parts.push(p);
  return concat(parts);
}
