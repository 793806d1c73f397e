/**
 * Referrers: the manifests whose `subject` names a given manifest (signatures, SBOMs,
 * attestations), per distribution-spec 1.1 "Listing Referrers" and its "Referrers Tag Schema"
 * fallback; and the artifact blobs they point at, fetched whole and verified for display.
 *
 * The API answer is an image index parsed by the strict parser in src/core/oci; its descriptors
 * carry the referrer's `artifactType` and annotations. A registry that does not implement the API
 * MUST answer 404, and a client MUST then read the index tagged `<alg>-<ref>` (ref: the digest's
 * encoded part, at most 64 characters). Neither source is trusted about what the referrers are:
 * each referrer's own manifest is fetched by digest when opened, and its `subject` checked.
 */
import { createHasher, isVerifiableAlgorithm, parseDigest, type Verification } from "../digest";
import type { LayerscopeError } from "../errors";
import { OCI_INDEX, parseAnyManifest } from "../oci";
import type { Descriptor } from "../oci/types";
import { err, ok, type Result } from "../result";
import { blobUrl, fetchManifest, fromThrown, MANIFEST_BODY_LIMIT, readDocument, registryApiHost, send, type RegistryClient } from "./client";
import { errorFromResponse, PROXY_ERROR_HEADER } from "./errors";

/** Which answer listed the referrers. */
export type ReferrersSource = "api" | "tag-schema";

/** The response header naming the filters a registry applied (distribution-spec: "OCI-Filters-Applied: artifactType"). */
export const FILTERS_APPLIED_HEADER = "OCI-Filters-Applied";

/** Pages followed through `Link: <…>; rel="next"` before stopping (a registry could link forever). */
export const MAX_REFERRER_PAGES = 20;
/** Referrers kept in all; the rest are reported as not listed. */
export const MAX_REFERRERS = 5000;

/** The referrers of one manifest, as listed by the registry. */
export interface Referrers {
  /** The manifest digest asked about. */
  readonly subject: string;
  readonly source: ReferrersSource;
  /** For "tag-schema": the tag read (`sha256-<hex>`); whether it existed. */
  readonly tag?: string;
  readonly tagFound?: boolean;
  /** The listed descriptors, in the registry's order, after the artifactType filter when one was asked for. */
  readonly descriptors: readonly Descriptor[];
  /** The artifactType asked for, and who applied it: the registry (it said so in OCI-Filters-Applied) or this client. */
  readonly filter?: { readonly artifactType: string; readonly appliedBy: "registry" | "client" };
  /** Pages read from the API (1 without pagination; 0 for the tag schema). */
  readonly pages: number;
  /** False when pages or entries were left unread; `notes` says why. */
  readonly complete: boolean;
  /** Things a person should know about this answer (a fallback tag that is not an index, a page cap…). */
  readonly notes: readonly string[];
}

export interface ReferrersOptions {
  /** Ask for one artifactType only (`?artifactType=`); filtered here too when the registry does not. */
  readonly artifactType?: string;
  readonly signal?: AbortSignal;
  readonly maxPages?: number;
}

/**
 * `<alg>-<ref>` for a digest (distribution-spec "Referrers Tag Schema": ref is the encoded digest,
 * limit of 64 characters), or undefined when the result is not a valid tag (an algorithm with '+').
 */
export function referrersTag(digest: string): string | undefined {
  const d = parseDigest(digest);
  if (!d.ok) return undefined;
  const tag = `${d.value.algorithm}-${d.value.encoded.slice(0, 64)}`;
  return /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/.test(tag) ? tag : undefined;
}

/** `${proxyBase}/${host}/v2/${repository}/referrers/${digest}`; same host mapping and input rules as manifestUrl. */
export function referrersUrl(client: RegistryClient, registry: string, repository: string, digest: string, artifactType?: string): string {
  const query = artifactType !== undefined ? `?artifactType=${encodeURIComponent(artifactType)}` : "";
  return `${client.proxyBase}/${registryApiHost(registry)}/v2/${repository}/referrers/${digest}${query}`;
}

