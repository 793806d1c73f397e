/**
 * Test-only: builds complete images in memory — layer tars, gzip blobs, config, manifest, and
 * optionally a multi-platform index with BuildKit-style attestation manifests — with every
 * digest computed the way a registry would (WebCrypto sha256 over the exact bytes).
 *
 * Pure TS, no Node: gzip comes from CompressionStream, hashing from globalThis.crypto.subtle, so
 * the same builders run in vitest, in a worker and in the browser. JSON is serialised with a
 * fixed key order and no whitespace, so equal specs give equal bytes (and equal digests).
 */
import { digestBytes } from "../digest";
import {
  DOCKER_CONFIG,
  DOCKER_LAYER_TAR_GZIP,
  DOCKER_MANIFEST,
  DOCKER_MANIFEST_LIST,
  DOCKER_REFERENCE_TYPE_ANNOTATION,
  OCI_CONFIG,
  OCI_INDEX,
  OCI_LAYER_TAR,
  OCI_LAYER_TAR_GZIP,
  OCI_MANIFEST,
} from "../oci";
import type { ContainerConfig, Descriptor, HistoryEntry, Platform } from "../oci/types";
import { buildTar, concatBytes, type TarEntry } from "./tar";

/** OCI media types, or Docker v2 schema 2 / manifest list. */
export type ImageFormat = "oci" | "docker";

/** One layer: either tar entries to build, or a ready tar. Ordered base first in {@link ImageSpec.layers}. */
export interface LayerSpec {
  readonly entries?: readonly TarEntry[];
  /** A ready-made (possibly deliberately broken) tar; wins over `entries`. */
  readonly tar?: Uint8Array;
  /** "gzip" (default) or "none" (an uncompressed OCI tar layer; OCI format only). */
  readonly compression?: "gzip" | "none";
  /** created_by of the history entry generated for this layer when `ImageSpec.history` is absent. */
  readonly createdBy?: string;
}

export interface ImageSpec {
  /** Default "oci". */
  readonly format?: ImageFormat;
  /** Default linux/amd64. */
  readonly platform?: Platform;
  /** RFC 3339; default {@link DEFAULT_CREATED}. */
  readonly created?: string;
  readonly author?: string;
  /** The runtime defaults ("config" object of config.md). */
  readonly config?: ContainerConfig;
  /** Base first. */
  readonly layers: readonly LayerSpec[];
  /**
   * The full history, base first. Entries without `empty_layer: true` pair with layers in order;
   * the builder does not check the counts, so tests can build disagreeing images on purpose.
   * Default: one entry per layer from `LayerSpec.createdBy`.
   */
  readonly history?: readonly HistoryEntry[];
  /** Manifest annotations (OCI only). */
  readonly annotations?: Readonly<Record<string, string>>;
  /** Replace the generated config JSON bytes entirely (for tampered or odd configs). */
  readonly rawConfig?: Uint8Array;
}

/** Bytes with their digest and size, as a descriptor would name them. */
export interface BuiltBlob {
  readonly mediaType: string;
  /** "sha256:<hex>" of `bytes`. */
  readonly digest: string;
  /** Byte length of `bytes`. */
  readonly size: number;
  readonly bytes: Uint8Array;
}

/** A layer blob; `digest` is over the (compressed) blob, `diffId` over the uncompressed tar. */
export interface BuiltLayer extends BuiltBlob {
  readonly diffId: string;
  readonly tar: Uint8Array;
}

/** A single-platform image: manifest, config and layers (base first). */
export interface BuiltImage {
  readonly manifest: BuiltBlob;
  readonly config: BuiltBlob;
  readonly layers: readonly BuiltLayer[];
  readonly platform: Platform;
  /** The descriptor an index uses to point at this manifest (with platform). */
  readonly descriptor: Descriptor;
}

/** A multi-platform index with its images and attestation manifests. */
export interface BuiltIndex {
  readonly index: BuiltBlob;
  readonly images: readonly BuiltImage[];
  /** One per image when requested, in the same order as `images`. */
  readonly attestations: readonly BuiltImage[];
}

/** Everything a registry serves for one repository: blobs and manifests by digest, tags to digests. */
export interface Repository {
  readonly blobs: Map<string, Uint8Array>;
  readonly manifests: Map<string, { readonly bytes: Uint8Array; readonly mediaType: string }>;
  readonly tags: Map<string, string>;
}

/** 2024-01-01T00:00:00Z: fixed so built images are byte-identical on every run. */
export const DEFAULT_CREATED = "2024-01-01T00:00:00Z";

/** In-toto statement layers in BuildKit attestation manifests. */
export const IN_TOTO_MEDIA_TYPE = "application/vnd.in-toto+json";

