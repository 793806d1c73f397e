/**
 * The distribution-API client, as far as the image view needs it: manifests (by tag or digest)
 * and the image config blob, each verified against its digest in the browser.
 *
 * Every request goes to our same-origin proxy at `${proxyBase}/${registry}/v2/…` (contract:
 * proxy wire protocol); the proxy speaks Bearer/Basic auth upstream with the credentials we send
 * it as `Authorization: Basic`. This module never retries: a 429 comes back as `rate-limited`
 * data and the UI decides how long to wait (SECURITY.md R2, R4).
 */
import type { LayerscopeError } from "../errors";
import { err, ok, type Result } from "../result";
import { digestBytes, parseDigest, verifyBytes, type Verification } from "../digest";
import { MANIFEST_ACCEPT, parseAnyManifest, parseImageConfig, parseManifestOrIndex, SCHEMA1_MEDIA_TYPES } from "../oci";
import type { AnyManifest, Descriptor, ImageConfig, ManifestOrIndex } from "../oci/types";
import { DOCKER_HUB_REGISTRY } from "../reference";
import { readBodyCapped } from "./body";
import { errorFromResponse, type NotFoundWhat } from "./errors";

export { errorFromResponse } from "./errors";

/** Username and password (or token) for one registry. Held in memory by the app, sent only to our proxy. */
export interface Credentials {
  readonly username: string;
  readonly password: string;
}

/** Where and how to reach registries. Plain data plus functions; build it with {@link createRegistryClient}. */
export interface RegistryClient {
  /** Proxy prefix without a trailing slash, e.g. "/registry" or "http://localhost:8080/registry". */
  readonly proxyBase: string;
  /** The fetch to use (the page's, a worker's, or a fake in tests). Called detached, never as a method. */
  readonly fetch: typeof fetch;
  /** Credentials for a registry host ("ghcr.io", "[::1]:5000"), or undefined for anonymous access. */
  readonly credentials?: (registry: string) => Credentials | undefined;
}

export interface RegistryClientOptions {
  /** Proxy prefix; a trailing slash is removed. */
  readonly proxyBase: string;
  /** Defaults to globalThis.fetch. */
  readonly fetch?: typeof fetch;
  readonly credentials?: (registry: string) => Credentials | undefined;
}

/** A manifest or index as fetched, with how far its bytes could be trusted. */
export type FetchedManifest = FetchedDocument<ManifestOrIndex>;

/** A document fetched from the manifests endpoint, with how far its bytes could be trusted. */
export interface FetchedDocument<D> {
  readonly document: D;
  /** The exact bytes received: the digest is over these, never over a re-serialisation. */
  readonly bytes: Uint8Array;
  /** Content-Type as the proxy passed it on ("" when absent). */
  readonly contentType: string;
  /** By digest: the requested (verified) digest. By tag: sha256 computed from `bytes`. */
  readonly digest: string;
  readonly byDigest: boolean;
  /**
   * By digest: the bytes against the requested digest (never "mismatch": that is an error).
   * By tag with Docker-Content-Digest: the bytes against that header ("mismatch" is a warning).
   * By tag without the header: "unverifiable", because nothing named the bytes before we saw them.
   */
  readonly verification: Verification;
  /** The registry's Docker-Content-Digest header, when it sent one. */
  readonly headerDigest?: string;
  /** By tag, when the header was present: whether it names the bytes received. */
  readonly headerMatches?: boolean;
}

/** An image config blob, verified against the manifest's config descriptor. */
export interface FetchedConfig {
  readonly config: ImageConfig;
  /** The exact bytes received (the image ID is their digest). */
  readonly bytes: Uint8Array;
  /** The descriptor's digest, i.e. the image ID. */
  readonly digest: string;
  /** "verified", or "unverifiable" for an algorithm we cannot compute; a mismatch is an error. */
  readonly verification: Verification;
}

/**
 * Manifests above this are refused while streaming (the proxy caps them at 8 MiB too, SECURITY.md
 * P11; registries commonly cap at 4 MiB).
 */
export const MANIFEST_BODY_LIMIT = 8 * 1024 * 1024;
/** Configs are JSON documents too; real ones are a few KiB, large histories reach a few hundred. */
export const CONFIG_BODY_LIMIT = 8 * 1024 * 1024;

/**
 * The Accept header for manifests: the four manifest and index types we read, then schema 1
 * with a lower q so a registry that only has schema 1 still answers and we can name it
 * (SECURITY.md R9) instead of getting a 404.
 */