/**
 * Lists the referrers of `digest` in `repository`: the referrers API first, following `Link`
 * pages up to {@link MAX_REFERRER_PAGES}; on a 404 from the registry (not from our proxy) the
 * index tagged {@link referrersTag}. A missing tag means no referrers; a tag holding something that
 * is not a valid index also means none (the spec's SHOULD), with a note saying so. An API answer
 * that is not a valid index is an error (bad-manifest, what "index"). A page after the first that
 * fails ends the list there, marked incomplete, unless it was cancelled.
 */
export async function fetchReferrers(
  client: RegistryClient,
  registry: string,
  repository: string,
  digest: string,
  options: ReferrersOptions = {},
): Promise<Result<Referrers, LayerscopeError>> {
  const parsed = parseDigest(digest);
  if (!parsed.ok) return err({ kind: "bad-reference", input: digest, part: digest, reason: parsed.error });
  const { artifactType, signal } = options;
  const maxPages = options.maxPages ?? MAX_REFERRER_PAGES;

  const descriptors: Descriptor[] = [];
  const notes: string[] = [];
  let appliedByRegistry = true;
  let complete = true;
  let url = referrersUrl(client, registry, repository, digest, artifactType);
  const seen = new Set<string>();
  let pages = 0;

  for (;;) {
    seen.add(url);
    const sent = await send(client, registry, url, signal, { Accept: OCI_INDEX });
    if (!sent.ok) return fail(sent.error);
    const { res, hadCredentials } = sent.value;
    // distribution-spec: a registry with the API never answers 404; our proxy marks its own refusals.
    if (pages === 0 && res.status === 404 && !res.headers.has(PROXY_ERROR_HEADER)) {
      await res.body?.cancel().catch(() => undefined);
      return fallback(client, registry, repository, digest, artifactType, signal);
    }
    if (!res.ok) return fail(await errorFromResponse(registry, repository, "manifest", digest, res, hadCredentials));
    const got = await readDocument(registry, res, MANIFEST_BODY_LIMIT, signal);
    if (!got.ok) return fail(got.error);
    const index = parseAnyManifest(got.value.bytes, got.value.contentType || null);
    if (!index.ok) return fail(index.error);
    if (index.value.kind !== "index") return fail({ kind: "bad-manifest", what: "index", reason: "the referrers API answered with a manifest, not an image index" });
    pages++;
    // Every page must say it filtered; one that does not is filtered here.
    if (artifactType !== undefined && !filtersApplied(res.headers.get(FILTERS_APPLIED_HEADER)).includes("artifactType")) appliedByRegistry = false;
    for (const d of index.value.manifests) {
      if (descriptors.length >= MAX_REFERRERS) {
        complete = false;
        notes.push(`Only the first ${MAX_REFERRERS} referrers are listed.`);
        break;
      }
      descriptors.push(d);
    }
    if (!complete) break;

    const next = nextLink(res.headers.get("Link"), url, client, registry, repository, digest);
    if (next === undefined) break;
    if (typeof next !== "string") {
      complete = false;
      notes.push(next.refused);
      break;
    }
    if (seen.has(next)) {
      complete = false;
      notes.push("The registry's next-page link points back at a page already read; stopped there.");
      break;
    }
    if (pages >= maxPages) {
      complete = false;
      notes.push(`Stopped after ${maxPages} pages; the registry has more.`);
      break;
    }
    url = next;
  }

  return ok({ ...finish("api", descriptors, artifactType, appliedByRegistry, pages, complete, notes), subject: digest });

  /** The first page failing is an error; a later one ends the list there, shown as partial (unless cancelled). */
  function fail(e: LayerscopeError): Result<Referrers, LayerscopeError> {
    if (pages === 0 || e.kind === "aborted") return err(e);
    notes.push(`Page ${pages + 1} could not be read (${e.kind}); the list stops there.`);
    return ok({ ...finish("api", descriptors, artifactType, appliedByRegistry, pages, false, notes), subject: digest });
  }
}

