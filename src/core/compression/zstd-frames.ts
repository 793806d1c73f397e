/**
 * A cheap walk over the structure of a zstd stream (RFC 8878), run beside the real decoder.
 *
 * It reads only headers — frame magic, Frame_Header, 3-byte block headers, skippable-frame
 * sizes — and skips block contents by count, so it costs almost nothing. It gives us three things
 * libzstd's streaming API does not:
 * - Every frame's window size, checked against our cap before libzstd allocates it (SECURITY
 *   T10). zstd:chunked layers hold many frames, so each frame is checked, not only the first.
 * - The exact end of the last frame, so bytes after it are reported as trailing data (as for
 *   gzip, SECURITY T9) instead of reaching libzstd as a "corrupt" next frame.
 * - Whether the input stopped cleanly between frames or inside one.
 *
 * Only the bytes that belong to frames (regular or skippable) are passed on to libzstd; a frame
 * magic split across chunks is held back until all four bytes are seen.
 */
import { CompressionFailure } from "./errors";

// RFC 8878 3.1.1 and 3.1.2.
const FRAME_MAGIC = 0xfd2fb528;
const SKIPPABLE_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;
const MAGIC_SIZE = 4;
const SKIPPABLE_SIZE_FIELD = 4;
const BLOCK_HEADER_SIZE = 3;
const CHECKSUM_SIZE = 4;
// 3.1.1.1.1 Frame_Header_Descriptor bits.
const FHD_RESERVED_BIT = 0x08;
const FHD_CHECKSUM_BIT = 0x04;
const FHD_SINGLE_SEGMENT_BIT = 0x20;
const DID_FIELD_SIZE = [0, 1, 2, 4] as const;
// 3.1.1.2: Block_Type values.
const BLOCK_RAW = 0;
const BLOCK_RLE = 1;
const BLOCK_COMPRESSED = 2;

/**
 * Default cap on a zstd frame's window: 128 MiB (windowLog 27). It is also libzstd's own default
 * limit (ZSTD_WINDOWLOG_LIMIT_DEFAULT) and what `zstd --long` uses; plain `zstd -19` needs 8 MiB.
 * The decoder allocates about this much WebAssembly memory, which never shrinks afterwards, so a
 * page that must stay under its memory budget can lower it.
 */
export const DEFAULT_MAX_ZSTD_WINDOW_BYTES = 128 * 1024 * 1024;

/** The parts of a zstd Frame_Header that matter to memory (RFC 8878 3.1.1.1). */
export interface ZstdFrameHeader {
  /** Bytes of history the decoder must keep: from Window_Descriptor, or Frame_Content_Size for a single-segment frame. */
  readonly windowSize: number;
  /** Frame_Content_Size when present (bytes; may lie: it is checked by libzstd, not trusted here). */
  readonly contentSize?: number;
  readonly singleSegment: boolean;
  readonly hasChecksum: boolean;
  readonly dictionaryId: number;
  /** Length of the Frame_Header after the magic, in bytes (2 to 14). */
  readonly headerSize: number;
}

/** Frame_Header length after the magic, as told by its first byte (the descriptor). */
export function zstdHeaderSize(descriptor: number): number {
  const fcsFlag = descriptor >> 6;
  const singleSegment = (descriptor & FHD_SINGLE_SEGMENT_BIT) !== 0;
  const fcsSize = fcsFlag === 0 ? (singleSegment ? 1 : 0) : 1 << fcsFlag; // 0/1, 2, 4, 8
  return 1 + (singleSegment ? 0 : 1) + DID_FIELD_SIZE[descriptor & 3]! + fcsSize;
}

function readLE(b: Uint8Array, at: number, size: number): number {
  // Little-endian unsigned; up to 8 bytes, exact below 2^53 (larger values only need to compare as huge).
  let v = 0;
  for (let i = size - 1; i >= 0; i--) v = v * 256 + b[at + i]!;
  return v;
}

