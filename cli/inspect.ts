/**
 * `layerscope inspect`: the verified manifest, config and history, each layer's listing and
 * verdicts, the merged tree and its efficiency figures, as plain data shaped by
 * cli/schema/inspect.schema.json. The source is opened by cli/sources.ts; the layers are read by
 * cli/image.ts's analyse, over src/core.
 */
import type { Verification } from "../src/core/digest";
import type { DiveFigures, LayerEfficiency } from "../src/core/filetree";
import { formatPlatform, type HistoryEntry } from "../src/core/oci";
import { isTrusted, type EntryType, type LayerIndex, type WhiteoutKind } from "../src/core/pipeline";
import { describeLine } from "./errors";
import type { Analysis, OpenedImage, SourceInfo } from "./image";

export { describeLine } from "./errors";

/** The `schema` field of every result: the schema file in this repository (cli/schema/inspect.schema.json). */
export const INSPECT_SCHEMA = "layerscope/cli/schema/inspect.schema.json";
/** Bumped on any change a consumer could notice; additions of optional fields keep it. */
export const INSPECT_VERSION = 1;

export interface EntryOut {
  readonly path: string;
  readonly type: EntryType;
  readonly size: number;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly linkTarget: string | null;
  readonly whiteout: WhiteoutKind;
}

export interface LayerOut {
  readonly index: number;
  readonly digest: string;
  readonly diffId: string | null;
  /** The descriptor's size: bytes of the compressed blob. */
  readonly size: number;
  readonly uncompressedSize: number;
  readonly mediaType: string;
  readonly compression: "gzip" | "zstd" | "none";
  readonly digestVerdict: Verification;
  readonly diffIdVerdict: Verification;
  readonly trusted: boolean;
  readonly partial: boolean;
  readonly error: string | null;
  readonly warnings: readonly string[];
  readonly entries: readonly EntryOut[];
}

export interface MergedOut {
  readonly path: string;
  readonly type: EntryType;
  readonly size: number;
  readonly mode: number;
  readonly layer: number;
  readonly implied: boolean;
}

export interface ImageOut {
  readonly names: readonly string[];
  /** The manifest's digest, or "synthesized" when the archive had none (docker save). */
  readonly manifestDigest: string;
  readonly manifestVerdict: Verification | null;
  readonly indexDigest: string | null;
  readonly configDigest: string;
  readonly configVerdict: Verification;
  readonly platform: string;
  readonly created: string | null;
  readonly history: readonly HistoryEntry[];
  readonly warnings: readonly string[];
}

export interface EfficiencyOut {
  readonly dive: DiveFigures;
  readonly corrected: DiveFigures;
  readonly overlay: DiveFigures;
  readonly perLayer: readonly LayerEfficiency[];
}

export interface InspectResult {
  readonly schema: string;
  readonly version: number;
  readonly source: SourceInfo;
  readonly image: ImageOut;
  readonly layers: readonly LayerOut[];
  readonly merged: readonly MergedOut[];
  readonly efficiency: EfficiencyOut;
}

/** The image part of a result: what the source said, as verified. */
export function imageOut(image: OpenedImage): ImageOut {
  const { config } = image;
  return {
    names: image.names,
    manifestDigest: image.manifestDigest,
    manifestVerdict: image.manifestVerdict,
    indexDigest: image.indexDigest,
    configDigest: image.configDigest,
    configVerdict: image.configVerdict,
    platform: formatPlatform({ os: config.os, architecture: config.architecture, ...(config.variant ? { variant: config.variant } : {}) }),
    created: config.created ?? null,
    history: config.history ?? [],
    warnings: image.warnings,
  };
}

/** The result of `inspect` for an opened and analysed image. */
export function inspectResult(image: OpenedImage, analysis: Analysis): InspectResult {
  const eff = analysis.efficiency;
  return {
    schema: INSPECT_SCHEMA,
    version: INSPECT_VERSION,
    source: image.source,
    image: imageOut(image),
    layers: analysis.layers.map((l, i) => layerOut(l, image.manifest.layers[i]?.size ?? l.compressedSize)),
    merged: [...analysis.merged.entries.values()]
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
      .map((e) => ({ path: e.path, type: e.version.type, size: e.version.size, mode: e.version.mode, layer: e.version.layer, implied: e.implied })),
    efficiency: { dive: eff.dive, corrected: eff.corrected, overlay: eff.overlay, perLayer: eff.perLayer },
  };
}

function layerOut(l: LayerIndex, size: number): LayerOut {
  return {
    index: l.layerIndex,
    digest: l.digest,
    diffId: l.diffId ?? null,
    size,
    uncompressedSize: l.uncompressedSize,
    mediaType: l.mediaType,
    compression: l.compression,
    digestVerdict: l.digestVerdict,
    diffIdVerdict: l.diffIdVerdict,
    trusted: isTrusted(l),
    partial: l.partial,
    error: l.error ? describeLine(l.error) : null,
    warnings: l.warnings,
    entries: l.entries.map((e) => ({
      path: e.path,
      type: e.type,
      size: e.size,
      mode: e.mode,
      uid: e.uid,
      gid: e.gid,
      linkTarget: e.linkname ?? null,
      whiteout: e.whiteout,
    })),
  };
}
