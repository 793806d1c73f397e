/**
 * `layerscope inspect` for local archives (issue 6, first step): open the archive with
 * src/core/archive, verify the manifest and config, run each layer through src/core/pipeline's
 * runLayer (the same function the page's layer worker runs), merge with src/core/filetree and
 * compute its efficiency figures. The result is plain data shaped by cli/schema/inspect.schema.json.
 */
import { openArchive, type ArchiveBlob, type OpenedArchive } from "../src/core/archive";
import { verifyBytes, type Verification } from "../src/core/digest";
import { describeError, type LayerscopeError } from "../src/core/errors";
import { computeEfficiency, mergeLayers, type DiveFigures, type LayerEfficiency } from "../src/core/filetree";
import {
  DEFAULT_PLATFORM,
  choosePlatform,
  formatPlatform,
  parseImageConfig,
  parseManifestOrIndex,
  partitionIndex,
  type Descriptor,
  type HistoryEntry,
  type ImageConfig,
  type ImageManifest,
  type Platform,
} from "../src/core/oci";
import { isTrusted, runLayer, type EntryType, type LayerIndex, type WhiteoutKind } from "../src/core/pipeline";
import { err, ok, type Result } from "../src/core/result";
import { archiveBlobOpener, openFileSource } from "./source";

/** The `schema` field of every result: the schema file in this repository (cli/schema/inspect.schema.json). */
export const INSPECT_SCHEMA = "layerscope/cli/schema/inspect.schema.json";
/** Bumped on any change a consumer could notice; additions of optional fields keep it. */
export const INSPECT_VERSION = 1;

/** Where the image comes from: a parsed command-line SOURCE. */
export type InspectSource = { readonly kind: "docker-archive" | "oci-archive"; readonly path: string };

/** Parses `docker-archive:FILE` / `oci-archive:FILE`; anything else is a bad-reference. */
export function parseSource(input: string): Result<InspectSource, LayerscopeError> {
  const m = /^(docker-archive|oci-archive):(.+)$/.exec(input);
  if (m !== null) return ok({ kind: m[1] as InspectSource["kind"], path: m[2] as string });
  const part = /^[a-z-]+:/.exec(input)?.[0] ?? input;
  const reason = /^(oci|docker-daemon|dir):/.test(input)
    ? "this transport is not supported yet: save the image as docker-archive:FILE or oci-archive:FILE"
    : "registry references are not supported by the command line yet: use docker-archive:FILE or oci-archive:FILE";
  return err({ kind: "bad-reference", input, part, reason });
}

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

export interface InspectResult {
  readonly schema: string;
  readonly version: number;
  readonly source: { readonly transport: InspectSource["kind"]; readonly path: string; readonly format: OpenedArchive["format"]; readonly images: number };
  readonly image: {
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
  };
  readonly layers: readonly LayerOut[];
  readonly merged: readonly { readonly path: string; readonly type: EntryType; readonly size: number; readonly mode: number; readonly layer: number; readonly implied: boolean }[];
  readonly efficiency: { readonly dive: DiveFigures; readonly corrected: DiveFigures; readonly overlay: DiveFigures; readonly perLayer: readonly LayerEfficiency[] };
}

/** describeError's sentence on one line: "Title: detail action". */
export function describeLine(e: LayerscopeError): string {
  const d = describeError(e);
  return `${d.title}: ${d.detail}${d.action ? ` ${d.action}` : ""}`;
}

const badArchive = (reason: string, hint?: string): LayerscopeError => ({ kind: "bad-archive", reason, ...(hint !== undefined ? { hint } : {}) });

function nodeReason(e: unknown): string {
  const code = (e as { code?: unknown }).code;
  const message = e instanceof Error ? e.message : String(e);
  return typeof code === "string" ? `${code}: ${message.replace(/^[A-Z]+: /, "")}` : message;
}

/** Reads an in-memory blob of the archive whole (configs, manifests); members are read from disk. */
async function blobBytes(read: (offset: number, length: number) => Promise<Uint8Array>, blob: ArchiveBlob | undefined): Promise<Uint8Array | undefined> {
  if (blob === undefined) return undefined;
  return blob.kind === "bytes" ? blob.bytes : read(blob.offset, blob.size);
}

export interface InspectOptions {
  /** For an archive holding an index: the platform to inspect (default linux/amd64). */
  readonly platform?: Platform;
}

/**
 * Inspects the first image of a local archive. Errors about the source itself (missing file,
 * not an archive, manifest that does not parse) are returned; a layer that fails verification or
 * parsing is reported in its `LayerOut` (verdicts, `error`), as the page shows it.
 */
