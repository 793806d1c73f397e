/**
 * gzip in JavaScript, with pako's zlib port driven directly (its low-level inflate API), because
 * we need what pako's `Inflate` wrapper hides: where each member ends.
 *
 * A gzip file is a series of members (RFC 1952 2.2), and eStargz layers are built from many.
 * pako 3's `Inflate.push` continues into the next member only when that member's first byte
 * arrives in the same chunk as the previous member's end; when a member ends exactly at a chunk
 * boundary, it reports the end of the stream and ignores every later push. So we run inflate
 * ourselves and, at each member end (Z_STREAM_END), look at the next bytes:
 * - 1f 8b: another member. inflateReset and continue; the running state is kept nowhere else.
 * - anything else: trailing data. Not decoded, counted, and reported as a warning (SECURITY T9);
 *   the caller's digest covers it because the caller hashes the blob it pushes.
 *
 * Corrupt deflate data, a bad header or a CRC / length mismatch is a `corrupt-compressed-data`
 * error carrying zlib's message; input that stops inside a member is `truncated-compressed-data`.
 */
import {
  Z_BUF_ERROR,
  Z_NO_FLUSH,
  Z_OK,
  Z_STREAM_END,
  ZStream,
  zlibInflate,
  zlibInflateEnd,
  zlibInflateInit2,
  zlibInflateReset,
} from "pako";
import { DEFAULT_MAX_UNCOMPRESSED_BYTES, OutputLimit, type DecodeSummary, type SyncDecoder } from "./decoder";
import { CompressionFailure } from "./errors";

/** zlib windowBits: 15 (32 KiB, the deflate maximum) + 16 = expect a gzip wrapper, nothing else. */
const GZIP_WINDOW_BITS = 15 + 16;
/** Size of each output buffer, hence of each yielded chunk: big enough that per-chunk costs vanish. */
const OUTPUT_CHUNK = 128 * 1024;
// RFC 1952 2.3.1: every member starts with ID1 ID2.
const ID1 = 0x1f;
const ID2 = 0x8b;
/** How many trailing bytes the warning quotes, to help recognise what was appended. */
const TRAILING_SAMPLE = 8;

type State =
  /** Inside a member (including the very first, before any byte). */
  | "member"
  /** A member just ended; the next byte(s) decide: another member or trailing data. */
  | "between"
  /** Bytes after the last member: counted, not decoded. */
  | "trailing";

export interface PakoGzipOptions {
  readonly maxUncompressedBytes?: number;
}

