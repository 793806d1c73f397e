/**
 * Test-only: a fake registry behind a fake Layerscope proxy, as a `fetch`-compatible function.
 *
 * It answers proxy-style URLs `${base}/${registry}/v2/…` from in-memory {@link Repository}s the
 * image builders made, the way a distribution registry would (Content-Type from the document's
 * media type, Docker-Content-Digest, JSON error bodies with distribution-spec codes), and has
 * knobs for the faults SECURITY.md lists: credentials required, wrong digest headers, corrupt
 * bytes, HTML answers, 429 with Retry-After, bodies cut into tiny chunks, requests that hang
 * until aborted. Every request is recorded for assertions.
 */
import type { Repository } from "./image";

/** What the fake saw; `kind` is the distribution API route the path matched. */
export interface FakeRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Headers;
  readonly registry: string;
  readonly kind: "base" | "manifest" | "blob" | "tags" | "referrers" | "unknown";
  readonly repository?: string;
  /** Tag or digest for manifests, digest for blobs and referrers. */
  readonly reference?: string;
}

export interface FakeRegistryOptions {
  /** The proxy prefix the fake answers under (no trailing slash). Default {@link FAKE_PROXY_BASE}. */
  readonly base?: string;
  /** Repositories by "registry/repository", e.g. "registry.test/team/app". */
  readonly repositories: ReadonlyMap<string, Repository>;
  /** Require `Authorization: Basic` with exactly these (compared after UTF-8 decoding); else 401. */
  readonly credentials?: { readonly username: string; readonly password: string };
  /** Docker-Content-Digest on manifests: correct (default), omitted, or naming other bytes. */
  readonly dockerContentDigest?: "correct" | "omit" | "wrong";
  /** Flip the last byte of served manifests and blobs (all, or those with these digests). */
  readonly corrupt?: boolean | ReadonlySet<string>;
  /** Answer every /v2/ request with an HTML page (a web server, not a registry). */
  readonly html?: { readonly status: number; readonly contentType: string };
  /** Answer every request except /v2/ with 429 and these headers (values as sent). */
  readonly rateLimit?: { readonly retryAfter?: string; readonly limit?: string; readonly remaining?: string };
  /** Cut every body into chunks of these sizes, cycling (e.g. [1] or [1, 7, 3]). */
  readonly chunks?: readonly number[];
  /** Never answer until the request's signal aborts (then reject with its reason). */
  readonly hang?: boolean;
  /** Checked first: return a Response to answer a request your way, or undefined to go on. */
  readonly override?: (req: FakeRequest) => Response | undefined;
}

export interface FakeRegistry {
  /** Pass as RegistryClient.fetch. */
  readonly fetch: typeof fetch;
  /** Every request, in order. */
  readonly requests: FakeRequest[];
}

/** Default proxy prefix of the fake. */
export const FAKE_PROXY_BASE = "http://layerscope.test/registry";

/** A registry-style error answer: `{"errors":[{code,message}]}` with the given status and headers. */
export function registryError(status: number, code: string, message: string, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ errors: [{ code, message, detail: null }] }), {
    status,
    headers: { "Content-Type": "application/json; charset=utf-8", ...headers },
  });
}

/** An error the Layerscope proxy itself generated (contract: proxy wire protocol). */
export function proxyError(status: number, code: string, message: string): Response {
  return registryError(status, code, message, { "X-Layerscope-Proxy-Error": code });
}

/** A Response whose body arrives in chunks of the given sizes (cycling), and errors if `signal` aborts. */
export function chunkedResponse(bytes: Uint8Array, sizes: readonly number[], init: ResponseInit, signal?: AbortSignal): Response {
  let at = 0;
  let turn = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (signal?.aborted) {
        controller.error(signal.reason);
        return;
      }
      if (at >= bytes.byteLength) {
        controller.close();
        return;
      }
      const size = Math.max(1, sizes[turn++ % Math.max(1, sizes.length)] ?? 1);
      // A copy, as a network stream would hand out fresh buffers.
      controller.enqueue(bytes.slice(at, at + size));
      at += size;
    },
  });
  return new Response(stream, init);
}

