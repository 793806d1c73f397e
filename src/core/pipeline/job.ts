/**
 * What one layer's work needs to know, as plain data (it crosses postMessage to the workers),
 * and the limits that keep hostile layers from exhausting memory (SECURITY T10, T11).
 */
import type { LayerscopeError } from "../errors";

/** Safety limits. Every field is optional; the defaults are the stage modules' own. */
export interface LayerLimits {
  /** Stop decompressing past this many uncompressed bytes (gzip bomb, T10). Default 16 GiB. */
  readonly maxUncompressedBytes?: number;
  /** Largest zstd window accepted (decoder memory, T10). Default 128 MiB. */
  readonly maxZstdWindowBytes?: number;
  /** Tar entries after which indexing stops (T11). Default one million. */
  readonly maxEntries?: number;
  /** Largest PAX / GNU long-name body held (T6). Default 1 MiB. */
  readonly maxMetaBytes?: number;
  /** Longest path or link target in bytes. Default 64 KiB. */
  readonly maxPathBytes?: number;
}

/**
 * One layer to fetch, verify and index. `digest` and `size` come from the manifest's layer
 * descriptor (they name the compressed blob); `diffId` from `config.rootfs.diff_ids[layerIndex]`
 * (it names the uncompressed tar; undefined when the config has none).
 */
export interface LayerJob {
  /** Position in manifest.layers, base first. */
  readonly layerIndex: number;
  readonly digest: string;
  /** The descriptor's size in bytes. */
  readonly size: number;
  /** Only a hint: the compression is decided by magic bytes. */
  readonly mediaType: string;
  /** Descriptor annotations (eStargz layers are recognised by one). */
  readonly annotations?: Readonly<Record<string, string>>;
  readonly diffId: string | undefined;
  readonly limits?: LayerLimits;
}

/** A LayerscopeError thrown through async code (fetch, sources); only `.error` crosses workers. */
export class LayerFailure extends Error {
  constructor(readonly error: LayerscopeError) {
    super(error.kind);
    this.name = "LayerFailure";
  }
}

/** True for a thrown {@link LayerFailure}, by shape too (it may come from another realm). */
export function isLayerFailure(e: unknown): e is LayerFailure {
  return e instanceof LayerFailure || (e instanceof Error && e.name === "LayerFailure" && "error" in e);
}

/** True for an abort: a DOMException "AbortError" (fetch, streams) or a LayerFailure of kind "aborted". */
export function isAbort(e: unknown, signal?: AbortSignal): boolean {
  if (signal?.aborted) return true;
  if (isLayerFailure(e)) return e.error.kind === "aborted";
  return typeof e === "object" && e !== null && (e as { name?: unknown }).name === "AbortError";
}

/**
 * Times a layer cut short by the network is read again by itself, from byte 0 with fresh hash
 * state, before its failure is shown (SECURITY L5); the page's layer jobs and the command line
 * both use it. A partial run is never kept: each retry starts over.
 */
export const LAYER_NETWORK_RETRIES = 2;

/**
 * Failures worth reading the layer again: the bytes stopped coming (a blob cut short, the
 * registry unreachable for a moment), not wrong bytes. A digest mismatch, an overrun or a corrupt
 * stream would only come back the same.
 */
export function isTransientLayerError(error: LayerscopeError | undefined): boolean {
  if (error === undefined) return false;
  return (error.kind === "size-mismatch" && error.direction === "truncated") || error.kind === "unreachable";
}
