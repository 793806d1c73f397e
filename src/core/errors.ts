/**
 * Everything that can go wrong between a pasted reference and a verified image, as data.
 *
 * Errors are plain objects with a `kind` so they survive postMessage and can be switched on
 * exhaustively. The sentence a person reads is built from them in one place,
 * {@link describeError}, and always says what to try next.
 */
export type LayerscopeError =
  /** The text typed is not an image reference; `part` names the offending piece. */
  | { kind: "bad-reference"; input: string; part: string; reason: string }
  /** 404 / NAME_UNKNOWN / MANIFEST_UNKNOWN / BLOB_UNKNOWN. Private repositories often answer 404 too. */
  | { kind: "not-found"; registry: string; repository: string; what: "repository" | "manifest" | "blob"; ref: string }
  /** 401 (or insufficient_scope) — the registry wants credentials, or the ones given were refused. */
  | { kind: "unauthorized"; registry: string; repository: string; hadCredentials: boolean; detail?: string }
  /** 403 DENIED from the registry itself (not from our proxy). */
  | { kind: "denied"; registry: string; repository: string; detail?: string }
  /** 429 TOOMANYREQUESTS. `retryAfterSeconds` from Retry-After; quota from Docker Hub's RateLimit headers. */
  | { kind: "rate-limited"; registry: string; retryAfterSeconds?: number; limit?: number; remaining?: number }
  /** Could not reach the registry: DNS, refused connection, TLS, timeout, or a 5xx from it. */
  | { kind: "unreachable"; registry: string; detail: string }
  /** Our proxy refused the destination (private/loopback/metadata address, or a bad redirect). */
  | { kind: "destination-not-allowed"; registry: string; detail: string }
  /** The answer to a /v2/ request was not a registry's (HTML page, wrong content type, garbage JSON). */
  | { kind: "not-a-registry"; registry: string; status: number; contentType: string }
  /**
   * Bytes hash differently from the digest that names them. For a layer, "blob" is the
   * compressed blob against the manifest's digest and "diff_id" the uncompressed tar against
   * `config.rootfs.diff_ids[i]`. "artifact-blob" is a blob of an artifact (signature, SBOM…) shown as content.
   */
  | { kind: "digest-mismatch"; what: "manifest" | "config" | "blob" | "diff_id" | "artifact-blob"; expected: string; actual: string }
  /** A blob longer than its descriptor's size (stopped as soon as it passed it) or shorter (truncated). */
  /** `what` is "layer" unless said otherwise (an artifact's blob says "blob"). */
  | { kind: "size-mismatch"; digest: string; expected: number; actual: number; direction: "overrun" | "truncated"; what?: "layer" | "blob" }
  /** A layer's compressed stream is not valid gzip / zstd, or is not compressed the way its bytes claim. */
  | { kind: "corrupt-compression"; format: string; reason: string }
  /** A layer's tar stream is malformed; entries read before `offset` are kept and shown as partial. */
  | { kind: "corrupt-tar"; reason: string; offset: number }
  /** This browser cannot run a decoder the layer needs (WebAssembly blocked, DecompressionStream missing…). */
  | { kind: "decoder-unavailable"; engine: string; detail: string }
  /** A bug or crash on our side (a worker died). Never a verdict about the image. */
  | { kind: "internal"; detail: string }
  /** A safety limit stopped the work: uncompressed size (gzip bomb), zstd window, entry count, meta entry size. */
  | { kind: "limit-exceeded"; what: string; limit: number; detail: string }
  /** A digest whose algorithm we cannot compute (never reported as verified). */
  | { kind: "unsupported-digest"; digest: string }
  /** A manifest, index or config that does not parse or violates the spec. */
  | { kind: "bad-manifest"; what: "manifest" | "index" | "config"; reason: string }
  /** A body that could be read two ways: mediaType vs Content-Type, both `layers` and `manifests`, duplicate keys. */
  | { kind: "ambiguous-manifest"; reason: string }
  /** Docker image manifest v2 schema 1: deprecated and unsigned-in-practice; shown as such, not parsed further. */
  | { kind: "schema1"; mediaType: string }
  /** A manifest whose config or artifactType says it is not a container image (Helm chart, signature, SBOM…). */
  | { kind: "not-an-image"; mediaType: string; artifactType?: string }
  /** A media type we do not know at all. */
  | { kind: "unsupported-media-type"; mediaType: string }
  /** An index with no child for the requested platform (or an empty index). */
  | { kind: "platform-not-found"; wanted: string; available: string[] }
  /** The proxy cut a body at its limit (manifest > 8 MiB, token/error body > 64 KiB). */
  | { kind: "response-too-large"; registry: string; limit?: number }
  /** Any other answer from the registry, with its error code and message if it gave one. */
  | { kind: "registry-error"; registry: string; status: number; code?: string; message?: string }
  /**
   * A local image archive (docker save, OCI layout, kaniko tarball) that cannot be opened, or one
   * of its images that cannot be shown: `reason` says what is wrong, `hint` what to do about it.
   */
  | { kind: "bad-archive"; reason: string; hint?: string }
  /**
   * The command line's Docker config file (where `docker login` keeps credentials) exists but
   * cannot be used: not JSON, not the shape Docker writes, or unreadable. `file` is its path.
   */
  | { kind: "bad-docker-config"; file: string; reason: string }
  /** The user (or navigation) cancelled. Never shown as a failure. */
  | { kind: "aborted" }
  /** The tar header at an entry's recorded offset does not name the same path and size as the layer's index. */
  | { kind: "extract-mismatch"; path: string; offset: number; detail: string }
  /** A file the viewer cannot read: the layer is not indexed or not trusted, or the path is not a regular file there. */
  | { kind: "file-unavailable"; path: string; layer: number; why: "not-indexed" | "not-found" | "not-a-file" | "untrusted" | "link-loop"; detail: string };

