// What HTTP caches may do with the proxy's answers (issue 8, "Scale-out"). The proxy is
// stateless; a shared cache in front of several proxy processes (deploy/nginx/) carries the
// load, and the answers themselves say what it may keep:
//
//  - content-addressed answers (a blob, a manifest by digest) fetched without the user's
//    credentials never change: `public, max-age=31536000, immutable` with `ETag: "<digest>"`;
//  - anything asked for with the user's credentials is `private, no-store`, whatever it is: a
//    shared cache must never hand one user's private pull to another, and a browser need not
//    keep private layers on disk;
//  - answers that can change (a tag lookup, a tag list, referrers, the /v2/ ping) are
//    `public, max-age=0, s-maxage=30`: a shared cache may reuse them for 30 s, a browser
//    revalidates every time, as it did before there was a shared cache;
//  - errors, partial content (206) and redirects are `no-store`.
//
// The decision reads only the route (by digest or not), whether the browser sent credentials, the
// upstream status and, for bodies read whole, whether they hash to their digest: the same request
// gets the same policy on every proxy process.

import { createHash } from "node:crypto";

import type { ApiCall } from "./routes.js";

/** A year, the usual "forever"; `immutable` (RFC 8246) tells browsers not to revalidate even on reload. */
export const IMMUTABLE = "public, max-age=31536000, immutable";
/** Asked for with the user's credentials: kept by no cache, shared or not. */
export const PRIVATE = "private, no-store";
/** Errors, partial content, anything odd. */
export const NO_STORE = "no-store";
/**
 * How long a shared cache may reuse an anonymous tag lookup (and tag lists, referrers, pings).
 * A tag can move: a push shows up through the shared cache at most this late. Docker Hub counts
 * each manifest GET against the pull quota of the proxy's address, which all its users share;
 * thirty seconds turns a team opening `nginx:latest` together into one GET.
 */
export const MUTABLE_SHARED_MAX_AGE_S = 30;
/** `max-age=0` keeps browsers revalidating each time; `s-maxage` speaks to shared caches only. */
export const MUTABLE = `public, max-age=0, s-maxage=${MUTABLE_SHARED_MAX_AGE_S}`;

/** Digest algorithms whose answers may be called immutable: image-spec descriptor.md's registered ones. */
const HASHES: ReadonlyMap<string, { node: string; hexLength: number }> = new Map([
  ["sha256", { node: "sha256", hexLength: 64 }],
  ["sha512", { node: "sha512", hexLength: 128 }],
]);

/**
 * The digest naming a content-addressed answer: a blob's, or a manifest's fetched by digest (a tag
 * never holds ':'; routes.ts). Only registered algorithms with well-formed hex count: anything
 * else cannot be checked, so it is not promised to be immutable.
 */
export function contentDigest(call: ApiCall): string | undefined {
  const digest = call.kind === "blob" ? call.digest : call.kind === "manifest" && call.reference.includes(":") ? call.reference : undefined;
  if (digest === undefined) return undefined;
  const colon = digest.indexOf(":");
  const hash = HASHES.get(digest.slice(0, colon));
  const hex = digest.slice(colon + 1);
  if (hash === undefined || hex.length !== hash.hexLength || !/^[a-f0-9]+$/.test(hex)) return undefined;
  return digest;
}

/** Whether `bytes` hash to `digest` (one of {@link contentDigest}'s). */
export function bytesMatchDigest(bytes: Uint8Array, digest: string): boolean {
  const colon = digest.indexOf(":");
  const hash = HASHES.get(digest.slice(0, colon));
  if (hash === undefined) return false;
  return createHash(hash.node).update(bytes).digest("hex") === digest.slice(colon + 1);
}

/** The strong validator of a content-addressed answer: its digest, quoted (RFC 9110 §8.8.3). */
export function digestETag(digest: string): string {
  return `"${digest}"`;
}

/**
 * Whether an `If-None-Match` value names `etag`, by the weak comparison RFC 9110 §13.1.2 asks for
 * (`W/"x"` matches `"x"`). `*` does not count: it asks whether the registry has the resource at
 * all, which only the registry can say.
 */
export function ifNoneMatchNames(header: string, etag: string): boolean {
  return header.split(",").some((part) => {
    const tag = part.trim();
    return (tag.startsWith("W/") ? tag.slice(2) : tag) === etag;
  });
}

export interface CacheFacts {
  /** The browser sent `Authorization` (the user's credentials for the registry). */
  credentialed: boolean;
  /** The status going to the browser. */
  status: number;
  /**
   * For a body read whole (a manifest by digest, a small blob): whether its bytes hashed to the
   * digest. A registry serving other bytes under a digest gets them passed on (the app reports the
   * mismatch) but never cached. Undefined where nothing was hashed (large blobs stream; HEAD and
   * 304 have no body).
   */
  bodyMatchesDigest?: boolean;
}

export interface CachePolicy {
  cacheControl: string;
  /** Set only on content-addressed public answers; otherwise the registry's ETag passes as is. */
  etag?: string;
  /** Manifests are negotiated by Accept (distribution-spec "Pulling manifests"). */
  vary?: string;
  /** Kept for a year: per-request headers (the registry's quota at this moment) are dropped. */
  immutable: boolean;
}

/**
 * The caching headers for one registry answer. Large blobs are not hashed (server.ts hashes
 * manifests and small blobs): they stream, and their headers are out before the last byte. A
 * complete large blob whose bytes do not match is passed on, the browser refuses it, and a cache
 * keeps what the registry served until it is purged (see README "Scale-out").
 */
export function cachePolicy(call: ApiCall, facts: CacheFacts): CachePolicy {
  const vary = call.kind === "manifest" ? "Accept" : undefined;
  const withVary = (p: Omit<CachePolicy, "vary">): CachePolicy => (vary === undefined ? p : { ...p, vary });
  if (facts.credentialed) return withVary({ cacheControl: PRIVATE, immutable: false });
  // 304 answers a validator of a 200 and carries the same policy (RFC 9110 §15.4.5); 206 is part
  // of one, and shared caches asked for whole objects (nginx strips Range on cacheable requests).
  if (facts.status !== 200 && facts.status !== 304) return withVary({ cacheControl: NO_STORE, immutable: false });
  if (call.kind === "blob" || (call.kind === "manifest" && call.reference.includes(":"))) {
    const digest = contentDigest(call);
    // An unregistered algorithm, or bytes that hashed otherwise: not promised to anyone.
    if (digest === undefined || facts.bodyMatchesDigest === false) return withVary({ cacheControl: NO_STORE, immutable: false });
    return withVary({ cacheControl: IMMUTABLE, etag: digestETag(digest), immutable: true });
  }
  return withVary({ cacheControl: MUTABLE, immutable: false });
}