function finish(
  source: ReferrersSource,
  listed: readonly Descriptor[],
  artifactType: string | undefined,
  appliedByRegistry: boolean,
  pages: number,
  complete: boolean,
  notes: readonly string[],
  extra: { tag?: string; tagFound?: boolean } = {},
): Referrers {
  // Filtering here even when the registry said it did costs nothing and keeps a registry that
  // claims a filter it did not apply from showing other types under it.
  const descriptors = artifactType === undefined ? listed : listed.filter((d) => d.artifactType === artifactType);
  return {
    subject: "",
    source,
    descriptors,
    ...(artifactType !== undefined ? { filter: { artifactType, appliedBy: appliedByRegistry ? ("registry" as const) : ("client" as const) } } : {}),
    pages,
    complete,
    notes,
    ...extra,
  };
}

/** The referrers tag schema: the index at `<alg>-<ref>`, read like any tag. */
async function fallback(
  client: RegistryClient,
  registry: string,
  repository: string,
  digest: string,
  artifactType: string | undefined,
  signal: AbortSignal | undefined,
): Promise<Result<Referrers, LayerscopeError>> {
  const tag = referrersTag(digest);
  const withSubject = (r: Referrers): Referrers => ({ ...r, subject: digest });
  if (tag === undefined) {
    return ok(withSubject(finish("tag-schema", [], artifactType, false, 0, true, [`No referrers tag can be written for ${digest}.`])));
  }
  const got = await fetchManifest(client, registry, repository, tag, signal);
  if (!got.ok) {
    const e = got.error;
    if (e.kind === "not-found") return ok(withSubject(finish("tag-schema", [], artifactType, false, 0, true, [], { tag, tagFound: false })));
    // distribution-spec: "if the tag schema does not return a valid image index, the client
    // SHOULD assume there are no referrers" — said aloud, since someone wrote that tag.
    if (e.kind === "bad-manifest" || e.kind === "ambiguous-manifest" || e.kind === "not-an-image" || e.kind === "unsupported-media-type" || e.kind === "schema1") {
      return ok(
        withSubject(
          finish("tag-schema", [], artifactType, false, 0, true, [`The tag ${tag} exists but is not a valid image index (${e.kind}), so no referrers are listed.`], { tag, tagFound: true }),
        ),
      );
    }
    return got;
  }
  const doc = got.value.document;
  if (doc.kind !== "index") {
    return ok(withSubject(finish("tag-schema", [], artifactType, false, 0, true, [`The tag ${tag} names an image manifest, not an index, so no referrers are listed.`], { tag, tagFound: true })));
  }
  const notes = got.value.headerMatches === false ? [`The registry's Docker-Content-Digest for ${tag} does not match the bytes it sent.`] : [];
  return ok(withSubject(finish("tag-schema", doc.manifests.slice(0, MAX_REFERRERS), artifactType, false, 0, doc.manifests.length <= MAX_REFERRERS, notes, { tag, tagFound: true })));
}

/** "artifactType, foo" → ["artifactType", "foo"]. */
function filtersApplied(header: string | null): string[] {
  return header === null ? [] : header.split(",").map((s) => s.trim()).filter((s) => s !== "");
}

/**
 * The `rel="next"` target of a Link header (RFC 8288), as a proxy URL for the same referrers
 * path, or undefined when there is none. A link to another host or another path is refused (the
 * proxy would not follow it either): `{refused}` says so.
 */
export function nextLink(
  header: string | null,
  currentUrl: string,
  client: RegistryClient,
  registry: string,
  repository: string,
  digest: string,
): string | { refused: string } | undefined {
  if (header === null) return undefined;
  let target: string | undefined;
  for (const part of header.split(/,(?=\s*<)/)) {
    const m = /^\s*<([^>]*)>(.*)$/.exec(part);
    if (m === null) continue;
    const params = m[2] ?? "";
    if (/;\s*rel\s*=\s*"?([^";]*\s)?next(\s[^";]*)?"?\s*(;|$)/i.test(params)) {
      target = m[1];
      break;
    }
  }
  if (target === undefined) return undefined;
  const host = registryApiHost(registry);
  // Resolve against the registry-side URL of the page just read (the link is usually a path).
  const prefix = `${client.proxyBase}/${host}`;
  const currentPath = currentUrl.startsWith(prefix) ? currentUrl.slice(prefix.length) : currentUrl;
  const base = `http://${host}${currentPath}`;
  let resolved: URL;
  try {
    resolved = new URL(target, base);
  } catch {
    return { refused: "The registry's next-page link is not a URL; the list stops there." };
  }
  const sameHost = resolved.host === new URL(base).host || resolved.host === host;
  const path = `/v2/${repository}/referrers/${digest}`;
  if (!sameHost || resolved.pathname !== path || resolved.username !== "" || resolved.password !== "") {
    return { refused: "The registry's next-page link leads somewhere other than this referrers list; it was not followed." };
  }
  return `${prefix}${resolved.pathname}${resolved.search}`;
}