/**
 * Parses a Frame_Header (the bytes after the magic; at least {@link zstdHeaderSize} of them).
 * Returns a short reason instead when the reserved bit is set.
 */
export function parseZstdFrameHeader(h: Uint8Array): ZstdFrameHeader | string {
  const fhd = h[0]!;
  if (fhd & FHD_RESERVED_BIT) return "the reserved bit of the frame header is set";
  const singleSegment = (fhd & FHD_SINGLE_SEGMENT_BIT) !== 0;
  const fcsFlag = fhd >> 6;
  const didSize = DID_FIELD_SIZE[fhd & 3]!;
  const fcsSize = fcsFlag === 0 ? (singleSegment ? 1 : 0) : 1 << fcsFlag;
  let at = 1;
  let windowSize = 0;
  if (!singleSegment) {
    // 3.1.1.1.2 Window_Descriptor: windowLog = 10 + Exponent; Window_Size = 2^windowLog * (1 + Mantissa/8).
    const wd = h[at++]!;
    const windowBase = 2 ** (10 + (wd >> 3));
    windowSize = windowBase + (windowBase / 8) * (wd & 7);
  }
  const dictionaryId = readLE(h, at, didSize);
  at += didSize;
  let contentSize: number | undefined;
  if (fcsSize > 0) {
    contentSize = readLE(h, at, fcsSize) + (fcsSize === 2 ? 256 : 0); // 3.1.1.1.4: the 2-byte form is offset by 256
    at += fcsSize;
  }
  // A single-segment frame has no Window_Descriptor: the whole content is the window.
  if (singleSegment) windowSize = contentSize ?? 0;
  return {
    windowSize,
    singleSegment,
    hasChecksum: (fhd & FHD_CHECKSUM_BIT) !== 0,
    dictionaryId,
    headerSize: at,
    ...(contentSize !== undefined ? { contentSize } : {}),
  };
}

type State =
  | "magic" // between frames: collecting the next 4-byte magic
  | "header" // inside a frame header
  | "block-header"
  | "skip" // block contents, checksum or skippable-frame data: counted, not read
  | "skippable-size"
  | "trailing"; // after the last frame: not zstd

export interface ZstdScanOptions {
  readonly maxWindowBytes?: number;
}

/** Walks a zstd stream's frame and block headers as chunks arrive; see the module comment. */
export class ZstdFrameScanner {
  /** Regular frames whose header has been read. */
  frames = 0;
  skippableFrames = 0;
  /** Bytes after the last frame. */
  trailingBytes = 0;
  trailingNonZero = false;
  /** Window size of the last frame header read (bytes). */
  lastWindowSize = 0;
  /** Bytes scanned so far. */
  offset = 0;
  readonly maxWindowBytes: number;

  private state: State = "magic";
  private readonly acc = new Uint8Array(16);
  private accLen = 0;
  private need = MAGIC_SIZE;
  private skipLeft = 0;
  private afterSkip: "block-header" | "checksum" | "magic" = "magic";
  private lastBlock = false;
  private hasChecksum = false;
  /** Magic bytes held from earlier chunks (a copy: the caller may reuse its buffers), not yet passed on. */
  private heldFromPrev = 0;
  private heldCopy: Uint8Array = new Uint8Array(0);

  constructor(options: ZstdScanOptions = {}) {
    this.maxWindowBytes = options.maxWindowBytes ?? DEFAULT_MAX_ZSTD_WINDOW_BYTES;
  }

  /** True when the input so far ends between frames (or after them, in trailing data). */
  get atBoundary(): boolean {
    return this.state === "magic" || this.state === "trailing";
  }

  /**
   * End of input. 1 to 3 bytes held as a possible magic are too short for any frame: they count
   * as trailing data (the same choice as for a lone 0x1f after a gzip member).
   */
  finish(): void {
    if (this.state !== "magic" || this.accLen === 0) return;
    const held = this.acc.subarray(0, this.accLen);
    this.trailingBytes += held.length;
    if (!this.trailingNonZero) this.trailingNonZero = held.some((b) => b !== 0);
    this.accLen = 0;
    this.state = "trailing";
  }