/** Annotations BuildKit puts on attestation entries of an index (docs.docker.com "Attestation storage"). */
export const ATTESTATION_REFERENCE_DIGEST = "vnd.docker.reference.digest";
export const ATTESTATION_MANIFEST = "attestation-manifest";

const encoder = new TextEncoder();

/**
 * Gzips bytes with CompressionStream (deterministic for a given zlib: no file name, mtime 0).
 * Returns one gzip member.
 */
export async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Serialises JSON compactly, keeping the key order of the object as built (deterministic). */
export function jsonBytes(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

/** Hashes bytes into a blob record. */
export async function blob(mediaType: string, bytes: Uint8Array): Promise<BuiltBlob> {
  return { mediaType, digest: await digestBytes("sha256", bytes), size: bytes.byteLength, bytes };
}

/** The descriptor naming a blob (mediaType, digest, size, then any extras). */
export function descriptorOf(b: BuiltBlob, extra: Partial<Descriptor> = {}): Descriptor {
  return { mediaType: b.mediaType, digest: b.digest, size: b.size, ...extra };
}

/** Builds one layer: tar (from entries) → diff_id; compressed blob → digest. */
export async function buildLayer(spec: LayerSpec, format: ImageFormat = "oci"): Promise<BuiltLayer> {
  const tar = spec.tar ?? buildTar(spec.entries ?? []);
  const diffId = await digestBytes("sha256", tar);
  if (spec.compression === "none") {
    if (format === "docker") throw new Error("buildLayer: Docker schema 2 has no uncompressed layer media type");
    return { ...(await blob(OCI_LAYER_TAR, tar)), diffId, tar };
  }
  const gz = await gzip(tar);
  return { ...(await blob(format === "oci" ? OCI_LAYER_TAR_GZIP : DOCKER_LAYER_TAR_GZIP, gz)), diffId, tar };
}

/**
 * Builds a single-platform image. The config's rootfs.diff_ids follow the layers in order; its
 * history is `spec.history` or one entry per layer. The manifest lists config then layers.
 */
export async function buildImage(spec: ImageSpec): Promise<BuiltImage> {
  const format = spec.format ?? "oci";
  const platform = spec.platform ?? { os: "linux", architecture: "amd64" };
  const created = spec.created ?? DEFAULT_CREATED;
  const layers: BuiltLayer[] = [];
  for (const l of spec.layers) layers.push(await buildLayer(l, format));

  const history: HistoryEntry[] =
    spec.history !== undefined
      ? [...spec.history]
      : spec.layers.map((l, i) => ({ created, created_by: l.createdBy ?? `layer ${i}` }));

  const configDocument = {
    created,
    ...(spec.author !== undefined ? { author: spec.author } : {}),
    architecture: platform.architecture,
    os: platform.os,
    ...(platform.variant !== undefined ? { variant: platform.variant } : {}),
    ...(platform["os.version"] !== undefined ? { "os.version": platform["os.version"] } : {}),
    config: spec.config ?? {},
    rootfs: { type: "layers", diff_ids: layers.map((l) => l.diffId) },
    history,
  };
  const config = await blob(format === "oci" ? OCI_CONFIG : DOCKER_CONFIG, spec.rawConfig ?? jsonBytes(configDocument));

  const manifestMediaType = format === "oci" ? OCI_MANIFEST : DOCKER_MANIFEST;
  const manifestDocument = {
    schemaVersion: 2,
    mediaType: manifestMediaType,
    config: descriptorOf(config),
    layers: layers.map((l) => descriptorOf(l)),
    ...(spec.annotations !== undefined && format === "oci" ? { annotations: spec.annotations } : {}),
  };
  const manifest = await blob(manifestMediaType, jsonBytes(manifestDocument));
  return { manifest, config, layers, platform, descriptor: descriptorOf(manifest, { platform }) };
}

export interface IndexSpec {
  /** Default "oci". Attestations need "oci" (BuildKit only writes them into OCI indexes). */
  readonly format?: ImageFormat;
  /** One image per platform, in index order. */
  readonly images: readonly ImageSpec[];
  /** Add one BuildKit-style attestation manifest per image (platform unknown/unknown). */
  readonly attestations?: boolean;
  /** Index annotations. */
  readonly annotations?: Readonly<Record<string, string>>;
}

/**
 * Builds an index (OCI) or manifest list (Docker) over several platform images. With
 * `attestations`, each image gets an attestation manifest whose index entry has platform
 * unknown/unknown and the annotations vnd.docker.reference.type=attestation-manifest and
 * vnd.docker.reference.digest=<image manifest digest>; entries are ordered images first, then
 * attestations, as BuildKit writes them.
 */
export async function buildIndex(spec: IndexSpec): Promise<BuiltIndex> {
  const format = spec.format ?? "oci";
  if (spec.attestations && format !== "oci") throw new Error("buildIndex: attestations need an OCI index");
  const images: BuiltImage[] = [];
  for (const s of spec.images) images.push(await buildImage({ ...s, format }));
  const attestations: BuiltImage[] = [];
  if (spec.attestations) for (const image of images) attestations.push(await buildAttestation(image));

  const mediaType = format === "oci" ? OCI_INDEX : DOCKER_MANIFEST_LIST;
  const document = {
    schemaVersion: 2,
    mediaType,
    manifests: [...images.map((i) => i.descriptor), ...attestations.map((a) => a.descriptor)],
    ...(spec.annotations !== undefined ? { annotations: spec.annotations } : {}),
  };
  return { index: await blob(mediaType, jsonBytes(document)), images, attestations };
}

/**
 * A BuildKit-style attestation manifest for `image`: an OCI manifest whose one layer is an
 * in-toto statement (SLSA provenance stub) naming the image, with a minimal config. Its index
 * descriptor carries the reference annotations and platform unknown/unknown.
 */
export async function buildAttestation(image: BuiltImage): Promise<BuiltImage> {
  const statement = {
    _type: "https://in-toto.io/Statement/v0.1",
    predicateType: "https://slsa.dev/provenance/v0.2",
    subject: [{ name: "_", digest: { sha256: image.manifest.digest.slice("sha256:".length) } }],
    predicate: { buildType: "https://mobyproject.org/buildkit@v1", builder: { id: "" } },
  };
  const layerBytes = jsonBytes(statement);
  const layer: BuiltLayer = {
    ...(await blob(IN_TOTO_MEDIA_TYPE, layerBytes)),
    diffId: await digestBytes("sha256", layerBytes),
    tar: layerBytes,
  };
  const platform: Platform = { os: "unknown", architecture: "unknown" };
  const config = await blob(
    OCI_CONFIG,
    jsonBytes({ architecture: "unknown", os: "unknown", config: {}, rootfs: { type: "layers", diff_ids: [layer.diffId] } }),
  );
  const manifestDocument = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: descriptorOf(config),
    layers: [descriptorOf(layer, { annotations: { "in-toto.io/predicate-type": statement.predicateType } })],
  };
  const manifest = await blob(OCI_MANIFEST, jsonBytes(manifestDocument));
  const descriptor = descriptorOf(manifest, {
    annotations: { [ATTESTATION_REFERENCE_DIGEST]: image.manifest.digest, [DOCKER_REFERENCE_TYPE_ANNOTATION]: ATTESTATION_MANIFEST },
    platform,
  });
  return { manifest, config, layers: [layer], platform, descriptor };
}

