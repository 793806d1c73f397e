/**
 * Stage (a): the compressed blob. Counts and hashes the bytes exactly as received against the
 * manifest descriptor (digest and size, SECURITY D1/D2/D5), decides the compression from the
 * first bytes (magic numbers; the media type is only a hint), and decodes, handing each
 * uncompressed chunk to a sink. It never holds more than the first {@link DETECT_BYTES} bytes
 * plus what the decoder is working on.
 *
 * Verify while streaming, always drain (STYLE 4): after a decoding error the rest of the blob is
 * still read and hashed, so the digest verdict is known even for a corrupt layer (a flipped byte
 * usually breaks deflate first). Only an overrun (more bytes than the descriptor names) and an
 * abort stop reading early. A connection cut mid-blob ends the stream: the count then says
 * "truncated: got N of M bytes".
 */
import {
  chooseCompression,
  compressionFromMediaType,
  createDecoder,
  describeCompressionError,
  DETECT_BYTES,
  isCompressionFailure,
  type CompressionError,
  type CompressionFormat,
  type Decoder,
  type DecoderEngine,
  type GzipEngine,
} from "../compression";
import { createBlobVerifier, describeSizeError, isSizeError, type SizeError } from "../digest/incremental";
import type { Verification } from "../digest";
import type { LayerscopeError } from "../errors";
import { isAbort, isLayerFailure, LayerFailure, type LayerJob } from "./job";

/** Where uncompressed chunks go. May be async (a credit-limited channel to another worker). */
export type ChunkSink = (chunk: Uint8Array) => void | Promise<void>;

export interface BlobStageOptions {
  /** gzip engine for this attempt (see chooseGzipEngine). */
  readonly gzipEngine: GzipEngine;
  readonly signal?: AbortSignal;
  /** Compressed bytes received so far; called once per source chunk. */
  readonly onCompressedBytes?: (received: number) => void;
}

/** What stage (a) found. Plain data: it crosses from the blob worker to the tar worker. */
export interface BlobOutcome {
  /** By magic bytes; undefined when the bytes were not recognised (or never arrived). */
  readonly compression: CompressionFormat | undefined;
  readonly engine: DecoderEngine | undefined;
  /** The compressed blob against the descriptor. Never "verified" when a size error occurred. */
  readonly digestVerdict: Verification;
  readonly compressedBytes: number;
  /** Compression warnings (media type vs magic, trailing data after the last member…). */
  readonly warnings: readonly string[];
  /** Why the stream stopped early, if it did (size, compression, limits, fetch). */
  readonly error?: LayerscopeError;
  /** True when the decoder produced the whole uncompressed stream: only then is a diff_id verdict meaningful. */
  readonly decodedToEnd: boolean;
  /**
   * The browser's gzip engine failed (multi-member gzip, trailing data…). Not a verdict: the
   * caller restarts the layer from byte 0 with pako and fresh hash state (compression/gzip.ts).
   */
  readonly nativeGzipFailed?: string;
}

/** A compression error as the layer error the page shows. */
export function compressionErrorToLayerError(e: CompressionError): LayerscopeError {
  const reason = describeCompressionError(e);
  switch (e.kind) {
    case "corrupt-compressed-data":
    case "truncated-compressed-data":
      return { kind: "corrupt-compression", format: e.format, reason };
    case "uncompressed-size-limit":
      return { kind: "limit-exceeded", what: "uncompressed size", limit: e.limit, detail: reason };
    case "zstd-window-too-large":
      return { kind: "limit-exceeded", what: "zstd window", limit: e.limit, detail: reason };
    case "unknown-compression":
      return { kind: "corrupt-compression", format: "unknown", reason };
    case "decoder-unavailable":
      // Not corrupt data: this browser cannot run the decoder (usually WebAssembly blocked by a CSP).
      return { kind: "decoder-unavailable", engine: e.engine, detail: reason };
    case "native-gzip-failed":
      return { kind: "corrupt-compression", format: "gzip", reason };
    default: {
      const never: never = e;
      return never;
    }
  }
}

function sizeErrorToLayerError(digest: string, e: SizeError): LayerscopeError {
  return e.kind === "blob-too-large"
    ? { kind: "size-mismatch", digest, expected: e.expectedSize, actual: e.received, direction: "overrun" }
    : { kind: "size-mismatch", digest, expected: e.expectedSize, actual: e.received, direction: "truncated" };
}