export const MANIFEST_ACCEPT_HEADER: string = [...MANIFEST_ACCEPT, ...SCHEMA1_MEDIA_TYPES.map((t) => `${t};q=0.5`)].join(", ");

/** Builds a client; `proxyBase` loses any trailing slashes, `fetch` defaults to globalThis.fetch. */
export function createRegistryClient(opts: RegistryClientOptions): RegistryClient {
  const impl = opts.fetch ?? globalThis.fetch;
  return {
    proxyBase: opts.proxyBase.replace(/\/+$/, ""),
    // Wrapped so that calling it as `client.fetch(…)` never hands the page's fetch a wrong `this`
    // ("Illegal invocation" in browsers).
    fetch: (input, init) => impl(input, init),
    ...(opts.credentials !== undefined ? { credentials: opts.credentials } : {}),
  };
}

/**
 * Where Docker Hub's registry API is served. "docker.io" is the name in references (and the key
 * for credentials), but its host answers the API with a redirect to a web page; Docker itself
 * dials this host for it (docker/docker `registry/config.go`, `DefaultRegistryHost`).
 */
export const DOCKER_HUB_API_HOST = "registry-1.docker.io";

/** The host to put in a proxy URL for a registry name: Docker Hub's API host for "docker.io", else the name as is. */
export function registryApiHost(registry: string): string {
  return registry === DOCKER_HUB_REGISTRY ? DOCKER_HUB_API_HOST : registry;
}

/**
 * `${proxyBase}/${host}/v2/${repository}/manifests/${reference}`, where host is
 * {@link registryApiHost}(registry).
 * Inputs must come from parseReference / parseDigest: the host is used as is (an IPv6 literal
 * keeps its brackets and port colon; percent-encoding them would change the destination), and
 * repository and tag characters need no escaping in a path.
 */
export function manifestUrl(client: RegistryClient, registry: string, repository: string, reference: string): string {
  return `${client.proxyBase}/${registryApiHost(registry)}/v2/${repository}/manifests/${reference}`;
}

/** `${proxyBase}/${host}/v2/${repository}/blobs/${digest}`; same host mapping and input rules as {@link manifestUrl}. */
export function blobUrl(client: RegistryClient, registry: string, repository: string, digest: string): string {
  return `${client.proxyBase}/${registryApiHost(registry)}/v2/${repository}/blobs/${digest}`;
}

/**
 * GETs a manifest or index by tag or digest (a reference containing ':' is a digest; tags cannot
 * contain one) and parses it.
 *
 * By digest: the bytes must hash to the digest, else `digest-mismatch` (what "manifest",
 * SECURITY.md R6); an algorithm we cannot compute is returned with verification "unverifiable".
 * By tag: `digest` is the sha256 of the bytes received, compared with Docker-Content-Digest when
 * the registry sent it (`headerMatches`; a disagreement is a warning for the UI, not an error).
 * The body is read with a hard cap of {@link MANIFEST_BODY_LIMIT} bytes while streaming.
 */
export async function fetchManifest(
  client: RegistryClient,
  registry: string,
  repository: string,
  reference: string,
  signal?: AbortSignal,
): Promise<Result<FetchedManifest, LayerscopeError>> {
  return fetchDocument(client, registry, repository, reference, parseManifestOrIndex, signal);
}

/**
 * {@link fetchManifest} for the artifact and referrers views: the same request, verification and
 * rules, but a manifest that describes an artifact (signature, SBOM, attestation…) is returned as
 * {kind:"artifact"} instead of the not-an-image error.
 */
export async function fetchAnyManifest(
  client: RegistryClient,
  registry: string,
  repository: string,
  reference: string,
  signal?: AbortSignal,
): Promise<Result<FetchedDocument<AnyManifest>, LayerscopeError>> {
  return fetchDocument(client, registry, repository, reference, parseAnyManifest, signal);
}

