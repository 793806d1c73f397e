/**
 * One layer, end to end: blob → verify digest → decompress → verify diff_id → index. The two
 * stages compose either in one thread ({@link runLayer}) or across two workers (the blob side
 * runs {@link runBlobWithFallback} and sends chunks; the tar side runs a TarStage on them).
 */
import { chooseGzipEngine } from "../compression";
import { runBlobStage, type BlobOutcome, type ChunkSink } from "./blob";
import { isAbort, isLayerFailure, LayerFailure, type LayerJob } from "./job";
import { createTarStage, type TarStage } from "./tar";
import type { LayerIndex } from "./types";

/**
 * Opens the blob from byte 0: a fresh source each call (a restart fetches again). Rejects with a
 * {@link LayerFailure} for a failure the user should see (404, unauthorized, network…).
 */
export type BlobOpener = (signal: AbortSignal | undefined) => Promise<AsyncIterable<Uint8Array>>;

/** Where stage (a)'s output goes, and how to throw away what it received when a restart happens. */
export interface BlobSink {
  readonly emit: ChunkSink;
  /** Everything emitted so far is void: the stream starts again from its first byte. */
  restart(): void | Promise<void>;
}

export interface BlobRunOptions {
  readonly signal?: AbortSignal;
  /** Whether DecompressionStream can be used here (default: whether it exists). */
  readonly nativeAvailable?: boolean;
  readonly onCompressedBytes?: (received: number) => void;
}

/** Stage (a)'s outcome for a blob that could not even be opened. */
function openFailed(job: LayerJob, error: LayerFailure["error"], warnings: readonly string[]): BlobOutcome {
  return {
    compression: undefined,
    engine: undefined,
    digestVerdict: { status: "unverifiable", digest: job.digest, reason: "the blob could not be fetched" },
    compressedBytes: 0,
    warnings,
    error,
    decodedToEnd: false,
  };
}

/**
 * Stage (a) with the gzip engine policy of compression/gzip.ts: the browser's engine where it
 * works, pako where it does not. When the native engine fails (Chromium rejects multi-member
 * gzip such as eStargz, and trailing bytes), the layer restarts from byte 0 with pako: the sink
 * is told to discard what it got, the blob is opened again and hashed with fresh state, and only
 * pako's verdict is reported. Rejects only on abort.
 */
export async function runBlobWithFallback(job: LayerJob, open: BlobOpener, sink: BlobSink, options: BlobRunOptions = {}): Promise<BlobOutcome> {
  let engine = chooseGzipEngine({
    ...(job.annotations !== undefined ? { annotations: job.annotations } : {}),
    ...(options.nativeAvailable !== undefined ? { nativeAvailable: options.nativeAvailable } : {}),
  });
  const notes: string[] = [];
  for (;;) {
    let source: AsyncIterable<Uint8Array>;
    try {
      source = await open(options.signal);
    } catch (e) {
      if (isAbort(e, options.signal)) throw new LayerFailure({ kind: "aborted" });
      if (isLayerFailure(e)) return openFailed(job, e.error, notes);
      throw e;
    }
    const outcome = await runBlobStage(job, source, sink.emit, {
      gzipEngine: engine,
      ...(options.signal !== undefined ? { signal: options.signal } : {}),
      ...(options.onCompressedBytes !== undefined ? { onCompressedBytes: options.onCompressedBytes } : {}),
    });
    if (outcome.nativeGzipFailed !== undefined && engine === "native") {
      notes.push(`the browser's gzip decoder stopped (${outcome.nativeGzipFailed}); the layer was read again from byte 0 with pako, which decodes every gzip member`);
      engine = "pako";
      await sink.restart();
      continue;
    }
    return notes.length > 0 ? { ...outcome, warnings: [...notes, ...outcome.warnings] } : outcome;
  }
}

/** Progress of one layer in one thread. Bytes, not rates: the page computes MB/s. */
export interface LayerRunProgress {
  readonly compressedBytes: number;
  readonly uncompressedBytes: number;
  readonly entries: number;
}

export interface LayerRunOptions extends BlobRunOptions {
  /** Called often (every chunk): throttle before posting it anywhere. */
  readonly onProgress?: (p: LayerRunProgress) => void;
}

/**
 * Both stages in one thread: the decoder's output goes straight into the tar stage (hash +
 * parse), so at most one decoded piece (≤ 128 KiB) is alive at a time. Resolves with the
 * layer's index, errors included as data (`error`, `partial`); rejects only on abort.
 */
export async function runLayer(job: LayerJob, open: BlobOpener, options: LayerRunOptions = {}): Promise<LayerIndex> {
  let stage: TarStage = await createTarStage(job);
  let compressedBytes = 0;
  const report = (): void => options.onProgress?.({ compressedBytes, uncompressedBytes: stage.uncompressedBytes, entries: stage.entryCount });
  const outcome = await runBlobWithFallback(
    job,
    open,
    {
      emit(chunk) {
        stage.push(chunk);
        report();
      },
      async restart() {
        stage = await createTarStage(job);
      },
    },
    {
      ...options,
      onCompressedBytes(received) {
        compressedBytes = received;
        options.onCompressedBytes?.(received);
        report();
      },
    },
  );
  return stage.finish(outcome);
}

/** An async iterable over a ReadableStream's chunks that cancels the stream when left early. */
export async function* readableChunks(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array, void, undefined> {
  const reader = stream.getReader();
  let done = false;
  try {
    for (;;) {
      const r = await reader.read();
      if (r.done) {
        done = true;
        return;
      }
      yield r.value;
    }
  } finally {
    if (!done) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}
