/** Image references: parsing and Docker-style normalisation. */
export {
  parseReference,
  formatReference,
  familiarReference,
  isRegistryComponent,
  DOCKER_HUB_REGISTRY,
  LEGACY_DOCKER_HUB_REGISTRY,
  OFFICIAL_NAMESPACE,
  DEFAULT_TAG,
  LOCALHOST,
  NAME_TOTAL_LENGTH_MAX,
  TAG_LENGTH_MAX,
} from "./parse";
export type { Reference } from "./types";