async function fetchDocument<D>(
  client: RegistryClient,
  registry: string,
  repository: string,
  reference: string,
  parse: (bytes: Uint8Array, contentType: string | null) => Result<D, LayerscopeError>,
  signal?: AbortSignal,
): Promise<Result<FetchedDocument<D>, LayerscopeError>> {
  const byDigest = reference.includes(":");
  if (byDigest) {
    const parsed = parseDigest(reference);
    if (!parsed.ok) return err({ kind: "bad-reference", input: reference, part: reference, reason: parsed.error });
  }

  const got = await get(client, registry, repository, "manifest", reference, manifestUrl(client, registry, repository, reference), MANIFEST_BODY_LIMIT, signal, {
    Accept: MANIFEST_ACCEPT_HEADER,
  });
  if (!got.ok) return got;
  const { bytes, contentType, headerDigest } = got.value;

  let digest: string;
  let verification: Verification;
  let headerMatches: boolean | undefined;
  if (byDigest) {
    verification = await verifyBytes(reference, bytes);
    if (verification.status === "mismatch") {
      return err({ kind: "digest-mismatch", what: "manifest", expected: verification.expected, actual: verification.actual });
    }
    digest = reference;
  } else {
    // The digest a tag resolves to is, by definition, the sha256 of the bytes the registry serves.
    digest = await digestBytes("sha256", bytes);
    if (headerDigest === undefined) {
      verification = { status: "unverifiable", digest, reason: "fetched by tag, and the registry sent no Docker-Content-Digest to check against" };
    } else {
      verification = headerDigest === digest ? { status: "verified", digest } : await verifyBytes(headerDigest, bytes);
      headerMatches = verification.status === "verified";
    }
  }

  const document = parse(bytes, contentType === "" ? null : contentType);
  if (!document.ok) return document;
  return ok({
    document: document.value,
    bytes,
    contentType,
    digest,
    byDigest,
    verification,
    ...(headerDigest !== undefined ? { headerDigest } : {}),
    ...(headerMatches !== undefined ? { headerMatches } : {}),
  });
}

/**
 * GETs the config blob a manifest's `config` descriptor names, verifies it against the
 * descriptor's digest (`digest-mismatch` what "config") and size, and parses it.
 * Sizes are bytes; a descriptor claiming more than {@link CONFIG_BODY_LIMIT} is refused unfetched.
 */
export async function fetchConfig(
  client: RegistryClient,
  registry: string,
  repository: string,
  descriptor: Descriptor,
  signal?: AbortSignal,
): Promise<Result<FetchedConfig, LayerscopeError>> {
  const expected = descriptor.digest;
  const parsed = parseDigest(expected);
  if (!parsed.ok) return err({ kind: "bad-manifest", what: "manifest", reason: `the config digest is invalid: ${parsed.error}` });
  if (descriptor.size > CONFIG_BODY_LIMIT) return err({ kind: "response-too-large", registry, limit: CONFIG_BODY_LIMIT });

  const got = await get(client, registry, repository, "blob", expected, blobUrl(client, registry, repository, expected), CONFIG_BODY_LIMIT, signal, {});
  if (!got.ok) return got;
  const { bytes } = got.value;

  const verification = await verifyBytes(expected, bytes);
  if (verification.status === "mismatch") {
    return err({ kind: "digest-mismatch", what: "config", expected: verification.expected, actual: verification.actual });
  }
  // Bytes that hash right but disagree with the descriptor's size mean the manifest lies about
  // the config (or the digest is unverifiable and the size is all we can check).
  if (bytes.byteLength !== descriptor.size) {
    return err({
      kind: "bad-manifest",
      what: "manifest",
      reason: `the config descriptor says ${descriptor.size} bytes, but ${expected} is ${bytes.byteLength} bytes`,
    });
  }

  const config = parseImageConfig(bytes);
  if (!config.ok) return config;
  return ok({ config: config.value, bytes, digest: expected, verification });
}

export interface Got {
  readonly bytes: Uint8Array;
  readonly contentType: string;
  readonly headerDigest?: string;
}

/**
 * One GET through the proxy: credentials attached, network and abort failures mapped, non-2xx
 * mapped by errorFromResponse, body read with `limit`, and an HTML page answering a 2xx
 * recognised as not-a-registry (SECURITY.md R11).
 */
async function get(
  client: RegistryClient,
  registry: string,
  repository: string,
  what: NotFoundWhat,
  ref: string,
  url: string,
  limit: number,
  signal: AbortSignal | undefined,
  extraHeaders: Record<string, string>,
): Promise<Result<Got, LayerscopeError>> {
  const sent = await send(client, registry, url, signal, extraHeaders);
  if (!sent.ok) return sent;
  const { res, hadCredentials } = sent.value;
  if (!res.ok) return err(await errorFromResponse(registry, repository, what, ref, res, hadCredentials));
  return readDocument(registry, res, limit, signal);
}

/**
 * The request half of a GET through the proxy: credentials attached, thrown network and abort
 * failures mapped to data. The answer comes back unread, whatever its status, for callers that
 * give a status its own meaning (the referrers API's 404 means "not supported here").
 */
