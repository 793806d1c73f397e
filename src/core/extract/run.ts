/**
 * The two reads the file viewer and the downloads make of one layer blob, on the pipeline's own
 * stage (a) (fetch → count + hash → detect compression by magic bytes → decode, with the native
 * gzip → pako fallback): no second decoder, no second tar parser.
 *
 * - {@link extractEntries}: bodies of some entries, reading only up to the end of the last one.
 *   As soon as it has them it stops, which returns the source iterator, which cancels the fetch
 *   (and through the proxy the upstream request). The blob is therefore not hashed to its end:
 *   the bytes are as trustworthy as the layer's earlier, complete verification of the same
 *   digest, plus the header check at each entry's recorded offset (see extractor.ts).
 * - {@link streamLayerTar}: the whole uncompressed tar, through the pipeline's tar stage so it is
 *   hashed against the diff_id, with the blob's digest verdict from stage (a).
 */
import type { Verification } from "../digest";
import type { LayerscopeError } from "../errors";
import { createTarStage, runBlobWithFallback, type BlobOpener, type LayerJob, type TarStage } from "../pipeline";
import { err, ok, type Result } from "../result";
import { createEntryExtractor, type BodySink, type ExtractedBody, type ExtractTarget, type EntryExtractor } from "./extractor";

export interface ExtractRunOptions {
  readonly signal?: AbortSignal;
  /** Whether DecompressionStream may be used (default: whether it exists). */
  readonly nativeAvailable?: boolean;
  /** Compressed bytes received so far. */
  readonly onCompressedBytes?: (received: number) => void;
}

export interface ExtractOutcome {
  readonly bodies: readonly ExtractedBody[];
  /** Compressed bytes read before stopping (for "read N of M bytes of the layer"). */
  readonly compressedBytes: number;
  /** Uncompressed bytes read before stopping. */
  readonly uncompressedBytes: number;
}

/** Thrown through stage (a) by the sink once every body is read: it unwinds and cancels the fetch. */
class Enough extends Error {
  constructor() {
    super("enough");
    this.name = "Enough";
  }
}

/**
 * Reads the bodies of `targets` from the layer `job` names, fetched by `open`, delivering them to
 * `onBody` in tar order. `maxBytes` caps each body. Resolves with an error as data (a header that
 * does not match the index, a corrupt stream, a failed fetch); rejects only on abort.
 */
export async function extractEntries(
  job: LayerJob,
  open: BlobOpener,
  targets: readonly ExtractTarget[],
  onBody: BodySink,
  options: ExtractRunOptions & { readonly maxBytes?: number } = {},
): Promise<Result<ExtractOutcome, LayerscopeError>> {
  const make = (alreadyDelivered?: readonly number[]): EntryExtractor =>
    createEntryExtractor(targets, {
      onBody,
      ...(options.maxBytes !== undefined ? { maxBytes: options.maxBytes } : {}),
      ...(alreadyDelivered !== undefined ? { alreadyDelivered } : {}),
    });
  let extractor = make();
  let compressedBytes = 0;
  let uncompressedBytes = 0;
  if (extractor.done) return ok({ bodies: [], compressedBytes, uncompressedBytes });
  try {
    const outcome = await runBlobWithFallback(
      job,
      open,
      {
        async emit(chunk) {
          uncompressedBytes += chunk.length;
          if (await extractor.push(chunk)) throw new Enough();
        },
        restart() {
          // Read again from byte 0 with another gzip engine: keep what was already delivered.
          extractor = make([...extractor.delivered]);
          uncompressedBytes = 0;
        },
      },
      {
        ...options,
        onCompressedBytes(received) {
          compressedBytes = received;
          options.onCompressedBytes?.(received);
        },
      },
    );
    // The blob ended (or failed) before every body was read.
    const result = extractor.finish();
    if (outcome.error !== undefined && !result.ok) return err(outcome.error);
    if (!result.ok) return result;
    return ok({ bodies: result.value, compressedBytes, uncompressedBytes });
  } catch (e) {
    if (!(e instanceof Enough)) throw e;
    const result = extractor.finish();
    if (!result.ok) return result;
    return ok({ bodies: result.value, compressedBytes, uncompressedBytes });
  }
}

export interface LayerTarOutcome {
  /** The compressed blob against the manifest digest. */
  readonly digestVerdict: Verification;
  /** The uncompressed tar against `job.diffId` ("unverifiable" without one, or when decoding stopped). */
  readonly diffIdVerdict: Verification;
  /** Uncompressed bytes delivered. */
  readonly bytes: number;
  readonly error?: LayerscopeError;
}

/** Where the uncompressed tar goes; `restart` voids everything written (native gzip fallback). */
export interface TarSink {
  write(chunk: Uint8Array): void | Promise<void>;
  restart(): void | Promise<void>;
}

/**
 * Streams the whole uncompressed tar of `job` to `sink`. The pipeline's tar stage runs beside it,
 * so the diff_id is hashed to the very end and the verdicts are the pipeline's own; they are
 * known only at the end, and the caller keeps what it wrote as unverified until then. Rejects
 * only on abort.
 */
export async function streamLayerTar(job: LayerJob, open: BlobOpener, sink: TarSink, options: ExtractRunOptions = {}): Promise<LayerTarOutcome> {
  let stage: TarStage = await createTarStage(job);
  const outcome = await runBlobWithFallback(
    job,
    open,
    {
      async emit(chunk) {
        stage.push(chunk);
        await sink.write(chunk);
      },
      async restart() {
        stage = await createTarStage(job);
        await sink.restart();
      },
    },
    options,
  );
  const layer = stage.finish(outcome);
  return {
    digestVerdict: layer.digestVerdict,
    diffIdVerdict: layer.diffIdVerdict,
    bytes: layer.uncompressedSize,
    ...(layer.error !== undefined ? { error: layer.error } : {}),
  };
}