const MANIFEST_ROUTE = /^(.+)\/manifests\/([^/]+)$/;
const BLOB_ROUTE = /^(.+)\/blobs\/([^/]+)$/;
const TAGS_ROUTE = /^(.+)\/tags\/list$/;
const REFERRERS_ROUTE = /^(.+)\/referrers\/([^/]+)$/;

/** Builds the fake. See {@link FakeRegistryOptions} for the knobs. */
export function createFakeRegistry(options: FakeRegistryOptions): FakeRegistry {
  const base = (options.base ?? FAKE_PROXY_BASE).replace(/\/+$/, "");
  const requests: FakeRequest[] = [];

  const fakeFetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    const method = (init?.method ?? (typeof input === "object" && "method" in input ? input.method : "GET")).toUpperCase();
    const headers = new Headers(init?.headers ?? (typeof input === "object" && "headers" in input ? input.headers : undefined));
    const signal = init?.signal ?? undefined;
    if (signal?.aborted) throw signal.reason;

    const req = route(url, method, headers, base);
    requests.push(req);

    if (options.hang) {
      await new Promise<never>((_, reject) => {
        if (signal === undefined) return;
        signal.addEventListener("abort", () => reject(signal.reason), { once: true });
      });
    }

    const answer = options.override?.(req) ?? answerFor(req, options);
    return finish(answer, method, options.chunks, signal);
  };
  return { fetch: fakeFetch as typeof fetch, requests };
}

