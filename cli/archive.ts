/**
 * `docker-archive:FILE` and `oci-archive:FILE`: a local archive opened with src/core/archive (as
 * the page opens a dropped file), its manifest and config verified, to an {@link OpenedImage}.
 */
import { openArchive, type ArchiveBlob } from "../src/core/archive";
import { verifyBytes } from "../src/core/digest";
import type { LayerscopeError } from "../src/core/errors";
import { DEFAULT_PLATFORM, formatPlatform, parseImageConfig, parseManifestOrIndex, type Platform } from "../src/core/oci";
import { err, ok } from "../src/core/result";
import { pickPlatform, type OpenResult } from "./image";
import { archiveBlobOpener, openFileSource } from "./source";

export type ArchiveTransport = "docker-archive" | "oci-archive";

export interface OpenOptions {
  /** For a source holding an index: the platform to open (default linux/amd64). */
  readonly platform?: Platform;
}

export const badArchive = (reason: string, hint?: string): LayerscopeError => ({ kind: "bad-archive", reason, ...(hint !== undefined ? { hint } : {}) });

/** Node's error as "ENOENT: no such file…". */
export function nodeReason(e: unknown): string {
  const code = (e as { code?: unknown }).code;
  const message = e instanceof Error ? e.message : String(e);
  return typeof code === "string" ? `${code}: ${message.replace(/^[A-Z]+: /, "")}` : message;
}

/** Opens the first image of a local archive; the file stays open until `close`. */
export async function openArchiveImage(transport: ArchiveTransport, path: string, options: OpenOptions = {}): Promise<OpenResult> {
  let file;
  try {
    file = await openFileSource(path);
  } catch (e) {
    return err(badArchive(`cannot read ${path} (${nodeReason(e)})`, `Check the path after the transport, e.g. ${transport}:./image.tar.`));
  }
  let handed = false;
  try {
    const opened = await openArchive(file.source);
    if (!opened.ok) return opened;
    const archive = opened.value;
    const image = archive.images[0];
    if (image === undefined) return err(badArchive("the archive holds no images"));
    const warnings = [...archive.warnings, ...image.warnings];
    if (archive.images.length > 1) warnings.push(`the archive holds ${archive.images.length} images; the first was inspected`);
    const blobBytes = async (blob: ArchiveBlob | undefined): Promise<Uint8Array | undefined> =>
      blob === undefined ? undefined : blob.kind === "bytes" ? blob.bytes : file.source.read(blob.offset, blob.size);

    // The top document may be an index (an OCI layout of a multi-platform image): pick the platform.
    let manifestBytes = image.bytes;
    let manifestDigest = image.digest;
    let indexDigest: string | null = null;
    let top = parseManifestOrIndex(manifestBytes, image.mediaType);
    if (top.ok && top.value.kind === "index") {
      const picked = pickPlatform(top.value, options.platform);
      if (!picked.ok) return picked;
      const child = picked.value;
      const bytes = await blobBytes(archive.blobs.get(child.digest));
      if (bytes === undefined) return err(badArchive(`the index names ${child.digest} for ${formatPlatform(options.platform ?? DEFAULT_PLATFORM)}, but the archive does not hold it`));
      indexDigest = manifestDigest;
      manifestBytes = bytes;
      manifestDigest = child.digest;
      top = parseManifestOrIndex(manifestBytes, child.mediaType);
    }
    if (!top.ok) return top;
    if (top.value.kind !== "manifest") return err(badArchive("the index nests another index; the command line does not follow nested indexes yet"));
    const manifest = top.value;
    // A layout's digests are claims by name: check them, as the registry client checks a registry's.
    const synthesized = image.synthesized && indexDigest === null;
    const manifestVerdict = synthesized ? null : await verifyBytes(manifestDigest, manifestBytes);
    if (manifestVerdict !== null && manifestVerdict.status === "mismatch") {
      return err({ kind: "digest-mismatch", what: "manifest", expected: manifestVerdict.expected, actual: manifestVerdict.actual });
    }
    const configBytes = await blobBytes(archive.blobs.get(manifest.config.digest));
    if (configBytes === undefined) return err(badArchive(`the archive does not hold the config ${manifest.config.digest}`));
    const configVerdict = await verifyBytes(manifest.config.digest, configBytes);
    if (configVerdict.status === "mismatch") return err({ kind: "digest-mismatch", what: "config", expected: configVerdict.expected, actual: configVerdict.actual });
    const config = parseImageConfig(configBytes);
    if (!config.ok) return config;
    for (const [i, d] of manifest.layers.entries()) {
      if (!archive.blobs.has(d.digest)) warnings.push(`layer ${i + 1} (${d.digest}) is not in the archive (a foreign layer?)`);
    }

    handed = true;
    return ok({
      source: { transport, location: path, format: archive.format, images: archive.images.length },
      names: image.names,
      manifestDigest: synthesized ? "synthesized" : manifestDigest,
      manifestVerdict,
      indexDigest,
      manifest,
      configDigest: manifest.config.digest,
      configVerdict,
      config: config.value,
      warnings,
      layerOpener: (_i, d) => {
        const blob = archive.blobs.get(d.digest);
        return blob === undefined ? undefined : archiveBlobOpener(path, blob);
      },
      close: () => file.close(),
    });
  } finally {
    if (!handed) await file.close();
  }
}
