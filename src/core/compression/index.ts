/**
 * Layer decompression: detect by magic bytes, then decode gzip (native or pako), zstd (libzstd
 * in WebAssembly) or nothing, as a push parser with an uncompressed-size cap.
 */
import { createPassthroughDecoder, DEFAULT_MAX_UNCOMPRESSED_BYTES, type Decoder } from "./decoder";
import type { CompressionFormat } from "./detect";
import { createGzipDecoder, type GzipEngine } from "./gzip";
import { createZstdDecoder } from "./zstd";

export {
  detectCompression,
  chooseCompression,
  compressionFromMediaType,
  isZstdMagic,
  DETECT_BYTES,
  type CompressionFormat,
  type DetectedCompression,
  type CompressionChoice,
} from "./detect";
export {
  decodeAll,
  createPassthroughDecoder,
  OutputLimit,
  DEFAULT_MAX_UNCOMPRESSED_BYTES,
  type Decoder,
  type SyncDecoder,
  type AsyncDecoder,
  type DecodeSummary,
  type DecoderEngine,
} from "./decoder";
export {
  CompressionFailure,
  isCompressionFailure,
  describeCompressionError,
  type CompressionError,
  type CompressionErrorKind,
} from "./errors";
export { createGzipDecoder, chooseGzipEngine, ESTARGZ_TOC_DIGEST_ANNOTATION, type GzipEngine, type GzipEngineContext } from "./gzip";
export { createPakoGzipDecoder } from "./gzip-pako";
export { createNativeGzipDecoder, hasNativeGzip } from "./gzip-native";
export { createZstdDecoder, loadZstd } from "./zstd";
export { DEFAULT_MAX_ZSTD_WINDOW_BYTES, parseZstdFrameHeader, ZstdFrameScanner, type ZstdFrameHeader } from "./zstd-frames";

export interface DecoderOptions {
  /** Uncompressed-size cap in bytes; default 16 GiB ({@link DEFAULT_MAX_UNCOMPRESSED_BYTES}). */
  readonly maxUncompressedBytes?: number;
  /** zstd: the largest frame window accepted; default 128 MiB. */
  readonly maxZstdWindowBytes?: number;
  /** gzip: which engine; decide with chooseGzipEngine. Default "pako" (works everywhere). */
  readonly gzipEngine?: GzipEngine;
}

/**
 * A decoder for `format` (from chooseCompression). Async because zstd loads its WebAssembly
 * module on first use; rejects with a CompressionFailure (`decoder-unavailable`) if it cannot.
 */
export async function createDecoder(format: CompressionFormat, options: DecoderOptions = {}): Promise<Decoder> {
  const maxUncompressedBytes = options.maxUncompressedBytes ?? DEFAULT_MAX_UNCOMPRESSED_BYTES;
  switch (format) {
    case "gzip":
      return createGzipDecoder({ prefer: options.gzipEngine ?? "pako", maxUncompressedBytes });
    case "zstd":
      return createZstdDecoder({
        maxUncompressedBytes,
        ...(options.maxZstdWindowBytes !== undefined ? { maxWindowBytes: options.maxZstdWindowBytes } : {}),
      });
    case "none":
      return createPassthroughDecoder(maxUncompressedBytes);
    default: {
      const never: never = format;
      return never;
    }
  }
}
