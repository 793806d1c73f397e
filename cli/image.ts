/**
 * The one shape every source opens to, whatever the transport (archive, layout directory,
 * registry): a verified manifest and config, and an opener per layer. Everything after the open
 * — running each layer through src/core/pipeline's runLayer (the function the page's layer
 * worker runs), merging with src/core/filetree, the efficiency figures — is done once, here.
 */
import type { Verification } from "../src/core/digest";
import type { LayerscopeError } from "../src/core/errors";
import { computeEfficiency, mergeLayers, type EfficiencyReport, type MergedFilesystem } from "../src/core/filetree";
import { DEFAULT_PLATFORM, choosePlatform, formatPlatform, partitionIndex, type Descriptor, type ImageConfig, type ImageIndex, type ImageManifest, type Platform } from "../src/core/oci";
import { LAYER_NETWORK_RETRIES, isTransientLayerError, runLayer, type BlobOpener, type LayerIndex, type LayerRunProgress } from "../src/core/pipeline";
import { err, ok, type Result } from "../src/core/result";

/** Where an image was read from, as the result reports it. */
export type Transport = "docker-archive" | "oci-archive" | "oci" | "registry";

export interface SourceInfo {
  readonly transport: Transport;
  /** The file, the directory, or the registry reference as given. */
  readonly location: string;
  /** How the source was laid out: an archive's format, "oci-layout" for a directory, "registry". */
  readonly format: "oci-layout" | "docker-oci" | "docker-save" | "kaniko" | "registry";
  /** How many images the source holds (an archive or layout may hold several; a registry reference names one). */
  readonly images: number;
}

/** An image opened from any source: its documents verified, its layers ready to be read. */
export interface OpenedImage {
  readonly source: SourceInfo;
  /** What the source calls the image: RepoTags, a layout's ref.name, the reference. Maybe empty. */
  readonly names: readonly string[];
  /** The manifest's digest, or "synthesized" when the source had none (a classic docker save). */
  readonly manifestDigest: string;
  /** The manifest's bytes against its digest; null when there was nothing to check them against. */
  readonly manifestVerdict: Verification | null;
  /** The index the manifest was picked from, when the reference named an index. */
  readonly indexDigest: string | null;
  readonly manifest: ImageManifest;
  readonly configDigest: string;
  readonly configVerdict: Verification;
  readonly config: ImageConfig;
  readonly warnings: readonly string[];
  /** Opens layer `index` from byte 0 (each call afresh); undefined when the source does not hold it. */
  layerOpener(index: number, descriptor: Descriptor): BlobOpener | undefined;
  /** Releases files and sockets. Idempotent. */
  close(): Promise<void>;
}

/** What a source's open returns. */
export type OpenResult = { readonly ok: true; readonly value: OpenedImage } | { readonly ok: false; readonly error: LayerscopeError };

/** Progress of one layer, for the stderr progress line. */
export interface AnalysisProgress {
  readonly layer: number;
  readonly layers: number;
  readonly progress: LayerRunProgress;
}

/** Every layer read and indexed, and the filesystem they merge to. */
export interface Analysis {
  readonly layers: readonly LayerIndex[];
  readonly merged: MergedFilesystem;
  readonly efficiency: EfficiencyReport;
}

/**
 * The image of an index for `wanted` (default linux/amd64, as `docker pull` on such a machine),
 * picked by src/core/oci's choosePlatform (attestations never); platform-not-found lists the
 * platforms the index does have.
 */
export function pickPlatform(index: ImageIndex, wanted: Platform = DEFAULT_PLATFORM): Result<Descriptor, LayerscopeError> {
  const child = choosePlatform(index, wanted);
  if (child !== undefined) return ok(child);
  const available = partitionIndex(index).images.map((d) => formatPlatform(d.platform));
  return err({ kind: "platform-not-found", wanted: formatPlatform(wanted), available });
}

const absent = (descriptor: Descriptor): BlobOpener => async () =>
  Promise.reject(new Error(`the source does not hold ${descriptor.digest} (a foreign layer?)`));

/**
 * Reads every layer in manifest order (base first), one at a time so memory stays one layer's
 * worth of index plus the pipeline's bounded buffers, then merges them. A layer the network cut
 * short is read again from byte 0, with fresh hash state, up to LAYER_NETWORK_RETRIES times, as
 * the page does (SECURITY L5); one still cut short after that is reported by {@link unreadLayer}.
 */
export async function analyse(image: OpenedImage, onProgress?: (p: AnalysisProgress) => void): Promise<Analysis> {
  const layers: LayerIndex[] = [];
  const count = image.manifest.layers.length;
  for (const [i, d] of image.manifest.layers.entries()) {
    const job = {
      layerIndex: i,
      digest: d.digest,
      size: d.size,
      mediaType: d.mediaType,
      diffId: image.config.rootfs.diff_ids[i],
      ...(d.annotations ? { annotations: d.annotations } : {}),
    };
    const opener = image.layerOpener(i, d) ?? absent(d);
    const options = onProgress ? { onProgress: (progress: LayerRunProgress) => onProgress({ layer: i, layers: count, progress }) } : {};
    let layer = await runLayer(job, opener, options);
    for (let retry = 0; retry < LAYER_NETWORK_RETRIES && isTransientLayerError(layer.error); retry++) layer = await runLayer(job, opener, options);
    layers.push(layer);
  }
  const inputs = layers.map((l) => l.entries);
  const merged = mergeLayers(inputs);
  return { layers, merged, efficiency: computeEfficiency(inputs, merged) };
}

/**
 * Layer errors that mean the registry never gave the layer's bytes, or not all of them: the
 * network cut it short (after its retries), a 429, a refusal, a web page instead of a blob. Not
 * a verdict on the image, which a mismatch, an overrun or a corrupt stream are.
 */
const UNREAD: ReadonlySet<LayerscopeError["kind"]> = new Set([
  "unreachable",
  "rate-limited",
  "not-found",
  "unauthorized",
  "denied",
  "not-a-registry",
  "registry-error",
  "destination-not-allowed",
  "response-too-large",
]);

/**
 * The first layer whose bytes the registry did not give (see UNREAD; a blob cut short after
 * its retries too), as its error. A result built on it would describe bytes that never arrived,
 * so the commands report it as an error (exit 2) instead of a result; a layer that arrived whole
 * and failed a check is a verdict, and stays one.
 */
export function unreadLayer(analysis: Analysis): LayerscopeError | undefined {
  return analysis.layers.find((l) => l.error !== undefined && (isTransientLayerError(l.error) || UNREAD.has(l.error.kind)))?.error;
}