/** An empty repository to fill with {@link addImage} / {@link addIndex}. */
export function emptyRepository(): Repository {
  return { blobs: new Map(), manifests: new Map(), tags: new Map() };
}

/** Adds an image's manifest and blobs to `repo`, and tags it when `tag` is given. Returns `repo`. */
export function addImage(repo: Repository, image: BuiltImage, tag?: string): Repository {
  repo.manifests.set(image.manifest.digest, { bytes: image.manifest.bytes, mediaType: image.manifest.mediaType });
  repo.blobs.set(image.config.digest, image.config.bytes);
  for (const l of image.layers) repo.blobs.set(l.digest, l.bytes);
  if (tag !== undefined) repo.tags.set(tag, image.manifest.digest);
  return repo;
}

/** Adds an index, its images and attestations to `repo`, tagging the index when `tag` is given. */
export function addIndex(repo: Repository, index: BuiltIndex, tag?: string): Repository {
  repo.manifests.set(index.index.digest, { bytes: index.index.bytes, mediaType: index.index.mediaType });
  for (const i of [...index.images, ...index.attestations]) addImage(repo, i);
  if (tag !== undefined) repo.tags.set(tag, index.index.digest);
  return repo;
}

/** Shorthand: a repository holding one image under `tag` (default "latest"). */
export async function repositoryWithImage(spec: ImageSpec, tag = "latest"): Promise<{ repo: Repository; image: BuiltImage }> {
  const image = await buildImage(spec);
  return { repo: addImage(emptyRepository(), image, tag), image };
}

/** Shorthand: a repository holding one index under `tag` (default "latest"). */
export async function repositoryWithIndex(spec: IndexSpec, tag = "latest"): Promise<{ repo: Repository; index: BuiltIndex }> {
  const index = await buildIndex(spec);
  return { repo: addIndex(emptyRepository(), index, tag), index };
}

export { concatBytes };
