/** The distribution-API client: manifests and configs through the Layerscope proxy, verified, errors as data. */
export {
  createRegistryClient,
  manifestUrl,
  blobUrl,
  registryApiHost,
  DOCKER_HUB_API_HOST,
  fetchManifest,
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
  type FetchedConfig,
} from "./client";
export { parseRetryAfter, parseQuota, PROXY_ERROR_HEADER, type NotFoundWhat } from "./errors";
export { readBodyCapped, type TooLarge } from "./body";
