/**
 * gzip: one interface over two engines, and the policy that picks one.
 *
 * - "native" (`DecompressionStream`) is about 2× faster, but Chromium's fails on multi-member
 *   gzip (eStargz) after the first member and on any byte after the last member.
 * - "pako" decodes every member, counts trailing bytes and names corrupt data precisely.
 *
 * The contract with the pipeline (src/core/pipeline) when the native engine fails:
 * 1. Whatever the native engine already produced is thrown away: the uncompressed hash (diff_id),
 *    the tar index, progress counters.
 * 2. The layer restarts from compressed byte 0 with a fresh pako decoder and fresh hash state
 *    (re-fetched, or replayed from a cache if the pipeline keeps one). The compressed digest may
 *    be kept only if the whole blob was hashed and checked before the restart.
 * 3. Only pako's outcome is reported. A `native-gzip-failed` error is never shown as "corrupt".
 * Choosing pako up front ({@link chooseGzipEngine}) avoids the restart when we already know.
 */
import type { Decoder } from "./decoder";
import { createNativeGzipDecoder, hasNativeGzip } from "./gzip-native";
import { createPakoGzipDecoder } from "./gzip-pako";

export type GzipEngine = "native" | "pako";

/**
 * eStargz marks its layers with this annotation (the digest of the TOC entry); such layers are
 * always multi-member, so the native engine would fail on them in Chromium.
 * → containerd/stargz-snapshotter estargz/types.go (TOCJSONDigestAnnotation).
 */
export const ESTARGZ_TOC_DIGEST_ANNOTATION = "containerd.io/snapshot/stargz/toc.digest";

export interface GzipEngineContext {
  /** The layer descriptor's annotations, if any. */
  readonly annotations?: Readonly<Record<string, string>>;
  /** True when this layer was already tried with the native engine and it failed. */
  readonly nativeFailed?: boolean;
  /** Whether DecompressionStream exists here; defaults to checking globalThis. */
  readonly nativeAvailable?: boolean;
}

/**
 * Native when it can work, pako when it cannot or already did not:
 * pako if there is no DecompressionStream, if the native engine failed on this layer, or if the
 * layer says it is eStargz; native otherwise. A multi-member gzip without the annotation still
 * goes native first and falls back after the failure (see the module comment for the restart).
 */
export function chooseGzipEngine(ctx: GzipEngineContext = {}): GzipEngine {
  const available = ctx.nativeAvailable ?? hasNativeGzip();
  if (!available || ctx.nativeFailed) return "pako";
  if (ctx.annotations && Object.hasOwn(ctx.annotations, ESTARGZ_TOC_DIGEST_ANNOTATION)) return "pako";
  return "native";
}

export interface GzipDecoderOptions {
  readonly prefer: GzipEngine;
  readonly maxUncompressedBytes?: number;
}

/** A gzip decoder on the preferred engine (pako if native is asked for but unavailable). */
export function createGzipDecoder(options: GzipDecoderOptions): Decoder {
  const limits = options.maxUncompressedBytes !== undefined ? { maxUncompressedBytes: options.maxUncompressedBytes } : {};
  return options.prefer === "native" && hasNativeGzip() ? createNativeGzipDecoder(limits) : createPakoGzipDecoder(limits);
}
