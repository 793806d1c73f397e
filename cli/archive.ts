/**
 * Local sources to an {@link OpenedImage}: `docker-archive:FILE` and `oci-archive:FILE` (a tar
 * opened with src/core/archive, as the page opens a dropped file) here, `oci:DIR` in
 * cli/layout.ts; both then go through {@link openLocalImage}: the image chosen (cli/select.ts),
 * an index's platform picked, the manifest and config verified.
 */
import { MAX_JSON_MEMBER_BYTES, openArchive, type ArchiveBlob, type OpenedArchive } from "../src/core/archive";
import { verifyBytes } from "../src/core/digest";
import type { LayerscopeError } from "../src/core/errors";
import { DEFAULT_PLATFORM, formatPlatform, parseImageConfig, parseManifestOrIndex, partitionIndex, type Platform } from "../src/core/oci";
import type { BlobOpener } from "../src/core/pipeline";
import { err, ok, type Result } from "../src/core/result";
import { pickPlatform, type OpenResult } from "./image";
import { chooseImage, choiceError, type ImageSummary, type LocalTransport, type Selector } from "./select";
import { archiveBlobOpener, openFileSource } from "./source";

export type ArchiveTransport = "docker-archive" | "oci-archive";

export interface OpenOptions {
  /** For a source holding an index: the platform to open (default linux/amd64). */
  readonly platform?: Platform;
  /** Which image of a source holding several; without one, such a source is an error that lists them. */
  readonly selector?: Selector;
}

export const badArchive = (reason: string, hint?: string): LayerscopeError => ({ kind: "bad-archive", reason, ...(hint !== undefined ? { hint } : {}) });

/** Node's error as "ENOENT: no such file…". */
export function nodeReason(e: unknown): string {
  const code = (e as { code?: unknown }).code;
  const message = e instanceof Error ? e.message : String(e);
  return typeof code === "string" ? `${code}: ${message.replace(/^[A-Z]+: /, "")}` : message;
}

type MemberBlob = Extract<ArchiveBlob, { kind: "member" }>;

/** A local source opened by its transport: the images it holds, and how to read their blobs. */
export interface LocalSource {
  readonly transport: LocalTransport;
  /** The path as the user gave it. */
  readonly location: string;
  readonly archive: OpenedArchive;
  /** A member blob's bytes (a config): `blob.size` of them, or fewer when the file was cut since. */
  readMember(blob: MemberBlob): Promise<Uint8Array>;
  /** A layer blob, from byte 0 on each call. */
  opener(blob: ArchiveBlob): BlobOpener;
  /** Releases the file. Idempotent. */
  close(): Promise<void>;
}

/** Opens the image `options.selector` names in a local archive; the file stays open until `close`. */
export async function openArchiveImage(transport: ArchiveTransport, path: string, options: OpenOptions = {}): Promise<OpenResult> {
  let file;
  try {
    file = await openFileSource(path);
  } catch (e) {
    const dir = (e as { code?: unknown }).code === "EISDIR";
    return err(
      badArchive(
        `cannot read ${path} (${nodeReason(e)})`,
        dir ? `An OCI image layout directory is read as oci:${path}.` : `Check the path after the transport, e.g. ${transport}:./image.tar.`,
      ),
    );
  }
  let opened;
  try {
    opened = await openArchive(file.source);
  } finally {
    if (opened?.ok !== true) await file.close();
  }
  if (!opened.ok) return opened;
  const source = file.source;
  return openLocalImage(
    {
      transport,
      location: path,
      archive: opened.value,
      readMember: (blob) => source.read(blob.offset, blob.size),
      opener: (blob) => archiveBlobOpener(path, blob),
      close: () => file.close(),
    },
    options,
  );
}

/** A small blob whole (a manifest, a config), or why not; undefined when the source does not hold it. */
async function blobBytes(local: LocalSource, blob: ArchiveBlob | undefined, what: string): Promise<Result<Uint8Array, LayerscopeError> | undefined> {
  if (blob === undefined) return undefined;
  if (blob.kind === "bytes") return ok(blob.bytes);
  if (blob.size > MAX_JSON_MEMBER_BYTES) return err(badArchive(`${what} is ${blob.size} bytes, more than the ${MAX_JSON_MEMBER_BYTES} bytes such a document may have`));
  const bytes = await local.readMember(blob);
  return bytes.length === blob.size ? ok(bytes) : err(badArchive(`${what} could not be read whole: got ${bytes.length} of ${blob.size} bytes`));
}

