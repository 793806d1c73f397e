/**
 * Media types of the documents and blobs Layerscope reads, named as the specs name them.
 * OCI: image-spec media-types.md. Docker: distribution `manifest/schema2`, `manifest/manifestlist`
 * and `manifest/schema1`. Comparisons are on the bare type (no parameters), lowercase.
 */

// ── OCI image-spec (media-types.md) ─────────────────────────────────────────────────────────
/** image-spec manifest.md: a single-platform image (or artifact). */
export const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
/** image-spec image-index.md: a list of manifests, usually one per platform. */
export const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
/** image-spec config.md: the image configuration a container runtime reads. */
export const OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
/** image-spec manifest.md (1.1): the "empty" config `{}` used by artifacts. Not an image config. */
export const OCI_EMPTY = "application/vnd.oci.empty.v1+json";
/** image-spec layer.md: an uncompressed tar changeset. */
export const OCI_LAYER_TAR = "application/vnd.oci.image.layer.v1.tar";
/** image-spec layer.md: a gzip-compressed tar changeset. */
export const OCI_LAYER_TAR_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
/** image-spec layer.md: a zstd-compressed tar changeset. */
export const OCI_LAYER_TAR_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd";
/** Non-distributable layers (deprecated in image-spec 1.1, still seen): may be served from `urls`. */
export const OCI_LAYER_NONDISTRIBUTABLE_TAR = "application/vnd.oci.image.layer.nondistributable.v1.tar";
export const OCI_LAYER_NONDISTRIBUTABLE_TAR_GZIP = "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip";
export const OCI_LAYER_NONDISTRIBUTABLE_TAR_ZSTD = "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd";

// ── Docker image manifest v2 ────────────────────────────────────────────────────────────────
/** Docker image manifest v2, schema 2. */
export const DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
/** Docker manifest list (the Docker counterpart of the OCI index). */
export const DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
/** Docker's image config, same JSON shape as the OCI config. */
export const DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";
/** Docker's gzip-compressed tar layer. */
export const DOCKER_LAYER_TAR_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip";
/** Docker's foreign layer (Windows base layers): fetched from the descriptor's `urls`, not the registry. */
export const DOCKER_LAYER_FOREIGN_TAR_GZIP = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";
/** Docker image manifest v2, schema 1: deprecated, removed from Docker. Named only to explain it. */
export const DOCKER_SCHEMA1_MANIFEST = "application/vnd.docker.distribution.manifest.v1+json";
/** Schema 1 with its JWS signature, the form registries actually served. */
export const DOCKER_SCHEMA1_SIGNED_MANIFEST = "application/vnd.docker.distribution.manifest.v1+prettyjws";

/**
 * The Accept list for manifest requests: the four current manifest and index types. Order is
 * the preference order we state to the registry (indexes first so multi-platform images come
 * back as an index, not a registry's guess of one platform).
 */
export const MANIFEST_ACCEPT: readonly string[] = [OCI_INDEX, DOCKER_MANIFEST_LIST, OCI_MANIFEST, DOCKER_MANIFEST];

/** The schema 1 types, to be sent after MANIFEST_ACCEPT so a schema 1 answer can be named, not guessed. */
export const SCHEMA1_MEDIA_TYPES: readonly string[] = [DOCKER_SCHEMA1_SIGNED_MANIFEST, DOCKER_SCHEMA1_MANIFEST];

/**
 * The bare media type of a Content-Type header value: parameters (";charset=…") dropped,
 * whitespace trimmed, lowercased (RFC 9110 §8.3.1: type and subtype are case-insensitive).
 */
export function bareMediaType(contentType: string): string {
  const semi = contentType.indexOf(";");
  return (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
}

const is =
  (...types: readonly string[]) =>
  (mediaType: string): boolean =>
    types.includes(bareMediaType(mediaType));

/** OCI image manifest or Docker schema 2 manifest. */
export const isManifestMediaType = is(OCI_MANIFEST, DOCKER_MANIFEST);
/** OCI image index or Docker manifest list. */
export const isIndexMediaType = is(OCI_INDEX, DOCKER_MANIFEST_LIST);
/** Docker schema 1, signed or not. */
export const isSchema1MediaType = is(DOCKER_SCHEMA1_MANIFEST, DOCKER_SCHEMA1_SIGNED_MANIFEST);
/** A config that describes a container image (OCI or Docker). Anything else in `config` is an artifact. */
export const isImageConfigMediaType = is(OCI_CONFIG, DOCKER_CONFIG);
/** Layers whose blob may live outside the registry, at the descriptor's `urls` (image-spec layer.md). */
export const isForeignLayerMediaType = is(
  DOCKER_LAYER_FOREIGN_TAR_GZIP,
  OCI_LAYER_NONDISTRIBUTABLE_TAR,
  OCI_LAYER_NONDISTRIBUTABLE_TAR_GZIP,
  OCI_LAYER_NONDISTRIBUTABLE_TAR_ZSTD,
);

/** How a filesystem layer's blob is compressed, per its media type. */
export type LayerCompression = "none" | "gzip" | "zstd";

/**
 * The compression a layer media type declares, or undefined when the type is not a filesystem
 * layer we know (an artifact blob, an in-toto statement…). The compression module still checks
 * magic bytes: the media type is a claim, not a fact.
 */
export function layerCompression(mediaType: string): LayerCompression | undefined {
  switch (bareMediaType(mediaType)) {
    case OCI_LAYER_TAR:
    case OCI_LAYER_NONDISTRIBUTABLE_TAR:
      return "none";
    case OCI_LAYER_TAR_GZIP:
    case OCI_LAYER_NONDISTRIBUTABLE_TAR_GZIP:
    case DOCKER_LAYER_TAR_GZIP:
    case DOCKER_LAYER_FOREIGN_TAR_GZIP:
      return "gzip";
    case OCI_LAYER_TAR_ZSTD:
    case OCI_LAYER_NONDISTRIBUTABLE_TAR_ZSTD:
      return "zstd";
    default:
      return undefined;
  }
}

/** True for any media type that holds a filesystem changeset (a tar, compressed or not). */
export function isLayerMediaType(mediaType: string): boolean {
  return layerCompression(mediaType) !== undefined;
}
