/**
 * The page's view of layer work: an external store (for useSyncExternalStore) that runs every
 * layer of one image through the worker pipeline, a few at a time.
 */
import type { LayerscopeError } from "../../core/errors";
import type { Descriptor } from "../../core/oci";
import type { LayerJob } from "../../core/pipeline/job";
import type { LayerIndex, LayerProgress } from "../../core/pipeline/types";
import type { BlobRequest } from "../../workers/protocol";

/** One layer's state. Snapshots are immutable: a change produces a new object. */
export interface LayerJobState {
  /** Position in manifest.layers (base first). */
  readonly layerIndex: number;
  readonly descriptor: Descriptor;
  /** `config.rootfs.diff_ids[layerIndex]`, if the config has one. */
  readonly diffId: string | undefined;
  readonly progress: LayerProgress;
  /** Present once the layer finished, including partial results after a tar or size error. */
  readonly result?: LayerIndex;
  /** Why the layer failed or was cancelled (kind "aborted"). */
  readonly error?: LayerscopeError;
  /**
   * Where the result came from once there is one: "network" (downloaded and verified now) or
   * "cache" (verified when it was stored, at `cachedAt`, and read back from this browser's
   * persistent cache with no request). Undefined before a result.
   */
  readonly source?: LayerSource;
  /** For source "cache": when the layer was verified and stored (ms since the epoch). */
  readonly cachedAt?: number;
  /**
   * Set while the layer waits out a registry's 429 before its next automatic attempt (R4):
   * when it runs again (ms since the epoch), and which attempt that is of how many.
   */
  readonly rateLimitWait?: RateLimitWait;
}

export interface RateLimitWait {
  readonly retryAt: number;
  readonly attempt: number;
  readonly max: number;
}

export type LayerSource = "network" | "cache";

export interface LayerJobsOptions {
  readonly registry: string;
  readonly repository: string;
  readonly layers: readonly Descriptor[];
  readonly diffIds: readonly (string | undefined)[];
  /** Layers processed at once (default 2). */
  readonly poolSize?: number;
}

/** How to read one layer's blob again (the file viewer, downloads): the pipeline's job and the worker's request. */
export interface LayerBlobSource {
  readonly job: LayerJob;
  readonly request: BlobRequest;
}

export interface LayerJobs {
  subscribe(onChange: () => void): () => void;
  /** The same array object until something changes. */
  getSnapshot(): readonly LayerJobState[];
  /** Start (or resume) processing queued layers. Idempotent. */
  start(): void;
  /** Cancel one layer, or all when no index is given (a layer waiting out a 429 too): aborts its workers, fetches and (through the proxy) upstream requests. */
  cancel(layerIndex?: number): void;
  /** Run one failed or cancelled layer again, alone, from byte 0 with fresh hash state. */
  retry(layerIndex: number): void;
  /** Cancel everything and release the workers. Called when the view unmounts (navigating away). */
  dispose(): void;
  /**
   * Layer `layerIndex`'s blob, to read it again outside the indexing run (the file viewer and
   * downloads). Optional: a store without one cannot open files.
   */
  layerSource?(layerIndex: number): LayerBlobSource | undefined;
}
