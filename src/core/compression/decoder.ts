/**
 * The shape every layer decoder shares (gzip native or pako, zstd, none), and the output cap.
 *
 * A decoder is a push parser (STYLE 9): the caller pushes the compressed blob in order, in chunks
 * of any size (1 byte works), and drains what each push yields before pushing again. Output comes
 * lazily, in pieces of at most about 128 KiB, so a chunk that expands 1000× (a gzip bomb) never
 * sits in memory whole: memory stays flat whatever the layer size (SECURITY T10).
 *
 * Ownership: a yielded chunk is the consumer's. The decoder never writes to it again, and apart
 * from "none" (which yields the caller's own chunks) each chunk's ArrayBuffer is used by nothing
 * else, so it can be transferred to another worker.
 */
import type { CompressionFormat } from "./detect";
import { CompressionFailure } from "./errors";

/** Which implementation decodes: the browser's DecompressionStream, pako (JS), zstddec (WASM). */
export type DecoderEngine = "native" | "pako" | "zstddec" | "passthrough";

/**
 * Default cap on a layer's uncompressed size: 16 GiB. Real layers are far smaller (a few GB at
 * the extreme); a gzip of zeros reaches 10 GiB from 10 MB, so the cap is what stops a bomb.
 */
export const DEFAULT_MAX_UNCOMPRESSED_BYTES = 16 * 1024 ** 3;

/** What a decoder saw, once the whole blob has been pushed and {@link SyncDecoder.end} drained. */
export interface DecodeSummary {
  readonly format: CompressionFormat;
  readonly engine: DecoderEngine;
  /** Compressed bytes pushed, trailing bytes included. */
  readonly compressedBytes: number;
  /** Uncompressed bytes yielded: the bytes the diff_id is computed over. */
  readonly uncompressedBytes: number;
  /** gzip members or zstd frames (skippable frames not counted); null when the engine cannot tell. */
  readonly members: number | null;
  /**
   * Bytes after the last gzip member or zstd frame. They were not decoded, but they are part of
   * the blob, so the caller's digest covers them (SECURITY T9). null when the engine cannot tell.
   */
  readonly trailingBytes: number | null;
  /** Odd but survivable findings, for display beside the layer (trailing data, …). */
  readonly warnings: readonly string[];
}

interface DecoderBase {
  readonly format: CompressionFormat;
  readonly engine: DecoderEngine;
  /** The totals so far; final once end() has been drained. */
  summary(): DecodeSummary;
  /** Frees what the decoder holds (WASM context, native stream). Idempotent; call on abort too. */
  dispose(): void;
}

/** pako, zstddec and passthrough decode synchronously, in the caller's turn. */
export interface SyncDecoder extends DecoderBase {
  readonly mode: "sync";
  /** Decodes the next compressed chunk; drain the result before the next call. Throws CompressionFailure. */
  push(chunk: Uint8Array): Iterable<Uint8Array>;
  /** No more input: yields the last output, or throws CompressionFailure (truncated stream). */
  end(): Iterable<Uint8Array>;
}

/** The native DecompressionStream works asynchronously. Same contract, with async iterables. */
export interface AsyncDecoder extends DecoderBase {
  readonly mode: "async";
  push(chunk: Uint8Array): AsyncIterable<Uint8Array>;
  end(): AsyncIterable<Uint8Array>;
}

export type Decoder = SyncDecoder | AsyncDecoder;

/**
 * Counts uncompressed output against the cap. The piece that crosses the cap is cut at exactly
 * `limit` bytes, then the decoder fails with "stopped at N bytes: the uncompressed size limit".
 */
export class OutputLimit {
  total = 0;
  constructor(readonly limit: number) {
    if (!(Number.isSafeInteger(limit) && limit >= 0)) throw new RangeError(`uncompressed size limit must be a non-negative safe integer, got ${limit}`);
  }

  *admit(chunk: Uint8Array): Generator<Uint8Array, void, undefined> {
    if (chunk.length === 0) return;
    const room = this.limit - this.total;
    if (chunk.length <= room) {
      this.total += chunk.length;
      yield chunk;
      return;
    }
    if (room > 0) {
      this.total = this.limit;
      yield chunk.subarray(0, room);
    }
    throw new CompressionFailure({ kind: "uncompressed-size-limit", limit: this.limit });
  }
}

/**
 * Pushes every chunk of `input` through `decoder` and hands each output chunk to `onData`, in
 * order; resolves with the summary. Disposes the decoder however it ends. If `onData` throws,
 * decoding stops with that error. The convenience loop for tests and simple callers; the pipeline
 * may drive push/end itself to interleave hashing.
 */
export async function decodeAll(
  decoder: Decoder,
  input: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  onData: (chunk: Uint8Array) => void,
): Promise<DecodeSummary> {
  try {
    if (decoder.mode === "sync") {
      for await (const chunk of input) for (const out of decoder.push(chunk)) onData(out);
      for (const out of decoder.end()) onData(out);
    } else {
      for await (const chunk of input) for await (const out of decoder.push(chunk)) onData(out);
      for await (const out of decoder.end()) onData(out);
    }
    return decoder.summary();
  } finally {
    decoder.dispose();
  }
}

/** "none": the blob is the tar. Chunks pass through untouched, counted against the cap. */
export function createPassthroughDecoder(maxUncompressedBytes = DEFAULT_MAX_UNCOMPRESSED_BYTES): SyncDecoder {
  const limit = new OutputLimit(maxUncompressedBytes);
  let compressed = 0;
  return {
    mode: "sync",
    format: "none",
    engine: "passthrough",
    *push(chunk) {
      compressed += chunk.length;
      yield* limit.admit(chunk);
    },
    *end() {},
    summary: () => ({
      format: "none",
      engine: "passthrough",
      compressedBytes: compressed,
      uncompressedBytes: limit.total,
      members: null,
      trailingBytes: 0,
      warnings: [],
    }),
    dispose() {},
  };
}
