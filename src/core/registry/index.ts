/** The distribution-API client: manifests and configs through the Layerscope proxy, verified, errors as data. */
export {
  createRegistryClient,
  manifestUrl,
  blobUrl,
  registryApiHost,
  DOCKER_HUB_API_HOST,
  fetchManifest,
  fetchAnyManifest,
  fetchConfig,
  errorFromResponse,
  basicAuthorization,
  MANIFEST_ACCEPT_HEADER,
  MANIFEST_BODY_LIMIT,
  CONFIG_BODY_LIMIT,
  type Credentials,
  type RegistryClient,
  type RegistryClientOptions,
  type FetchedManifest,
  type FetchedDocument,
  type FetchedConfig,
} from "./client";
export { DEFAULT_RETRY_AFTER_SECONDS, parseRetryAfter, parseQuota, PROXY_ERROR_HEADER, RATE_LIMIT_RETRIES, type NotFoundWhat } from "./errors";
export { readBodyCapped, type TooLarge } from "./body";
export { blobBody, registryBlobOpener, type BlobWhere } from "./blob";
export {
  fetchReferrers,
  fetchArtifactBlob,
  referrersTag,
  referrersUrl,
  nextLink,
  ARTIFACT_BLOB_DISPLAY_LIMIT,
  FILTERS_APPLIED_HEADER,
  MAX_REFERRER_PAGES,
  MAX_REFERRERS,
  type Referrers,
  type ReferrersOptions,
  type ReferrersSource,
  type FetchedBlob,
} from "./referrers";