export async function send(
  client: RegistryClient,
  registry: string,
  url: string,
  signal: AbortSignal | undefined,
  extraHeaders: Record<string, string>,
): Promise<Result<{ readonly res: Response; readonly hadCredentials: boolean }, LayerscopeError>> {
  const creds = client.credentials?.(registry);
  const headers: Record<string, string> = { ...extraHeaders };
  if (creds !== undefined) headers["Authorization"] = basicAuthorization(creds);
  const doFetch = client.fetch;
  try {
    const res = await doFetch(url, { method: "GET", headers, ...(signal !== undefined ? { signal } : {}) });
    return ok({ res, hadCredentials: creds !== undefined });
  } catch (e) {
    return err(fromThrown(registry, e, signal));
  }
}

/** Reads a 2xx answer holding a JSON document: at most `limit` bytes, and an HTML page is not-a-registry (R11). */
export async function readDocument(registry: string, res: Response, limit: number, signal: AbortSignal | undefined): Promise<Result<Got, LayerscopeError>> {
  const contentType = res.headers.get("Content-Type") ?? "";
  const headerDigest = res.headers.get("Docker-Content-Digest")?.trim() || undefined;
  let read: Awaited<ReturnType<typeof readBodyCapped>>;
  try {
    read = await readBodyCapped(res, limit);
  } catch (e) {
    return err(fromThrown(registry, e, signal));
  }
  if (!read.ok) return err({ kind: "response-too-large", registry, limit });
  const bytes = read.value;

  if (startsWithAngleBracket(bytes)) {
    return err({ kind: "not-a-registry", registry, status: res.status, contentType });
  }
  return ok({ bytes, contentType, ...(headerDigest !== undefined ? { headerDigest } : {}) });
}

/** A JSON document never starts with '<' (after whitespace or a BOM); an HTML page does. */
function startsWithAngleBracket(bytes: Uint8Array): boolean {
  let i = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) i = 3;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0a || bytes[i] === 0x0d)) i++;
  return bytes[i] === 0x3c;
}

/**
 * What fetch (or reading its body) threw, as data: our signal or an AbortError → aborted;
 * a TimeoutError (AbortSignal.timeout) → unreachable; TypeError → the network failed
 * (the proxy is same-origin, so this is usually the proxy being down or the connection cut).
 */
export function fromThrown(registry: string, e: unknown, signal: AbortSignal | undefined): LayerscopeError {
  const name = typeof e === "object" && e !== null ? (e as { name?: unknown }).name : undefined;
  const message = e instanceof Error ? e.message : String(e);
  if (name === "TimeoutError" || (signal?.aborted && (signal.reason as { name?: unknown } | undefined)?.name === "TimeoutError")) {
    return { kind: "unreachable", registry, detail: "the request timed out" };
  }
  if (signal?.aborted || name === "AbortError") return { kind: "aborted" };
  if (e instanceof TypeError) return { kind: "unreachable", registry, detail: `network error (${message || "no details"})` };
  return { kind: "unreachable", registry, detail: message || "unknown error" };
}

/**
 * `Basic base64(utf8(username ":" password))` (RFC 7617 with charset UTF-8). Encoded by hand
 * because btoa only takes Latin-1 and throws on anything else, e.g. a password with "€".
 */
export function basicAuthorization(creds: Credentials): string {
  return `Basic ${base64(new TextEncoder().encode(`${creds.username}:${creds.password}`))}`;
}

const BASE64_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** Standard base64 with padding (RFC 4648 §4). */
export function base64(bytes: Uint8Array): string {
  let out = "";
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = ((bytes[i] ?? 0) << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += BASE64_ALPHABET[(n >> 18) & 63]! + BASE64_ALPHABET[(n >> 12) & 63]! + BASE64_ALPHABET[(n >> 6) & 63]! + BASE64_ALPHABET[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = (bytes[i] ?? 0) << 16;
    out += `${BASE64_ALPHABET[(n >> 18) & 63]!}${BASE64_ALPHABET[(n >> 12) & 63]!}==`;
  } else if (rest === 2) {
    const n = ((bytes[i] ?? 0) << 16) | ((bytes[i + 1] ?? 0) << 8);
    out += `${BASE64_ALPHABET[(n >> 18) & 63]!}${BASE64_ALPHABET[(n >> 12) & 63]!}${BASE64_ALPHABET[(n >> 6) & 63]!}=`;
  }
  return out;
}