function concat(parts: readonly Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Runs stage (a) over `source` (the blob's bytes in order, e.g. a fetch body), sending the
 * uncompressed stream to `sink` in order. Resolves with the outcome (errors as data); rejects
 * only on abort (a LayerFailure of kind "aborted") or when the sink throws.
 */
export async function runBlobStage(job: LayerJob, source: AsyncIterable<Uint8Array>, sink: ChunkSink, options: BlobStageOptions): Promise<BlobOutcome> {
  const { signal } = options;
  const verifier = await createBlobVerifier(job.digest, job.size);
  const warnings: string[] = [];
  let compression: CompressionFormat | undefined;
  let decoder: Decoder | undefined;
  let error: LayerscopeError | undefined;
  /** Set once decoding stopped (error): the rest of the blob is only hashed. */
  let decodeStopped = false;
  let nativeGzipFailed: string | undefined;
  let overrun: SizeError | undefined;
  let cut: string | undefined;
  // The first bytes, held until there are enough to recognise the format.
  let head: Uint8Array[] = [];
  let headBytes = 0;

  const limits = job.limits ?? {};

  /** Feeds the decoder; a CompressionFailure stops decoding (but not reading). */
  async function decode(chunk: Uint8Array): Promise<void> {
    if (decodeStopped || decoder === undefined) return;
    try {
      if (decoder.mode === "sync") {
        for (const out of decoder.push(chunk)) if (out.length > 0) await sink(out);
      } else {
        for await (const out of decoder.push(chunk)) if (out.length > 0) await sink(out);
      }
    } catch (e) {
      stopDecoding(e);
    }
  }

  function stopDecoding(e: unknown): void {
    if (!isCompressionFailure(e)) throw e;
    decodeStopped = true;
    decoder?.dispose();
    if (e.error.kind === "native-gzip-failed") nativeGzipFailed = e.error.detail;
    else error ??= compressionErrorToLayerError(e.error);
  }

  /** Decides the format from the first bytes and starts the decoder with them. */
  async function startDecoder(): Promise<void> {
    const first = concat(head, headBytes);
    head = [];
    const choice = chooseCompression(first.subarray(0, DETECT_BYTES), job.mediaType);
    if (!choice.ok) {
      decodeStopped = true;
      error ??= compressionErrorToLayerError(choice.error);
      return;
    }
    compression = choice.value.format;
    warnings.push(...choice.value.warnings);
    try {
      decoder = await createDecoder(compression, {
        gzipEngine: options.gzipEngine,
        ...(limits.maxUncompressedBytes !== undefined ? { maxUncompressedBytes: limits.maxUncompressedBytes } : {}),
        ...(limits.maxZstdWindowBytes !== undefined ? { maxZstdWindowBytes: limits.maxZstdWindowBytes } : {}),
      });
    } catch (e) {
      stopDecoding(e);
      return;
    }
    await decode(first);
  }

  const iterator = source[Symbol.asyncIterator]();
  try {
    for (;;) {
      let next: IteratorResult<Uint8Array>;
      try {
        next = await iterator.next();
      } catch (e) {
        if (isAbort(e, signal)) throw new LayerFailure({ kind: "aborted" });
        if (isLayerFailure(e)) {
          error ??= e.error;
          break;
        }
        // The connection broke mid-blob: the count below says how much arrived (D2).
        cut = e instanceof Error ? e.message || e.name : String(e);
        break;
      }
      if (next.done) break;
      if (signal?.aborted) throw new LayerFailure({ kind: "aborted" });
      const chunk = next.value;
      if (chunk.length === 0) continue;
      const sizeError = verifier.update(chunk);
      options.onCompressedBytes?.(verifier.received);
      if (sizeError) {
        // More bytes than the descriptor names: the blob is already wrong; stop reading (D2).
        overrun = sizeError;
        break;
      }
      if (nativeGzipFailed !== undefined) break; // the caller restarts with pako: stop downloading
      if (decoder === undefined && !decodeStopped) {
        head.push(chunk);
        headBytes += chunk.length;
        if (headBytes >= DETECT_BYTES) await startDecoder();
      } else {
        await decode(chunk);
      }
    }
  } finally {
    // Breaking out early cancels the source (and with it the fetch).
    if (iterator.return) await Promise.resolve(iterator.return()).catch(() => undefined);
  }

  if (nativeGzipFailed !== undefined) {
    decoder?.dispose();
    return {
      compression,
      engine: "native",
      digestVerdict: { status: "unverifiable", digest: job.digest, reason: "restarted with another gzip decoder" },
      compressedBytes: verifier.received,
      warnings,
      decodedToEnd: false,
      nativeGzipFailed,
    };
  }

  let digestVerdict: Verification;
  if (overrun) {
    verifier.finish();
    error = sizeErrorToLayerError(job.digest, overrun);
    digestVerdict = { status: "unverifiable", digest: job.digest, reason: describeSizeError(overrun) };
  } else {
    const finished = verifier.finish();
    if (isSizeError(finished)) {
      // A size error explains a decoder's complaint about a cut stream better than the decoder can.
      error = sizeErrorToLayerError(job.digest, finished);
      digestVerdict = {
        status: "unverifiable",
        digest: job.digest,
        reason: `${describeSizeError(finished)}${cut !== undefined ? ` (connection lost: ${cut})` : ""}`,
      };
    } else {
      digestVerdict = finished;
    }
  }

  let decodedToEnd = false;
  if (error === undefined && !decodeStopped) {
    // A blob shorter than DETECT_BYTES (or empty) is recognised only now.
    if (decoder === undefined) await startDecoder();
    if (decoder !== undefined && !decodeStopped) {
      const d = decoder;
      try {
        if (d.mode === "sync") {
          for (const out of d.end()) if (out.length > 0) await sink(out);
        } else {
          for await (const out of d.end()) if (out.length > 0) await sink(out);
        }
        decodedToEnd = true;
        const summary = d.summary();
        warnings.push(...summary.warnings);
      } catch (e) {
        stopDecoding(e);
      } finally {
        d.dispose();
      }
    }
  } else {
    decoder?.dispose();
  }

  if (nativeGzipFailed !== undefined) {
    return {
      compression,
      engine: "native",
      digestVerdict: { status: "unverifiable", digest: job.digest, reason: "restarted with another gzip decoder" },
      compressedBytes: verifier.received,
      warnings,
      decodedToEnd: false,
      nativeGzipFailed,
    };
  }

  return {
    compression,
    engine: decoder?.engine,
    digestVerdict,
    compressedBytes: verifier.received,
    warnings,
    ...(error !== undefined ? { error } : {}),
    decodedToEnd: decodedToEnd && error === undefined,
  };
}

/** The compression to report when the bytes were not recognised: the media type's, else "none". */
export function reportedCompression(outcome: BlobOutcome, mediaType: string): CompressionFormat {
  return outcome.compression ?? compressionFromMediaType(mediaType) ?? "none";
}
