/**
 * The page ↔ extract worker contract (file viewer and downloads). One operation per worker: the
 * page starts a worker, sends one request, reads events, and terminates it (which also aborts a
 * fetch still running). Bytes travel as transferred buffers, one credit each: the worker waits
 * for the page to give a credit back before sending more, so a slow sink (a download writing to
 * disk) holds at most `credits` pieces in flight.
 */
import type { LayerscopeError } from "../core/errors";
import type { ExtractOutcome, ExtractTarget, LayerTarOutcome } from "../core/extract";
import type { LayerJob } from "../core/pipeline";
import type { Result } from "../core/result";
import type { BlobRequest } from "./protocol";

export type ExtractRequest =
  /** Bodies of `targets` (each capped at `maxBytes`), reading the layer only up to the last one. */
  | {
      readonly type: "entries";
      readonly job: LayerJob;
      readonly request: BlobRequest;
      readonly targets: readonly ExtractTarget[];
      readonly maxBytes?: number;
      readonly credits: number;
      readonly nativeGzip?: boolean;
    }
  /** The whole uncompressed tar, with the digest and diff_id verdicts at the end. */
  | { readonly type: "layer-tar"; readonly job: LayerJob; readonly request: BlobRequest; readonly credits: number; readonly nativeGzip?: boolean }
  /** Pieces processed by the page. */
  | { readonly type: "credit"; readonly n: number };

export type ExtractEvent =
  /** One piece of a target's body ("entries") or of the tar ("layer-tar", target -1). Costs one credit. */
  | { readonly type: "data"; readonly target: number; readonly chunk: Uint8Array }
  /** Everything sent so far for "layer-tar" is void: the stream starts again from byte 0. */
  | { readonly type: "restart" }
  /** Compressed bytes read so far. */
  | { readonly type: "progress"; readonly compressedBytes: number; readonly httpStatus?: number }
  | { readonly type: "entries-done"; readonly result: Result<ExtractOutcome, LayerscopeError> }
  | { readonly type: "layer-done"; readonly outcome: LayerTarOutcome }
  /** The run threw (aborted, or a bug): no result. */
  | { readonly type: "failed"; readonly error: LayerscopeError };

/** Pieces in flight between the worker and the page (each ≤ a decoder's output, ~64–128 KiB). */
export const EXTRACT_CREDITS = 16;
