/**
 * The proxy, in-process: a `fetch` for the core registry client (src/core/registry) that takes
 * the proxy's URLs, `/registry/<host[:port]>/v2/…` (contract: proxy wire protocol), and instead of
 * sending them to a proxy server runs the proxy's own code on them here: parseRegistryRoute
 * (only distribution API shapes), readAsk (the headers a client may pass, Basic credentials),
 * fetchFromRegistry (the Bearer/Basic auth dance, redirects followed and checked hop by hop,
 * the destination policy on every hop and token realm, timeouts), relayedHeaders on the answer,
 * and upstreamFailure + proxyErrorAnswer for what goes wrong. So the command line talks to
 * registries directly, under the proxy's egress rules, and the core client reads the same
 * answers (X-Layerscope-Proxy-Error included) and describeError says the same sentences as in
 * the page.
 *
 * What the proxy server adds on top and this does not: CORS and sandbox headers (no browser
 * here), per-client stream caps (one user), and buffering manifests and error bodies to cap them
 * (the core client caps them itself while streaming: 8 MiB manifests, 64 KiB error bodies).
 */
import http from "node:http";
import https from "node:https";
import type { IncomingMessage } from "node:http";
import { Readable } from "node:stream";

import { ChallengeMemo, TokenCache } from "../proxy/auth.js";
import { ProxyError } from "../proxy/errors.js";
import { DestinationPolicy, systemResolver, type Resolver } from "../proxy/policy.js";
import { badRequest, proxyErrorAnswer, readAsk, relayedHeaders, upstreamFailure } from "../proxy/relay.js";
import { parseRegistryRoute, REGISTRY_PREFIX } from "../proxy/routes.js";
import { fetchFromRegistry, type UpstreamDeps } from "../proxy/upstream.js";

/** The proxyBase to give the core registry client: the proxy's route prefix, without its slash. */
export const DIRECT_PROXY_BASE = REGISTRY_PREFIX.replace(/\/+$/, "");

/** Upstream socket idle timeout (connect included), as the proxy's default. */
export const DEFAULT_UPSTREAM_TIMEOUT_MS = 30_000;

export interface DirectFetchOptions {
  /** `--allow-private`: loopback, private and link-local destinations allowed, http to local ones (proxy/policy.ts). */
  readonly allowPrivate?: boolean;
  /** Name resolution for upstream connections (tests). Default: the system's. */
  readonly resolver?: Resolver;
  readonly timeoutMs?: number;
}

/** A fetch speaking to registries directly, and how to stop it. */
export interface DirectFetch {
  readonly fetch: typeof fetch;
  /** Aborts every request and body in flight and closes the sockets; later calls reject as aborted. Idempotent. */
  close(): void;
}

/** An AbortError, as fetch rejects with one. */
function aborted(reason: unknown): unknown {
  return reason ?? new DOMException("The operation was aborted.", "AbortError");
}

/** The proxy's own error answer as a web Response (X-Layerscope-Proxy-Error and the JSON body). */
function errorResponse(error: ProxyError): Response {
  const answer = proxyErrorAnswer(error);
  return new Response(new Uint8Array(answer.body), { status: answer.status, headers: answer.headers });
}

/** The registry's answer as a web Response: its status, the relayed headers, the body streamed as it arrives. */
function toResponse(up: IncomingMessage, method: "GET" | "HEAD", registry: string): Response {
  const status = up.statusCode ?? 502;
  if (status < 200 || status > 599) {
    up.destroy();
    return errorResponse(new ProxyError("UPSTREAM_UNREACHABLE", `upstream unreachable: ${registry} answered HTTP ${status}`));
  }
  const headers = new Headers();
  for (const [name, value] of Object.entries(relayedHeaders(up.headers))) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : String(value));
  }
  if (method === "HEAD" || status === 204 || status === 304) {
    up.resume();
    return new Response(null, { status, headers });
  }
  // Cancelling the web stream (a reader that stops early) destroys the upstream response.
  return new Response(Readable.toWeb(up) as unknown as ReadableStream<Uint8Array>, { status, headers });
}

/** Creates the fetch. Close it when done (OpenedImage.close does), or its keep-alive sockets hold the process. */
export function createDirectFetch(options: DirectFetchOptions = {}): DirectFetch {
  const timeoutMs = options.timeoutMs ?? DEFAULT_UPSTREAM_TIMEOUT_MS;
  const agentOptions = { keepAlive: true, timeout: timeoutMs, scheduling: "lifo" as const };
  const deps: UpstreamDeps = {
    policy: new DestinationPolicy([], { allowPrivate: options.allowPrivate === true }),
    resolver: options.resolver ?? systemResolver,
    timeoutMs,
    agents: { http: new http.Agent(agentOptions), https: new https.Agent(agentOptions) },
    tokens: new TokenCache(),
    challenges: new ChallengeMemo(),
  };
  const closing = new AbortController();

  const direct = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const signal = init?.signal ? AbortSignal.any([init.signal, closing.signal]) : closing.signal;
    if (signal.aborted) throw aborted(signal.reason);
    const url = typeof input === "string" ? input : input instanceof URL ? `${input.pathname}${input.search}` : input.url;
    const method = (init?.method ?? "GET").toUpperCase();
    if (method !== "GET" && method !== "HEAD") {
      return errorResponse(new ProxyError("METHOD_NOT_ALLOWED", `method ${method} not allowed; the registry proxy is read-only`));
    }
    const parsed = parseRegistryRoute(url);
    if (!parsed.ok) return errorResponse(badRequest(parsed.message));
    const route = parsed.route;
    // Headers iterate with lower-case names, as Node's IncomingHttpHeaders have them.
    const ask = readAsk(Object.fromEntries(new Headers(init?.headers)), method, signal);
    if (ask instanceof ProxyError) return errorResponse(ask);
    try {
      const { res } = await fetchFromRegistry(deps, route, ask);
      return toResponse(res, method, route.target.key);
    } catch (e) {
      const error = upstreamFailure(e, route.target.key, signal);
      if (error === undefined) throw aborted(signal.reason);
      return errorResponse(error);
    }
  };

  return {
    fetch: direct as typeof fetch,
    close() {
      if (closing.signal.aborted) return;
      closing.abort();
      deps.agents.http.destroy();
      deps.agents.https.destroy();
    },
  };
}
