/** OCI / Docker documents: media types, parsing, platforms, history alignment, and their types. */
export * from "./types";
export * from "./mediatypes";
export { parseManifestOrIndex, parseAnyManifest, parseImageConfig } from "./parse";
export {
  DEFAULT_PLATFORM,
  DOCKER_REFERENCE_TYPE_ANNOTATION,
  formatPlatform,
  parsePlatform,
  isAttestation,
  partitionIndex,
  choosePlatform,
} from "./platform";
export { alignHistory } from "./history";
export { chainIds } from "./chainid";
