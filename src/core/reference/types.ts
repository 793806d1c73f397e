/**
 * A parsed, normalised image reference, as `docker pull` understands it.
 * `nginx` → { registry: "docker.io", repository: "library/nginx", tag: "latest" }.
 */
export interface Reference {
  /** Registry host with optional port, lower-cased; Docker Hub is always "docker.io". IPv6 keeps its brackets. */
  readonly registry: string;
  /** Repository path inside the registry, e.g. "library/nginx". */
  readonly repository: string;
  /** Tag if one was given (or "latest" when neither tag nor digest was given). */
  readonly tag?: string;
  /** Digest if one was given ("sha256:…"). When both tag and digest are given, the digest wins for fetching. */
  readonly digest?: string;
}
