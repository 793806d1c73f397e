/**
 * The typed message contract between the page and the layer workers, and between the two
 * workers of the split mode. Only plain data crosses (STYLE 8): jobs, outcomes, results and
 * errors are structured-clone friendly; decoded chunks travel as transferred ArrayBuffers.
 *
 * Modes:
 * - "single": one worker runs both stages (layer.worker.ts).
 * - "split": a blob worker (fetch → digest → decompress) sends decoded chunks over a
 *   MessagePort to a tar worker (diff_id → tar index), with credit-based backpressure: the tar
 *   worker starts the blob worker with `credits` batches and grants one back per batch it has
 *   processed, so at most credits × batchBytes are in flight, whatever the layer size.
 *
 * Every run carries a `runId`; a message about another run is stale and ignored.
 */
import type { LayerscopeError } from "../core/errors";
import type { BlobOutcome, LayerIndex, LayerJob } from "../core/pipeline";
import { packEntries, packedBuffers, unpackEntries, type PackedEntries, type Yield } from "../core/pipeline/pack";

/** How the worker reaches the blob: the proxy URL and headers the page's registry client would send. */
export interface BlobRequest {
  readonly url: string;
  /** e.g. `Authorization: Basic …` for the proxy; never logged. */
  readonly headers: Readonly<Record<string, string>>;
  /** For error messages (not-found, unauthorized…). */
  readonly registry: string;
  readonly repository: string;
}

/** page → layer.worker (single mode). */
export type LayerWorkerRequest =
  | { readonly type: "run"; readonly runId: number; readonly job: LayerJob; readonly request: BlobRequest; readonly nativeGzip?: boolean }
  | { readonly type: "cancel"; readonly runId: number };

/** page → blob.worker (split mode). `port` is the blob end of the channel to the tar worker. */
export type BlobWorkerRequest =
  | {
      readonly type: "run";
      readonly runId: number;
      readonly job: LayerJob;
      readonly request: BlobRequest;
      readonly port: MessagePort;
      readonly credits: number;
      readonly batchBytes: number;
      readonly nativeGzip?: boolean;
    }
  | { readonly type: "cancel"; readonly runId: number };

/** page → tar.worker (split mode). `port` is the tar end of the channel. */
export type TarWorkerRequest =
  | { readonly type: "run"; readonly runId: number; readonly job: LayerJob; readonly port: MessagePort }
  | { readonly type: "cancel"; readonly runId: number };

/** blob worker → tar worker, over the port, in order. */
export type BlobToTar =
  /** A batch of decoded chunks (their buffers transferred). Costs one credit. */
  | { readonly type: "data"; readonly chunks: readonly Uint8Array[] }
  /** Everything sent so far is void: the layer starts again from byte 0 (native gzip failed). */
  | { readonly type: "restart" }
  /** Stage (a) finished (errors included as data). */
  | { readonly type: "end"; readonly outcome: BlobOutcome }
  /** The blob side failed outright (aborted or a bug): no result. */
  | { readonly type: "failed"; readonly error: LayerscopeError };

/** tar worker → blob worker: credits given back. */
export interface TarToBlob {
  readonly type: "credit";
  readonly n: number;
}

/** Any layer worker → page. Progress fields are absolute counts; a worker sends those it knows. */
export type WorkerEvent =
  | {
      readonly type: "progress";
      readonly runId: number;
      readonly compressedBytes?: number;
      readonly uncompressedBytes?: number;
      readonly entries?: number;
      /** The HTTP status the proxy answered the blob GET with (the page cannot see workers' requests). */
      readonly httpStatus?: number;
    }
  | DoneEvent
  | { readonly type: "failed"; readonly runId: number; readonly error: LayerscopeError };

/**
 * A layer's result. The workers send the entries packed (core/pipeline/pack.ts: a dozen typed
 * arrays, transferred, and one string) beside the rest of the result, never as entry objects:
 * the page deserialised a million LayerEntry objects, each with its own Uint8Array, in one task
 * of seconds when it first read the message; unpacking them is several times cheaper and runs in
 * slices (see {@link resultOf}). `result` with its entries is still understood (tests' fakes).
 */
export type DoneEvent =
  | { readonly type: "done"; readonly runId: number; readonly result: LayerIndex }
  | { readonly type: "done"; readonly runId: number; readonly result: Omit<LayerIndex, "entries">; readonly packed: PackedEntries };

/** The worker side: a result as a done event with its entries packed, and the buffers to transfer. */
export async function packedDone(runId: number, result: LayerIndex): Promise<{ readonly event: DoneEvent; readonly transfer: ArrayBuffer[] }> {
  const { entries, ...rest } = result;
  const packed = await packEntries(entries);
  return { event: { type: "done", runId, result: rest, packed }, transfer: packedBuffers(packed) };
}

/** The page side: the whole result of a done event, unpacked in slices with `yieldFn` between them. */
export async function resultOf(event: DoneEvent, yieldFn?: Yield): Promise<LayerIndex> {
  if (!("packed" in event)) return event.result;
  return { ...event.result, entries: await unpackEntries(event.packed, yieldFn) };
}

/** Workers report progress at most this often (the page throttles again for rendering). */
export const WORKER_PROGRESS_INTERVAL_MS = 100;