function route(url: string, method: string, headers: Headers, base: string): FakeRequest {
  const unknown = { method, url, headers, registry: "", kind: "unknown" as const };
  if (!url.startsWith(`${base}/`)) return unknown;
  const rest = url.slice(base.length + 1).split(/[?#]/)[0] ?? "";
  const slash = rest.indexOf("/");
  if (slash === -1) return unknown;
  const registry = rest.slice(0, slash);
  const path = rest.slice(slash);
  if (path === "/v2/" || path === "/v2") return { method, url, headers, registry, kind: "base" };
  if (!path.startsWith("/v2/")) return { ...unknown, registry };
  const api = path.slice("/v2/".length);
  let m: RegExpExecArray | null;
  if ((m = MANIFEST_ROUTE.exec(api)) && m[1] && m[2]) return { method, url, headers, registry, kind: "manifest", repository: m[1], reference: m[2] };
  if ((m = BLOB_ROUTE.exec(api)) && m[1] && m[2]) return { method, url, headers, registry, kind: "blob", repository: m[1], reference: m[2] };
  if ((m = TAGS_ROUTE.exec(api)) && m[1]) return { method, url, headers, registry, kind: "tags", repository: m[1] };
  if ((m = REFERRERS_ROUTE.exec(api)) && m[1] && m[2]) return { method, url, headers, registry, kind: "referrers", repository: m[1], reference: m[2] };
  return { ...unknown, registry };
}

function answerFor(req: FakeRequest, o: FakeRegistryOptions): Response {
  if (req.kind === "unknown") return proxyError(400, "BAD_REQUEST", "not a distribution API path");
  if (o.html) {
    return new Response("<!DOCTYPE html><html><head><title>Welcome</title></head><body><h1>It works!</h1></body></html>", {
      status: o.html.status,
      headers: { "Content-Type": o.html.contentType },
    });
  }
  if (o.credentials !== undefined && !authorized(req.headers.get("Authorization"), o.credentials)) {
    return registryError(401, "UNAUTHORIZED", "authentication required", {
      "X-Registry-Www-Authenticate": `Basic realm="fake registry"`,
    });
  }
  if (req.kind === "base") return new Response("{}", { status: 200, headers: { "Content-Type": "application/json" } });
  if (o.rateLimit !== undefined) {
    const h: Record<string, string> = {};
    if (o.rateLimit.retryAfter !== undefined) h["Retry-After"] = o.rateLimit.retryAfter;
    if (o.rateLimit.limit !== undefined) h["RateLimit-Limit"] = o.rateLimit.limit;
    if (o.rateLimit.remaining !== undefined) h["RateLimit-Remaining"] = o.rateLimit.remaining;
    return registryError(429, "TOOMANYREQUESTS", "You have reached your pull rate limit.", h);
  }

  const repo = o.repositories.get(`${req.registry}/${req.repository ?? ""}`);
  if (repo === undefined) return registryError(404, "NAME_UNKNOWN", "repository name not known to registry");
  const ref = req.reference ?? "";

  switch (req.kind) {
    case "manifest": {
      const digest = ref.includes(":") ? ref : repo.tags.get(ref);
      const m = digest !== undefined ? repo.manifests.get(digest) : undefined;
      if (digest === undefined || m === undefined) return registryError(404, "MANIFEST_UNKNOWN", "manifest unknown");
      const headers: Record<string, string> = { "Content-Type": m.mediaType, "Content-Length": String(m.bytes.byteLength) };
      if (o.dockerContentDigest === "wrong") headers["Docker-Content-Digest"] = `sha256:${"0".repeat(64)}`;
      else if (o.dockerContentDigest !== "omit") headers["Docker-Content-Digest"] = digest;
      return bytesResponse(maybeCorrupt(m.bytes, digest, o.corrupt), 200, headers);
    }
    case "blob": {
      const b = repo.blobs.get(ref);
      if (b === undefined) return registryError(404, "BLOB_UNKNOWN", "blob unknown to registry");
      return bytesResponse(maybeCorrupt(b, ref, o.corrupt), 200, {
        "Content-Type": "application/octet-stream",
        "Content-Length": String(b.byteLength),
        "Docker-Content-Digest": ref,
      });
    }
    case "tags":
      return new Response(JSON.stringify({ name: req.repository, tags: [...repo.tags.keys()].sort() }), {
        status: 200,
        headers: { "Content-Type": "application/json" },
      });
    default:
      return registryError(404, "UNSUPPORTED", "not implemented by the fake registry");
  }
}

/** Compares a Basic Authorization header with the expected credentials, decoding base64 as UTF-8. */
function authorized(header: string | null, expected: { username: string; password: string }): boolean {
  const m = header !== null ? /^Basic ([A-Za-z0-9+/=]+)$/.exec(header) : null;
  if (m === null || m[1] === undefined) return false;
  let decoded: string;
  try {
    const binary = atob(m[1]);
    decoded = new TextDecoder("utf-8", { fatal: true }).decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
  } catch {
    return false;
  }
  return decoded === `${expected.username}:${expected.password}`;
}

function maybeCorrupt(bytes: Uint8Array, digest: string, corrupt: FakeRegistryOptions["corrupt"]): Uint8Array {
  const hit = corrupt === true || (corrupt instanceof Set && corrupt.has(digest));
  if (!hit || bytes.byteLength === 0) return bytes;
  const copy = bytes.slice();
  // Flip a bit in the last byte: for JSON documents that is usually the closing brace, so the
  // body no longer parses either — the digest check must come first to be seen.
  copy[copy.length - 1] = (copy[copy.length - 1] ?? 0) ^ 0x01;
  return copy;
}

function bytesResponse(bytes: Uint8Array, status: number, headers: Record<string, string>): Response {
  return new Response(bytes as Uint8Array<ArrayBuffer>, { status, headers });
}

/** Applies HEAD (no body) and chunking to an answer. */
async function finish(res: Response, method: string, chunks: readonly number[] | undefined, signal: AbortSignal | undefined): Promise<Response> {
  if (method === "HEAD") return new Response(null, { status: res.status, headers: res.headers });
  if (chunks === undefined || res.body === null || res.status === 204) return res;
  const bytes = new Uint8Array(await res.arrayBuffer());
  return chunkedResponse(bytes, chunks, { status: res.status, statusText: res.statusText, headers: res.headers }, signal);
}
