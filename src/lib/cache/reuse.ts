/**
 * Whether a stored layer can stand in for layer `i` of the image being opened, and with what
 * verdicts. Pure: the layer-jobs store asks, and shows the answer with its source ("cache").
 */
import type { Descriptor } from "../../core/oci";
import type { LayerIndex } from "../../core/pipeline/types";
import type { StoredLayer } from "./store";

const algorithmOf = (digest: string): string => digest.slice(0, Math.max(0, digest.indexOf(":")));

/**
 * The LayerIndex a fresh download would give, from a stored layer, or undefined when only a
 * download can answer:
 *
 * - The blob digest matched when the layer was stored: this descriptor names the same digest
 *   (that is how it was found), so its digest verdict is "verified" again.
 * - The descriptor must also state the same size and media type: a different size would be a
 *   size error on the wire, and the media type decides the "media type vs magic" warnings
 *   stored with the layer. Either difference: download, and let the pipeline say what it finds.
 * - The diff_id: the stored layer holds the tar's real digest. Equal to this config's claim →
 *   verified; a different claim of the same algorithm → mismatch (the same verdict a download
 *   would give, without downloading); no claim → unverifiable, as the pipeline says it; a claim
 *   in another algorithm cannot be compared → download.
 */
export function reuseStoredLayer(stored: StoredLayer, descriptor: Descriptor, configDiffId: string | undefined, layerIndex: number): LayerIndex | undefined {
  if (stored.digest !== descriptor.digest || stored.compressedSize !== descriptor.size || stored.mediaType !== descriptor.mediaType) return undefined;
  let diffIdVerdict: LayerIndex["diffIdVerdict"];
  if (configDiffId === undefined) {
    diffIdVerdict = { status: "unverifiable", digest: "", reason: "the image config has no diff_id for this layer" };
  } else if (configDiffId === stored.diffId) {
    diffIdVerdict = { status: "verified", digest: configDiffId };
  } else if (algorithmOf(configDiffId) === algorithmOf(stored.diffId)) {
    diffIdVerdict = { status: "mismatch", expected: configDiffId, actual: stored.diffId };
  } else {
    return undefined;
  }
  return {
    layerIndex,
    digest: stored.digest,
    diffId: configDiffId,
    mediaType: stored.mediaType,
    compression: stored.compression,
    compressedSize: stored.compressedSize,
    uncompressedSize: stored.uncompressedSize,
    entries: stored.entries,
    totals: stored.totals,
    warnings: stored.warnings,
    digestVerdict: { status: "verified", digest: stored.digest },
    diffIdVerdict,
    partial: false,
  };
}
