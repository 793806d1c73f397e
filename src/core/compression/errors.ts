/**
 * What can go wrong while decompressing a layer, as plain data (STYLE 7): these objects cross
 * postMessage unchanged. Decoders throw them wrapped in {@link CompressionFailure} so they can
 * travel through iterators and streams; catch, then read `.error`.
 *
 * Offsets and sizes are in bytes. `compressedOffset` counts bytes of the compressed blob pushed
 * into the decoder before the fault was noticed (approximate: decoders read ahead a little).
 */
export type CompressionError =
  /** Corrupt deflate, bad gzip header or CRC, corrupt zstd block or checksum (SECURITY T9). */
  | {
      readonly kind: "corrupt-compressed-data";
      readonly format: "gzip" | "zstd";
      readonly compressedOffset: number;
      readonly detail: string;
    }
  /** The compressed stream stopped inside a gzip member or zstd frame (or held no data at all). */
  | {
      readonly kind: "truncated-compressed-data";
      readonly format: "gzip" | "zstd";
      readonly compressedBytes: number;
      readonly detail: string;
    }
  /** The uncompressed output reached the configured cap: a decompression bomb, or a huge layer (T10). */
  | { readonly kind: "uncompressed-size-limit"; readonly limit: number }
  /** A zstd frame asks for a larger window (decoder memory) than the configured cap (T10). */
  | {
      readonly kind: "zstd-window-too-large";
      readonly windowSize: number;
      readonly limit: number;
      readonly frameIndex: number;
    }
  /**
   * The browser's DecompressionStream failed. Not a verdict on the layer: Chromium rejects valid
   * multi-member gzip (eStargz) and trailing bytes, so the pipeline restarts the layer from byte 0
   * with the pako decoder (see gzip.ts, {@link chooseGzipEngine}), whose verdict stands.
   */
  | { readonly kind: "native-gzip-failed"; readonly detail: string }
  /** A WebAssembly decoder could not start (usually a CSP without 'wasm-unsafe-eval'). */
  | { readonly kind: "decoder-unavailable"; readonly engine: string; readonly detail: string }
  /** The first bytes are neither gzip, zstd nor tar. `firstBytes` is hex of up to 8 bytes. */
  | { readonly kind: "unknown-compression"; readonly firstBytes: string; readonly mediaType?: string };

export type CompressionErrorKind = CompressionError["kind"];

const MiB = 1024 * 1024;

/** "128 MiB" for whole MiB, else the byte count; for messages only. */
export function formatBytes(n: number): string {
  if (n >= MiB && n % MiB === 0) return n >= 1024 * MiB && n % (1024 * MiB) === 0 ? `${n / (1024 * MiB)} GiB` : `${n / MiB} MiB`;
  return `${n} bytes`;
}

/**
 * One sentence per kind, for logs and for the lead's describeError (src/core/errors.ts), which
 * should grow matching kinds and reuse these words.
 */
export function describeCompressionError(e: CompressionError): string {
  switch (e.kind) {
    case "corrupt-compressed-data":
      return `corrupt ${e.format} data near compressed byte ${e.compressedOffset}: ${e.detail}`;
    case "truncated-compressed-data":
      return `the ${e.format} stream is cut short after ${e.compressedBytes} compressed bytes: ${e.detail}`;
    case "uncompressed-size-limit":
      return `stopped at ${e.limit} bytes: the uncompressed size limit (${formatBytes(e.limit)}); this layer decompresses to more, which looks like a decompression bomb`;
    case "zstd-window-too-large":
      return `zstd frame ${e.frameIndex} needs a ${formatBytes(e.windowSize)} window, more than the ${formatBytes(e.limit)} limit; refused to protect memory`;
    case "native-gzip-failed":
      return `the browser's gzip decoder failed (${e.detail}); retry with the JavaScript decoder`;
    case "decoder-unavailable":
      return `the ${e.engine} decoder could not start: ${e.detail} (a Content-Security-Policy needs 'wasm-unsafe-eval' in script-src)`;
    case "unknown-compression":
      return `not gzip, zstd or tar: the layer starts with ${e.firstBytes || "nothing"}${e.mediaType ? ` (media type ${e.mediaType})` : ""}`;
    default: {
      const never: never = e;
      return never;
    }
  }
}

/** The thrown form of a {@link CompressionError}; only `.error` should cross a worker boundary. */
export class CompressionFailure extends Error {
  constructor(readonly error: CompressionError) {
    super(describeCompressionError(error));
    this.name = "CompressionFailure";
  }
}

/** True for a thrown {@link CompressionFailure} (by shape, so it also matches across realms). */
export function isCompressionFailure(e: unknown): e is CompressionFailure {
  return e instanceof CompressionFailure || (e instanceof Error && e.name === "CompressionFailure" && "error" in e);
}