/** A synchronous gzip decoder that decodes every member, from any chunking of the input. */
export function createPakoGzipDecoder(options: PakoGzipOptions = {}): SyncDecoder {
  const limit = new OutputLimit(options.maxUncompressedBytes ?? DEFAULT_MAX_UNCOMPRESSED_BYTES);
  const strm = new ZStream();
  if (zlibInflateInit2(strm, GZIP_WINDOW_BITS) !== Z_OK) throw new Error("pako: inflateInit2 failed");
  strm.avail_out = 0;

  let state: State = "member";
  let compressed = 0; // bytes pushed so far
  let memberBytes = 0; // bytes fed to the current member
  let members = 0;
  let held: Uint8Array | undefined; // "between": 0x1f seen at the end of a chunk, 0x8b not yet
  let trailing = 0;
  let trailingNonZero = false;
  const trailingHead: number[] = []; // the first bytes after the last member, for the warning
  let disposed = false;

  const fail = (detail: string): never => {
    throw new CompressionFailure({ kind: "corrupt-compressed-data", format: "gzip", compressedOffset: compressed - strm.avail_in, detail });
  };

  function countTrailing(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    for (let i = 0; i < bytes.length && trailingHead.length < TRAILING_SAMPLE; i++) trailingHead.push(bytes[i]!);
    trailing += bytes.length;
    if (!trailingNonZero) trailingNonZero = bytes.some((b) => b !== 0);
  }

  /** The finished part of the output buffer, handed over whole; inflate gets a fresh buffer next. */
  function* flushOutput(): Generator<Uint8Array, void, undefined> {
    if (strm.next_out > 0) {
      const out = strm.output.length === strm.next_out ? strm.output : strm.output.subarray(0, strm.next_out);
      strm.avail_out = 0; // forces a new buffer: the yielded one now belongs to the consumer
      strm.next_out = 0;
      yield* limit.admit(out);
    }
  }

  /** Inflates `input` from `start` while inside a member; returns where the member ended, or -1. */
  function* inflateFrom(input: Uint8Array, start: number): Generator<Uint8Array, number, undefined> {
    strm.input = input;
    strm.next_in = start;
    strm.avail_in = input.length - start;
    for (;;) {
      if (strm.avail_out === 0) {
        strm.output = new Uint8Array(OUTPUT_CHUNK);
        strm.next_out = 0;
        strm.avail_out = OUTPUT_CHUNK;
      }
      const inBefore = strm.avail_in;
      const outBefore = strm.avail_out;
      const status = zlibInflate(strm, Z_NO_FLUSH);
      memberBytes += inBefore - strm.avail_in;
      if (status === Z_STREAM_END) {
        members++;
        yield* flushOutput();
        return strm.next_in;
      }
      if (status !== Z_OK && status !== Z_BUF_ERROR) {
        // What inflate produced before the fault is handed on first: the tar entries in it are
        // reported (partial, untrusted) instead of vanishing with the buffer (SECURITY T8/T9:
        // nothing before a failure is lost). Its CRC is never checked, and the caller knows.
        const message = strm.msg || `zlib status ${status}`;
        yield* flushOutput();
        fail(message);
      }
      if (strm.avail_out === 0) {
        yield* flushOutput();
        continue;
      }
      if (strm.avail_in === 0) return -1; // wants more input; partial output stays until full or member end
      // Z_BUF_ERROR with input and output room left means no progress is possible at all.
      if (strm.avail_in === inBefore && strm.avail_out === outBefore) {
        yield* flushOutput();
        fail(strm.msg || "inflate made no progress");
      }
    }
  }

  function* pushChunk(chunk: Uint8Array): Generator<Uint8Array, void, undefined> {
    if (disposed) throw new Error("gzip decoder used after dispose()");
    compressed += chunk.length;
    let input = chunk;
    let at = 0;
    while (at < input.length) {
      if (state === "trailing") {
        countTrailing(input.subarray(at));
        return;
      }
      if (state === "between") {
        // Decide from ID1 ID2 whether another member follows; a split magic waits in `held`.
        if (held) {
          const joined = new Uint8Array(held.length + input.length - at);
          joined.set(held);
          joined.set(input.subarray(at), held.length);
          input = joined;
          at = 0;
          held = undefined;
        }
        if (input[at] !== ID1) {
          state = "trailing";
          continue;
        }
        if (input.length - at < 2) {
          held = input.slice(at);
          return;
        }
        if (input[at + 1] !== ID2) {
          state = "trailing";
          continue;
        }
        zlibInflateReset(strm);
        state = "member";
        memberBytes = 0;
      }
      const end = yield* inflateFrom(input, at);
      if (end < 0) return;
      state = "between";
      at = end;
    }
  }

  function* end(): Generator<Uint8Array, void, undefined> {
    if (state === "member") {
      // A cut stream: what was decoded before the cut goes on first (nothing before a failure is lost).
      yield* flushOutput();
      const detail =
        members === 0 && memberBytes === 0
          ? "there is no gzip data at all"
          : `member ${members + 1} ends early (after ${memberBytes} of its bytes); the download may have been cut`;
      throw new CompressionFailure({ kind: "truncated-compressed-data", format: "gzip", compressedBytes: compressed, detail });
    }
    if (held) {
      countTrailing(held);
      held = undefined;
    }
    // Every member flushed its output when it ended: nothing is left to yield.
  }

  function summary(): DecodeSummary {
    const warnings: string[] = [];
    if (trailing > 0) {
      warnings.push(
        trailingNonZero
          ? `${trailing} bytes of trailing data after the last gzip member (starting ${trailingHead.map((b) => b.toString(16).padStart(2, "0")).join(" ")}): not decoded, but part of the layer digest`
          : `${trailing} zero bytes after the last gzip member (padding): not decoded, but part of the layer digest`,
      );
    }
    return {
      format: "gzip",
      engine: "pako",
      compressedBytes: compressed,
      uncompressedBytes: limit.total,
      members,
      trailingBytes: trailing,
      warnings,
    };
  }

  return {
    mode: "sync",
    format: "gzip",
    engine: "pako",
    push: pushChunk,
    end,
    summary,
    dispose() {
      if (disposed) return;
      disposed = true;
      zlibInflateEnd(strm);
    },
  };
}
