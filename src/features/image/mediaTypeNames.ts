import {
  DOCKER_CONFIG,
  DOCKER_LAYER_FOREIGN_TAR_GZIP,
  DOCKER_LAYER_TAR_GZIP,
  DOCKER_MANIFEST,
  DOCKER_MANIFEST_LIST,
  DOCKER_SCHEMA1_MANIFEST,
  DOCKER_SCHEMA1_SIGNED_MANIFEST,
  OCI_CONFIG,
  OCI_INDEX,
  OCI_LAYER_NONDISTRIBUTABLE_TAR,
  OCI_LAYER_NONDISTRIBUTABLE_TAR_GZIP,
  OCI_LAYER_NONDISTRIBUTABLE_TAR_ZSTD,
  OCI_LAYER_TAR,
  OCI_LAYER_TAR_GZIP,
  OCI_LAYER_TAR_ZSTD,
  OCI_MANIFEST,
} from "../../core/oci";

/**
 * Short, familiar names for media types, for display only. Unknown types are shown verbatim
 * by the callers; nothing here decides how a document is parsed (that is src/core/oci).
 */
const DOCUMENT_NAMES = new Map<string, string>([
  [DOCKER_MANIFEST, "Docker v2 schema 2 manifest"],
  [DOCKER_MANIFEST_LIST, "Docker manifest list"],
  [OCI_MANIFEST, "OCI image manifest"],
  [OCI_INDEX, "OCI image index"],
  [DOCKER_SCHEMA1_MANIFEST, "Docker schema 1 manifest (deprecated)"],
  [DOCKER_SCHEMA1_SIGNED_MANIFEST, "Docker schema 1 signed manifest (deprecated)"],
  [DOCKER_CONFIG, "Docker image config"],
  [OCI_CONFIG, "OCI image config"],
]);

export function documentTypeName(mediaType: string): string | undefined {
  return DOCUMENT_NAMES.get(mediaType);
}

const LAYER_NAMES = new Map<string, string>([
  [DOCKER_LAYER_TAR_GZIP, "tar+gzip"],
  ["application/vnd.docker.image.rootfs.diff.tar", "tar"],
  [DOCKER_LAYER_FOREIGN_TAR_GZIP, "foreign tar+gzip"],
  [OCI_LAYER_TAR, "tar"],
  [OCI_LAYER_TAR_GZIP, "tar+gzip"],
  [OCI_LAYER_TAR_ZSTD, "tar+zstd"],
  [OCI_LAYER_NONDISTRIBUTABLE_TAR, "foreign tar"],
  [OCI_LAYER_NONDISTRIBUTABLE_TAR_GZIP, "foreign tar+gzip"],
  [OCI_LAYER_NONDISTRIBUTABLE_TAR_ZSTD, "foreign tar+zstd"],
]);

/** "tar+gzip", "tar+zstd", … — or undefined for a type that is not a filesystem layer we know. */
export function layerTypeName(mediaType: string): string | undefined {
  return LAYER_NAMES.get(mediaType);
}