// ── artifact blobs ──────────────────────────────────────────────────────────────────────────

/**
 * Artifact blobs up to this size are fetched, verified and shown; bigger ones are offered as a
 * download only. Signatures, SBOMs and attestations are almost always far smaller.
 */
export const ARTIFACT_BLOB_DISPLAY_LIMIT = 4 * 1024 * 1024;

/** An artifact blob held whole: its exact bytes, checked against the descriptor's size and digest. */
export interface FetchedBlob {
  readonly bytes: Uint8Array;
  /** "verified", or "unverifiable" for an algorithm we cannot compute; a mismatch is an error. */
  readonly verification: Verification;
}

/**
 * GETs a blob named by `descriptor` and holds it whole, for display. Refused unfetched when the
 * descriptor claims more than `limit` bytes (limit-exceeded). While streaming: a byte past the
 * descriptor's size stops the download (size-mismatch "overrun"), an early end is "truncated";
 * then the digest is checked (digest-mismatch what "artifact-blob"). Memory stays bounded by the
 * size, which is at most `limit`. The body is never sniffed: an artifact blob may be any bytes.
 */
export async function fetchArtifactBlob(
  client: RegistryClient,
  registry: string,
  repository: string,
  descriptor: Descriptor,
  options: { readonly limit?: number; readonly signal?: AbortSignal } = {},
): Promise<Result<FetchedBlob, LayerscopeError>> {
  const limit = options.limit ?? ARTIFACT_BLOB_DISPLAY_LIMIT;
  const { digest, size } = descriptor;
  const parsed = parseDigest(digest);
  if (!parsed.ok) return err({ kind: "bad-manifest", what: "manifest", reason: `the blob digest is invalid: ${parsed.error}` });
  if (size > limit) {
    return err({ kind: "limit-exceeded", what: "displayed blob size", limit, detail: `${digest} is ${size} bytes, more than Layerscope shows in the page` });
  }
  const sent = await send(client, registry, blobUrl(client, registry, repository, digest), options.signal, {});
  if (!sent.ok) return sent;
  const { res, hadCredentials } = sent.value;
  if (!res.ok) return err(await errorFromResponse(registry, repository, "blob", digest, res, hadCredentials));

  const algorithm = parsed.value.algorithm;
  const hasher = isVerifiableAlgorithm(algorithm) ? await createHasher(algorithm) : undefined;
  const bytes = new Uint8Array(size);
  let received = 0;
  if (res.body !== null) {
    const reader = res.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (received + value.byteLength > size) {
          reader.cancel().catch(() => undefined);
          return err({ kind: "size-mismatch", digest, expected: size, actual: received + value.byteLength, direction: "overrun", what: "blob" });
        }
        bytes.set(value, received);
        hasher?.update(value);
        received += value.byteLength;
      }
    } catch (e) {
      return err(fromThrown(registry, e, options.signal));
    } finally {
      reader.releaseLock();
    }
  }
  if (received < size) return err({ kind: "size-mismatch", digest, expected: size, actual: received, direction: "truncated", what: "blob" });
  if (hasher === undefined) {
    return ok({ bytes, verification: { status: "unverifiable", digest, reason: `${algorithm} is not an algorithm Layerscope can compute (sha256 and sha512 are)` } });
  }
  const actual = hasher.digest();
  if (actual !== digest) return err({ kind: "digest-mismatch", what: "artifact-blob", expected: digest, actual });
  return ok({ bytes, verification: { status: "verified", digest } });
}
