/**
 * Serves verified small blobs from the persistent cache to the page's registry client: a GET
 * of `…/v2/<repo>/manifests/<digest>` or `…/blobs/<digest>` that the cache holds (hashed again
 * on the way out) is answered here, the way the registry would answer it, and never reaches
 * the network. The client then verifies and parses the bytes exactly as it does a registry's
 * answer, so nothing about trust changes. Tags, HEAD, ranged requests and everything the cache
 * does not hold go to `inner` unchanged.
 *
 * Only reads happen here; writes happen where the verdict is known (features/image/queries.ts).
 */
import { parseDigest } from "../../core/digest";
import { describePath } from "../requestLog";
import type { VerifiedCache } from "./store";

export function cachedDocumentsFetch(cache: () => VerifiedCache, inner: typeof fetch, opts: { readonly proxyBase: string }): typeof fetch {
  return async (input, init) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    const method = (init?.method ?? (input instanceof Request ? input.method : "GET")).toUpperCase();
    const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
    if (method !== "GET" || headers.has("Range")) return inner(input, init);
    const where = describePath(url, opts.proxyBase);
    const reference = where.reference;
    if (where.kind === "other" || reference === undefined || !parseDigest(reference).ok) return inner(input, init);
    init?.signal?.throwIfAborted();
    // A manifest request is served only from a stored manifest (its Content-Type matters to the
    // parser); a blob request only from a stored config.
    const hit = await cache().getBlob(where.kind === "manifest" ? "manifest" : "config", reference);
    if (!hit) return inner(input, init);
    const body = hit.bytes.slice();
    return new Response(body, {
      status: 200,
      headers: {
        "Content-Type": hit.contentType || "application/octet-stream",
        "Content-Length": String(body.byteLength),
        "Docker-Content-Digest": hit.digest,
        "X-Layerscope-Cache": "hit",
      },
    });
  };
}