/** Each image as a listing shows it: its names, and its platform when its documents say (best effort). */
async function summaries(local: LocalSource): Promise<ImageSummary[]> {
  const out: ImageSummary[] = [];
  for (const image of local.archive.images) {
    let platform: string | undefined;
    const top = parseManifestOrIndex(image.bytes, image.mediaType);
    if (top.ok && top.value.kind === "index") {
      const platforms = partitionIndex(top.value).images.map((d) => formatPlatform(d.platform));
      platform = platforms.length > 0 ? `index: ${platforms.join(", ")}` : undefined;
    } else if (top.ok && top.value.kind === "manifest") {
      const bytes = await blobBytes(local, local.archive.blobs.get(top.value.config.digest), "the config");
      const config = bytes?.ok ? parseImageConfig(bytes.value) : undefined;
      if (config?.ok) platform = formatPlatform({ os: config.value.os, architecture: config.value.architecture, ...(config.value.variant ? { variant: config.value.variant } : {}) });
    }
    out.push({ names: image.names, ...(platform !== undefined ? { platform } : {}) });
  }
  return out;
}

/**
 * Chooses the image, picks an index's platform, verifies the manifest and config, and hands the
 * source to the {@link OpenedImage}, which closes it; on failure it is closed here.
 */
export async function openLocalImage(local: LocalSource, options: OpenOptions = {}): Promise<OpenResult> {
  let handed = false;
  try {
    const { archive, transport, location } = local;
    const chosen = chooseImage(transport, archive.images, options.selector);
    if (!chosen.ok) return err(choiceError(transport, location, await summaries(local), options.selector, chosen.error.problem, chosen.error.matches));
    const image = archive.images[chosen.value];
    if (image === undefined) return err(badArchive("the archive holds no images"));
    const warnings = [...archive.warnings, ...image.warnings];

    // The top document may be an index (an OCI layout of a multi-platform image): pick the platform.
    let manifestBytes = image.bytes;
    let manifestDigest = image.digest;
    let indexDigest: string | null = null;
    let top = parseManifestOrIndex(manifestBytes, image.mediaType);
    if (top.ok && top.value.kind === "index") {
      const picked = pickPlatform(top.value, options.platform);
      if (!picked.ok) return picked;
      const child = picked.value;
      const bytes = await blobBytes(local, archive.blobs.get(child.digest), `the manifest ${child.digest}`);
      if (bytes === undefined) return err(badArchive(`the index names ${child.digest} for ${formatPlatform(options.platform ?? DEFAULT_PLATFORM)}, but the source does not hold it`));
      if (!bytes.ok) return bytes;
      indexDigest = manifestDigest;
      manifestBytes = bytes.value;
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
    const configBytes = await blobBytes(local, archive.blobs.get(manifest.config.digest), `the config ${manifest.config.digest}`);
    if (configBytes === undefined) return err(badArchive(`the source does not hold the config ${manifest.config.digest}`));
    if (!configBytes.ok) return configBytes;
    const configVerdict = await verifyBytes(manifest.config.digest, configBytes.value);
    if (configVerdict.status === "mismatch") return err({ kind: "digest-mismatch", what: "config", expected: configVerdict.expected, actual: configVerdict.actual });
    const config = parseImageConfig(configBytes.value);
    if (!config.ok) return config;
    for (const [i, d] of manifest.layers.entries()) {
      if (!archive.blobs.has(d.digest)) warnings.push(`layer ${i + 1} (${d.digest}) is not in the source (a foreign layer?)`);
    }

    handed = true;
    return ok({
      source: { transport, location, format: archive.format, images: archive.images.length },
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
        return blob === undefined ? undefined : local.opener(blob);
      },
      close: () => local.close(),
    });
  } finally {
    if (!handed) await local.close();
  }
}
