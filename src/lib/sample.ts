/**
 * The offline sample image: a tiny multi-platform image built by scripts/make-sample.ts and
 * shipped as an OCI image layout in public/sample/. `sampleFetch` makes those static files look
 * like a registry behind our proxy, so the sample goes through exactly the same client, digest
 * checks and parsers as any real image — only the transport differs.
 */
import { answer, mediaTypeOf, registryError, requestParts } from "./virtualRegistry";

/**
 * A registry name nobody can own: ".local" is reserved for multicast DNS (RFC 6762), so it never
 * reaches a public registry, and the dot makes parseReference read it as a registry host.
 */
export const SAMPLE_REGISTRY = "layerscope-sample.local";
export const SAMPLE_REPOSITORY = "sample";
export const SAMPLE_TAG = "latest";
/** What the "Open the sample image" button opens. */
export const SAMPLE_REFERENCE = `${SAMPLE_REGISTRY}/${SAMPLE_REPOSITORY}:${SAMPLE_TAG}`;

/** True when requests for `registry` (a parsed, lower-cased host) must be served from the sample. */
export function isSampleRegistry(registry: string): boolean {
  return registry === SAMPLE_REGISTRY;
}

/** The image-layout annotation that names a tag in index.json (image-spec annotations.md). */
const REF_NAME = "org.opencontainers.image.ref.name";
const SHA256 = /^sha256:[a-f0-9]{64}$/;
const ROUTE = new RegExp(`/${SAMPLE_REGISTRY.replace(/\./g, "\\.")}/v2/(.*)$`);

interface LayoutEntry {
  readonly digest: string;
  readonly mediaType: string;
}

/**
 * A `fetch` that answers proxy-style sample URLs
 * (`…/layerscope-sample.local/v2/sample/manifests/<tag|digest>`, `…/blobs/<digest>`,
 * `…/tags/list`, `…/v2/`) from the static layout under `${baseUrl}sample/`, the way a registry
 * would: Content-Type from the document's mediaType, Docker-Content-Digest, and distribution-spec
 * JSON errors (404 MANIFEST_UNKNOWN / BLOB_UNKNOWN / NAME_UNKNOWN) for anything else.
 *
 * Tags resolve through index.json's org.opencontainers.image.ref.name annotations. Digests must
 * be sha256 (the layout's only directory) and are checked against a strict pattern before they
 * become a file path. `staticFetch` (default: the page's fetch) reads the files; the request's
 * signal is passed on so cancelling works as for the proxy.
 */
export function sampleFetch(baseUrl: string, staticFetch: typeof fetch = (input, init) => globalThis.fetch(input, init)): typeof fetch {
  const root = `${baseUrl.replace(/\/*$/, "")}/sample/`;
  let layout: Promise<Map<string, LayoutEntry>> | undefined;

  // index.json is read once per sampleFetch and shared, so no single request's signal may cancel it.
  const readLayout = async (): Promise<Map<string, LayoutEntry>> => {
    const res = await getStatic(staticFetch, `${root}index.json`, undefined);
    const tags = new Map<string, LayoutEntry>();
    if (res === undefined) return tags;
    const index = (await res.json()) as { manifests?: { digest?: unknown; mediaType?: unknown; annotations?: Record<string, unknown> }[] };
    for (const m of index.manifests ?? []) {
      const tag = m.annotations?.[REF_NAME];
      if (typeof tag === "string" && typeof m.digest === "string" && typeof m.mediaType === "string") {
        tags.set(tag, { digest: m.digest, mediaType: m.mediaType });
      }
    }
    return tags;
  };

  const tags = (): Promise<Map<string, LayoutEntry>> => {
    if (layout === undefined) {
      layout = readLayout();
      // A failed read (offline dev server, cancelled) is tried again next time, not cached.
      layout.catch(() => (layout = undefined));
    }
    return layout;
  };

  return async (input, init) => {
    const { url, method, signal } = requestParts(input, init);
    signal?.throwIfAborted();

    const api = ROUTE.exec(new URL(url, "http://sample.invalid").pathname)?.[1];
    if (api === undefined) return registryError(404, "NAME_UNKNOWN", "not the sample registry");
    if (api === "") return answer(method, new Response("{}", { headers: { "Content-Type": "application/json" } }));

    const [repository, ...rest] = splitRepository(api);
    if (repository !== SAMPLE_REPOSITORY) return registryError(404, "NAME_UNKNOWN", "repository name not known to registry");
    const [route, ref] = rest;

    if (route === "tags/list") {
      const names = [...(await tags()).keys()].sort();
      return answer(method, new Response(JSON.stringify({ name: SAMPLE_REPOSITORY, tags: names }), { headers: { "Content-Type": "application/json" } }));
    }

    if (route === "manifests" && ref !== undefined) {
      const tagged = (await tags()).get(ref);
      const digest = tagged?.digest ?? ref;
      if (!SHA256.test(digest)) return registryError(404, "MANIFEST_UNKNOWN", "manifest unknown");
      const res = await getStatic(staticFetch, blobPath(root, digest), signal);
      if (res === undefined) return registryError(404, "MANIFEST_UNKNOWN", "manifest unknown");
      const bytes = new Uint8Array(await res.arrayBuffer());
      const mediaType = tagged?.mediaType ?? mediaTypeOf(bytes);
      return answer(
        method,
        new Response(bytes, {
          headers: { "Content-Type": mediaType, "Content-Length": String(bytes.byteLength), "Docker-Content-Digest": digest },
        }),
      );
    }

    if (route === "blobs" && ref !== undefined) {
      if (!SHA256.test(ref)) return registryError(404, "BLOB_UNKNOWN", "blob unknown to registry");
      const res = await getStatic(staticFetch, blobPath(root, ref), signal);
      if (res === undefined) return registryError(404, "BLOB_UNKNOWN", "blob unknown to registry");
      const headers: Record<string, string> = { "Content-Type": "application/octet-stream", "Docker-Content-Digest": ref };
      const length = res.headers.get("Content-Length");
      if (length !== null) headers["Content-Length"] = length;
      // Streamed through, not buffered: layers can be the large part.
      return answer(method, new Response(res.body, { headers }));
    }

    return registryError(404, "UNSUPPORTED", "the sample registry serves manifests, blobs and tags only");
  };
}

/** "sample/manifests/latest" → ["sample", "manifests", "latest"]; "sample/tags/list" → ["sample", "tags/list"]. */
function splitRepository(api: string): string[] {
  const m = /^(.+?)\/(manifests|blobs)\/([^/]+)$/.exec(api) ?? /^(.+?)\/(tags\/list)$/.exec(api);
  return m === null ? [] : m.slice(1);
}

function blobPath(root: string, digest: string): string {
  return `${root}blobs/sha256/${digest.slice("sha256:".length)}`;
}

/**
 * GETs a static file; undefined when it is missing. A dev or SPA server answers unknown paths
 * with index.html and 200, so an HTML answer counts as missing too.
 */
async function getStatic(staticFetch: typeof fetch, url: string, signal: AbortSignal | undefined): Promise<Response | undefined> {
  const res = await staticFetch(url, signal !== undefined ? { signal } : {});
  const type = res.headers.get("Content-Type") ?? "";
  if (!res.ok || /^text\/html\b/i.test(type)) {
    await res.body?.cancel().catch(() => undefined);
    return undefined;
  }
  return res;
}