export async function inspectArchive(src: InspectSource, options: InspectOptions = {}): Promise<Result<InspectResult, LayerscopeError>> {
  let file;
  try {
    file = await openFileSource(src.path);
  } catch (e) {
    return err(badArchive(`cannot read ${src.path} (${nodeReason(e)})`, "Check the path after the transport, e.g. docker-archive:./image.tar."));
  }
  try {
    const opened = await openArchive(file.source);
    if (!opened.ok) return opened;
    const archive = opened.value;
    const image = archive.images[0];
    if (image === undefined) return err(badArchive("the archive holds no images"));
    const warnings = [...archive.warnings, ...image.warnings];
    if (archive.images.length > 1) warnings.push(`the archive holds ${archive.images.length} images; the first was inspected`);

    // The top document may be an index (an OCI layout of a multi-platform image): pick the platform.
    let manifestBytes = image.bytes;
    let manifestDigest = image.digest;
    let mediaType: string | null = image.mediaType;
    let indexDigest: string | null = null;
    let top = parseManifestOrIndex(manifestBytes, mediaType);
    if (top.ok && top.value.kind === "index") {
      const wanted = options.platform ?? DEFAULT_PLATFORM;
      const child: Descriptor | undefined = choosePlatform(top.value, wanted);
      if (child === undefined) {
        const available = partitionIndex(top.value).images.map((d) => formatPlatform(d.platform));
        return err({ kind: "platform-not-found", wanted: formatPlatform(wanted), available });
      }
      const bytes = await blobBytes(file.source.read, archive.blobs.get(child.digest));
      if (bytes === undefined) return err(badArchive(`the index names ${child.digest} for ${formatPlatform(wanted)}, but the archive does not hold it`));
      indexDigest = manifestDigest;
      manifestBytes = bytes;
      manifestDigest = child.digest;
      mediaType = child.mediaType;
      top = parseManifestOrIndex(manifestBytes, mediaType);
    }
    if (!top.ok) return top;
    if (top.value.kind !== "manifest") return err(badArchive("the index nests another index; the command line does not follow nested indexes yet"));
    const manifest: ImageManifest = top.value;
    // A layout's digests are claims by name: check them, as the registry client checks a registry's.
    const manifestVerdict = image.synthesized && indexDigest === null ? null : await verifyBytes(manifestDigest, manifestBytes);
    if (manifestVerdict !== null && manifestVerdict.status === "mismatch") {
      return err({ kind: "digest-mismatch", what: "manifest", expected: manifestVerdict.expected, actual: manifestVerdict.actual });
    }

    const configBytes = await blobBytes(file.source.read, archive.blobs.get(manifest.config.digest));
    if (configBytes === undefined) return err(badArchive(`the archive does not hold the config ${manifest.config.digest}`));
    const configVerdict = await verifyBytes(manifest.config.digest, configBytes);
    if (configVerdict.status === "mismatch") return err({ kind: "digest-mismatch", what: "config", expected: configVerdict.expected, actual: configVerdict.actual });
    const parsedConfig = parseImageConfig(configBytes);
    if (!parsedConfig.ok) return parsedConfig;
    const config: ImageConfig = parsedConfig.value;

    // One layer at a time, in manifest order (base first), each through the page's own pipeline.
    const indexes: LayerIndex[] = [];
    for (const [i, d] of manifest.layers.entries()) {
      const blob = archive.blobs.get(d.digest);
      const job = { layerIndex: i, digest: d.digest, size: d.size, mediaType: d.mediaType, diffId: config.rootfs.diff_ids[i], ...(d.annotations ? { annotations: d.annotations } : {}) };
      const opener = blob !== undefined ? archiveBlobOpener(src.path, blob) : async () => Promise.reject(new Error("absent"));
      if (blob === undefined) warnings.push(`layer ${i + 1} (${d.digest}) is not in the archive (a foreign layer?)`);
      indexes.push(await runLayer(job, opener));
    }

    const inputs = indexes.map((l) => l.entries);
    const merged = mergeLayers(inputs);
    const eff = computeEfficiency(inputs, merged);
    return ok({
      schema: INSPECT_SCHEMA,
      version: INSPECT_VERSION,
      source: { transport: src.kind, path: src.path, format: archive.format, images: archive.images.length },
      image: {
        names: image.names,
        manifestDigest: image.synthesized && indexDigest === null ? "synthesized" : manifestDigest,
        manifestVerdict,
        indexDigest,
        configDigest: manifest.config.digest,
        configVerdict,
        platform: formatPlatform({ os: config.os, architecture: config.architecture, ...(config.variant ? { variant: config.variant } : {}) }),
        created: config.created ?? null,
        history: config.history ?? [],
        warnings,
      },
      layers: indexes.map((l, i) => layerOut(l, manifest.layers[i]?.size ?? l.compressedSize)),
      merged: [...merged.entries.values()]
        .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
        .map((e) => ({ path: e.path, type: e.version.type, size: e.version.size, mode: e.version.mode, layer: e.version.layer, implied: e.implied })),
      efficiency: { dive: eff.dive, corrected: eff.corrected, overlay: eff.overlay, perLayer: eff.perLayer },
    });
  } finally {
    await file.close();
  }
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