  private corrupt(detail: string): never {
    throw new CompressionFailure({ kind: "corrupt-compressed-data", format: "zstd", compressedOffset: this.offset, detail });
  }

  /**
   * Scans `chunk` and returns the pieces of input to pass to libzstd, in order: usually `chunk`
   * itself; fewer bytes when trailing data starts; plus held magic bytes from the previous chunk.
   * Throws CompressionFailure for a window over the cap or a malformed header.
   */
  scan(chunk: Uint8Array): Uint8Array[] {
    const { pieces, failure } = this.scanUntilFault(chunk);
    if (failure !== undefined) throw failure;
    return pieces;
  }

  /**
   * {@link scan}, but a fault is returned beside the pieces that precede it instead of thrown:
   * the frames before a bad one (in the same chunk) are still decoded, so nothing before the
   * failure is lost (SECURITY T9/T10). The scanner is unusable after a fault.
   */
  scanUntilFault(chunk: Uint8Array): { readonly pieces: Uint8Array[]; readonly failure?: CompressionFailure } {
    const pieces: Uint8Array[] = [];
    try {
      this.scanInto(chunk, pieces);
    } catch (e) {
      if (e instanceof CompressionFailure) return { pieces, failure: e };
      throw e;
    }
    return { pieces };
  }

  private scanInto(chunk: Uint8Array, pieces: Uint8Array[]): void {
    let runStart = this.state === "magic" || this.state === "trailing" ? -1 : 0; // start of frame bytes in chunk
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      switch (this.state) {
        case "trailing": {
          const rest = chunk.subarray(i);
          this.trailingBytes += rest.length;
          if (!this.trailingNonZero) this.trailingNonZero = rest.some((b) => b !== 0);
          this.offset += rest.length;
          i = n;
          break;
        }
        case "skip": {
          const take = Math.min(this.skipLeft, n - i);
          this.skipLeft -= take;
          i += take;
          this.offset += take;
          if (this.skipLeft === 0) this.afterSkipDone();
          if (this.now() === "magic" && runStart >= 0) {
            pieces.push(chunk.subarray(runStart, i));
            runStart = -1;
          }
          break;
        }
        default: {
          // Collect a fixed-size field byte by byte (headers are at most 14 bytes).
          if (this.state === "magic" && this.accLen === 0) this.heldFromPrev = 0;
          this.acc[this.accLen++] = chunk[i++]!;
          this.offset++;
          if (this.accLen < this.need) break;
          const wasMagic = this.state === "magic";
          // Where the magic began in this chunk (its first heldFromPrev bytes came earlier).
          const magicStart = i - MAGIC_SIZE + this.heldFromPrev;
          this.fieldDone();
          if (wasMagic && this.now() !== "trailing") {
            // The magic belongs to a frame: pass on the held part, then run from its start here.
            if (this.heldFromPrev > 0) pieces.push(this.heldSlice());
            runStart = Math.max(0, magicStart);
            this.heldFromPrev = 0;
          } else if (wasMagic) {
            // Not a frame: these magic bytes (and all that follow) are trailing data.
            this.trailingBytes += MAGIC_SIZE;
            if (!this.trailingNonZero) this.trailingNonZero = this.acc.subarray(0, MAGIC_SIZE).some((b) => b !== 0);
            this.accLen = 0;
          }
          if (this.now() === "magic" && runStart >= 0) {
            pieces.push(chunk.subarray(runStart, i));
            runStart = -1;
          }
        }
      }
    }
    if (runStart >= 0 && runStart < n) pieces.push(chunk.subarray(runStart, n));
    if (this.state === "magic" && this.accLen > 0) {
      // Keep the partial magic (including what came earlier) until the next chunk decides.
      this.heldFromPrev = this.accLen;
      this.heldCopy = this.acc.slice(0, this.accLen);
    }
  }

  /** The state, read afresh (TypeScript would keep a narrowing from before a method call changed it). */
  private now(): State {
    return this.state;
  }

  private heldSlice(): Uint8Array {
    return this.heldCopy.subarray(0, this.heldFromPrev);
  }

  /** A fixed-size field is complete in `acc`: act on it. */
  private fieldDone(): void {
    const acc = this.acc;
    switch (this.state) {
      case "magic": {
        const magic = readLE(acc, 0, MAGIC_SIZE);
        this.accLen = 0;
        if (magic === FRAME_MAGIC) {
          this.state = "header";
          this.need = 1; // the descriptor first; it tells the header's length
        } else if ((magic & SKIPPABLE_MASK) >>> 0 === SKIPPABLE_MAGIC) {
          this.state = "skippable-size";
          this.need = SKIPPABLE_SIZE_FIELD;
        } else if (this.frames === 0 && this.skippableFrames === 0) {
          this.corrupt("the stream does not start with a zstd frame magic");
        } else {
          this.accLen = MAGIC_SIZE; // the caller reads these as trailing bytes
          this.state = "trailing";
        }
        return;
      }
      case "header": {
        const size = zstdHeaderSize(acc[0]!);
        if (this.accLen < size) {
          this.need = size;
          return;
        }
        const header = parseZstdFrameHeader(acc.subarray(0, size));
        if (typeof header === "string") this.corrupt(header);
        this.frames++;
        this.lastWindowSize = header.windowSize;
        if (header.windowSize > this.maxWindowBytes) {
          throw new CompressionFailure({
            kind: "zstd-window-too-large",
            windowSize: header.windowSize,
            limit: this.maxWindowBytes,
            frameIndex: this.frames,
          });
        }
        this.hasChecksum = header.hasChecksum;
        this.accLen = 0;
        this.state = "block-header";
        this.need = BLOCK_HEADER_SIZE;
        return;
      }
      case "block-header": {
        // 3.1.1.2: Last_Block (bit 0), Block_Type (bits 1-2), Block_Size (bits 3-23), little-endian.
        const bh = readLE(acc, 0, BLOCK_HEADER_SIZE);
        this.accLen = 0;
        this.lastBlock = (bh & 1) === 1;
        const type = (bh >> 1) & 3;
        const size = bh >>> 3;
        if (type !== BLOCK_RAW && type !== BLOCK_RLE && type !== BLOCK_COMPRESSED) this.corrupt("a block uses the reserved block type");
        // An RLE block stores one byte, repeated Block_Size times.
        this.startSkip(type === BLOCK_RLE ? 1 : size, this.lastBlock ? "checksum" : "block-header");
        return;
      }
      case "skippable-size": {
        const size = readLE(acc, 0, SKIPPABLE_SIZE_FIELD);
        this.accLen = 0;
        this.skippableFrames++;
        this.startSkip(size, "magic");
        return;
      }
      default:
        return;
    }
  }

  private startSkip(count: number, then: "block-header" | "checksum" | "magic"): void {
    this.afterSkip = then;
    this.skipLeft = count;
    this.state = "skip";
    if (count === 0) this.afterSkipDone();
  }

  private afterSkipDone(): void {
    if (this.afterSkip === "checksum") {
      if (this.hasChecksum) {
        this.hasChecksum = false; // skip the 4-byte Content_Checksum, then the frame is over
        this.startSkip(CHECKSUM_SIZE, "magic");
        return;
      }
      this.afterSkip = "magic";
    }
    if (this.afterSkip === "block-header") {
      this.state = "block-header";
      this.need = BLOCK_HEADER_SIZE;
    } else {
      this.state = "magic";
      this.need = MAGIC_SIZE;
    }
  }
}