export type ErrorKind = LayerscopeError["kind"];

/** What a person reads: a title, what happened, and what to do next. */
export interface ErrorDescription {
  readonly title: string;
  readonly detail: string;
  readonly action: string;
}

const hostOf = (registry: string): string => registry;

/**
 * The one place where an error becomes words. Exhaustive: a new kind without a sentence does
 * not compile.
 */
export function describeError(e: LayerscopeError): ErrorDescription {
  switch (e.kind) {
    case "bad-reference":
      return {
        title: "That is not an image reference",
        detail: `In “${e.input}”: ${e.part ? `“${e.part}” — ` : ""}${e.reason}.`,
        action: "Check the spelling: a reference looks like nginx:1.27, ghcr.io/org/app:tag or name@sha256:<64 hex digits>.",
      };
    case "not-found":
      return {
        title: e.what === "blob" ? "Blob not found" : "Image not found",
        detail: `${hostOf(e.registry)} has no ${e.what} ${e.ref} in ${e.repository}.`,
        action: "Check the repository name and tag. Private repositories often answer “not found” too: if it is private, enter credentials.",
      };
    case "unauthorized":
      return {
        title: e.hadCredentials ? "Credentials refused" : "Needs credentials",
        detail: e.hadCredentials
          ? `${hostOf(e.registry)} refused the username and password given for ${e.repository}.${e.detail ? ` It said: ${e.detail}` : ""}`
          : `${hostOf(e.registry)} wants you to log in to read ${e.repository}.${e.detail ? ` It said: ${e.detail}` : ""}`,
        action: "Enter a username and password (or token) for this registry. They stay in this tab's memory only.",
      };
    case "denied":
      return {
        title: "Access denied",
        detail: `${hostOf(e.registry)} denied access to ${e.repository}.${e.detail ? ` It said: ${e.detail}` : ""}`,
        action: "Use credentials that can pull this repository.",
      };
    case "rate-limited": {
      const quota = e.limit !== undefined ? ` Quota: ${e.remaining ?? 0} of ${e.limit} pulls left.` : "";
      return {
        title: "Rate limited",
        detail: `${hostOf(e.registry)} is refusing more requests for now.${quota}`,
        action:
          e.retryAfterSeconds !== undefined
            ? `Layerscope retries after the ${e.retryAfterSeconds} s the registry asked for; logging in usually raises the limit.`
            : "Wait a minute and try again; logging in usually raises the limit.",
      };
    }
    case "unreachable":
      return {
        title: "Registry unreachable",
        detail: `Could not reach ${hostOf(e.registry)}: ${e.detail}.`,
        action: "Check the registry host and port, and that it is up. Try again in a moment.",
      };
    case "destination-not-allowed":
      return {
        title: "Destination not allowed",
        detail: `The Layerscope proxy will not connect to ${hostOf(e.registry)}: ${e.detail}.`,
        action: "Private, loopback and cloud-metadata addresses are refused. An operator can allow a host with PROXY_ALLOW_HOSTS.",
      };
    case "not-a-registry":
      return {
        title: "Not a registry response",
        detail: `${hostOf(e.registry)} answered with HTTP ${e.status} (${e.contentType || "no content type"}), which is not the registry API.`,
        action: "Check that this host runs a container registry (the OCI distribution API at /v2/).",
      };
    case "digest-mismatch":
      if (e.what === "diff_id")
        return {
          title: "diff_id mismatch",
          detail: `The uncompressed layer does not match its diff_id in the config: expected ${e.expected}, got ${e.actual}.`,
          action: "The layer's tar differs from the one the image was built with (bytes after the tar end count too). Do not trust this layer.",
        };
      if (e.what === "artifact-blob")
        return {
          title: "Blob digest mismatch",
          detail: `The blob does not match its digest: expected ${e.expected}, got ${e.actual}.`,
          action: "The registry served different bytes than the artifact's manifest names. Its content is not shown; do not trust this artifact.",
        };
      return {
        title: `${e.what === "manifest" ? "Manifest" : e.what === "config" ? "Config" : "Layer"} digest mismatch`,
        detail:
          e.what === "blob"
            ? `layer ${e.expected} does not match (expected ${e.expected}, got ${e.actual}).` // SECURITY D1's wording
            : `The ${e.what} does not match its digest: expected ${e.expected}, got ${e.actual}.`,
        action: "The registry served different bytes than the digest names. Do not trust this image; try again or report it to the registry.",
      };
    case "size-mismatch": {
      const noun = e.what === "blob" ? "Blob" : "Layer";
      return e.direction === "truncated"
        ? {
            title: `${noun} truncated`,
            detail: `${e.digest} ended early: truncated: got ${e.actual} of ${e.expected} bytes.`,
            action: `The connection or the registry cut the blob short. Retry this ${noun.toLowerCase()}.`,
          }
        : {
            title: `${noun} larger than its descriptor`,
            detail: `${e.digest} sent more than the ${e.expected} bytes its descriptor names; stopped at ${e.actual}.`,
            action: `The registry served different bytes than the manifest describes. Do not trust this ${noun.toLowerCase()}.`,
          };
    }
    case "corrupt-compression":
      return {
        title: `Corrupt ${e.format} stream`,
        detail: `The layer could not be decompressed: ${e.reason}.`,
        action: "The blob is damaged or not compressed the way it claims. Retry; if it persists, the image is broken.",
      };
    case "corrupt-tar":
      return {
        title: "Corrupt tar",
        detail: `The layer's tar stream is malformed at byte ${e.offset}: ${e.reason}.`,
        action: "Entries before that point are shown as partial. The layer itself is damaged; report it to the image's publisher.",
      };
    case "decoder-unavailable":
      return {
        title: "Cannot decode this layer here",
        detail: `This browser could not start the ${e.engine} decoder: ${e.detail}.`,
        action: "Nothing is wrong with the image. Try a current Chromium, Firefox or Safari, with WebAssembly allowed.",
      };
    case "internal":
      return {
        title: "Layerscope failed",
        detail: `Something broke on our side: ${e.detail}.`,
        action: "This says nothing about the image. Retry the layer; if it happens again, please report it.",
      };
    case "limit-exceeded":
      return {
        title: "Stopped at a safety limit",
        detail: `${e.detail} (${e.what} limit: ${e.limit}).`,
        action: "This protects your browser from hostile layers. What was read before the limit is shown as partial.",
      };
    case "unsupported-digest":
      return {
        title: "Cannot verify",
        detail: `${e.digest} uses an algorithm Layerscope cannot compute, so it is shown unverified.`,
        action: "Nothing to do; sha256 and sha512 digests are verified.",
      };
    case "bad-manifest":
      return {
        title: `Invalid ${e.what}`,
        detail: `The ${e.what} is not valid: ${e.reason}.`,
        action: "The registry returned something that is not a valid image document. Try another tag or report it to the image's publisher.",
      };
    case "ambiguous-manifest":
      return {
        title: "Ambiguous manifest rejected",
        detail: `The document could be read two ways: ${e.reason}.`,
        action: "Layerscope refuses documents whose meaning depends on who reads them. Report it to the image's publisher.",
      };
    case "schema1":
      return {
        title: "Deprecated schema 1 manifest",
        detail: `This image uses Docker's manifest schema 1 (${e.mediaType}), removed from Docker and most registries.`,
        action: "Rebuild or re-push the image with a current Docker or any OCI tool to get a schema 2 or OCI manifest.",
      };
    case "not-an-image":
      return {
        title: "Artifact, not a container image",
        detail: `This is an OCI artifact (${e.artifactType ?? e.mediaType}), not a filesystem image.`,
        action: "Open an image reference instead; artifacts such as charts, signatures and SBOMs have no layers to explore.",
      };
    case "unsupported-media-type":
      return {
        title: "Unknown media type",
        detail: `The registry answered with media type “${e.mediaType}”, which is not an image manifest or index.`,
        action: "Check the reference; Layerscope reads Docker v2 schema 2 and OCI manifests and indexes.",
      };
    case "platform-not-found":
      return {
        title: "No such platform",
        detail:
          e.available.length === 0
            ? "The index lists no images at all."
            : `The index has no image for ${e.wanted}. It has: ${e.available.join(", ")}.`,
        action: e.available.length === 0 ? "Try another tag." : "Pick one of the platforms listed.",
      };
    case "response-too-large":
      return {
        title: "Response too large",
        detail: `${hostOf(e.registry)} sent a document larger than the proxy accepts${e.limit ? ` (${e.limit} bytes)` : ""}.`,
        action: "Manifests are capped at 8 MiB. This is almost certainly not a real image manifest.",
      };
    case "registry-error":
      return {
        title: `Registry error (HTTP ${e.status})`,
        detail: `${hostOf(e.registry)} answered ${e.status}${e.code ? ` ${e.code}` : ""}${e.message ? `: ${e.message}` : ""}.`,
        action: "Try again later; if it persists, the registry may not support this request.",
      };
    case "bad-archive":
      return {
        title: "Cannot open this archive",
        // A sentence starts with a capital, but a file name keeps its spelling ("manifest.json is null").
        detail: `${/^[a-z]+ /.test(e.reason) ? e.reason.charAt(0).toUpperCase() + e.reason.slice(1) : e.reason}.`,
        action:
          e.hint ??
          "Layerscope opens the tar written by docker save (or podman save), skopeo copy … oci-archive:FILE, or kaniko --tar-path. Check that the file is one of those, complete and uncompressed.",
      };
    case "bad-docker-config":
      return {
        title: "Cannot use the Docker config",
        detail: `${e.file}: ${e.reason}.`,
        action: "Fix the file, or point DOCKER_CONFIG at a directory with a valid config.json; --username NAME --password-stdin needs no config file.",
      };
    case "aborted":
      return { title: "Cancelled", detail: "The request was cancelled.", action: "Open the image again to restart." };
    case "extract-mismatch":
      return {
        title: "The layer does not match its index",
        detail: `Reading “${e.path}”: the tar header at offset ${e.offset} does not match the layer's index (${e.detail}). The registry may have served different bytes than when the layer was verified.`,
        action: "Reload the image to read and verify the layer again.",
      };
    case "file-unavailable":
      return {
        title: e.why === "untrusted" ? "Not shown: the layer is not trusted" : "Cannot open this file",
        detail: `“${e.path}” in layer ${e.layer + 1}: ${e.detail}.`,
        action:
          e.why === "not-indexed"
            ? "Wait for the layer to finish downloading and verifying, then open the file again."
            : e.why === "untrusted"
              ? "Nothing from a layer that failed verification is shown. Retry the layer, or check the registry."
              : "Open a regular file (symlinks show their target; directories are downloaded as a tar).",
      };
    default: {
      const never: never = e;
      return never;
    }
  }
}

/** True for values that look like a LayerscopeError (e.g. after crossing postMessage). */
export function isLayerscopeError(v: unknown): v is LayerscopeError {
  return typeof v === "object" && v !== null && typeof (v as { kind?: unknown }).kind === "string";
}

/**
 * Thrown form of a LayerscopeError, for code paths (react-query) that need exceptions.
 * Carries the plain data in `.error`; only the data crosses worker boundaries.
 */
export class LayerscopeFailure extends Error {
  constructor(readonly error: LayerscopeError) {
    super(describeError(error).detail);
    this.name = "LayerscopeFailure";
  }
}
