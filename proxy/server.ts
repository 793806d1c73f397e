// The Layerscope server: the registry proxy under /registry/<host>/v2/…, /healthz, and the
// built app. It is a registry-protocol proxy, not an open proxy (SECURITY.md P1–P14):
// only distribution API shapes, only GET/HEAD, only public destinations (or the operator's
// allowlist), only a short list of headers in each direction, bounded bodies where it buffers,
// idle timeouts both ways, and per-client stream caps.

import http from "node:http";
import https from "node:https";
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import { isIP } from "node:net";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { pipeline } from "node:stream/promises";

import { ChallengeMemo, TokenCache } from "./auth.js";
import { bytesMatchDigest, cachePolicy, contentDigest, digestETag, ifNoneMatchNames, type CachePolicy } from "./caching.js";
import { PROXY_ERROR_HEADER, ProxyError } from "./errors.js";
import { DestinationPolicy, systemResolver, type Resolver } from "./policy.js";
import { badRequest, PASSED_HEADERS, proxyErrorAnswer, readAsk, REGISTRY_CONTENT_TYPE_HEADER, relayedHeaders, RENAMED_CHALLENGE_HEADER, upstreamFailure } from "./relay.js";
import { parseRegistryRoute, REGISTRY_PREFIX, type RegistryRoute } from "./routes.js";
import { serveStatic } from "./static.js";
import { fetchFromRegistry, MANIFEST_LIMIT, readCapped, SMALL_BODY_LIMIT, type ClientAsk, type UpstreamDeps } from "./upstream.js";

export interface ProxyServerOptions {
  /** Built app directory (absolute or relative to the working directory). */
  staticDir?: string;
  /** PROXY_ALLOW_HOSTS entries, `host:port`; these may be private and are spoken to over http. */
  allowHosts?: readonly string[];
  /** Name resolution for upstream connections; tests inject a rebinding resolver (P3). */
  resolver?: Resolver;
  /** One line per proxied request: method, registry, path (no query), status, duration (P14). */
  log?: (line: string) => void;
  /** Time for a client to send its request headers (slowloris, P12). Default 10 s. */
  headersTimeoutMs?: number;
  /** Client socket with no bytes either way for this long is destroyed (P12). Default 30 s. */
  idleTimeoutMs?: number;
  /** Upstream socket with no bytes (connect included) for this long fails with 504 / is cut (P12). Default 30 s. */
  upstreamTimeoutMs?: number;
  /** Keep-alive between requests from the browser. Default 5 s. */
  keepAliveTimeoutMs?: number;
  /** How often Node checks the headers timeout. Default 1 s. */
  connectionsCheckingIntervalMs?: number;
  /** Concurrent upstream requests per client IP (L2). Default 32. */
  maxStreamsPerClient?: number;
  /** Concurrent upstream requests in all (L1). Default 256. */
  maxStreamsTotal?: number;
  /**
   * Addresses of load balancers (PROXY_TRUSTED_FORWARDERS) whose `X-Forwarded-For` names the
   * client, so the per-client cap (L2) counts browsers rather than the load balancer. Empty by
   * default: a header anyone can send is believed only from these peers.
   */
  trustedForwarders?: readonly string[];
}

export { RENAMED_CHALLENGE_HEADER } from "./relay.js";

const EXPOSED_HEADERS = [...PASSED_HEADERS, RENAMED_CHALLENGE_HEADER, REGISTRY_CONTENT_TYPE_HEADER, PROXY_ERROR_HEADER].join(", ");

/**
 * Blobs up to this size (by Content-Length) fetched anonymously are read whole and hashed before
 * they are called immutable: that covers image configs, which the page fetches through the
 * browser's HTTP cache. Larger blobs stream unhashed (the browser verifies them; see caching.ts).
 */
const VERIFIED_BLOB_LIMIT = 256 * 1024;

/** Per-request quota headers: a cache would replay one moment's quota for a year. */
const QUOTA_HEADERS: readonly string[] = ["RateLimit-Limit", "RateLimit-Remaining"];

// The same on every answer, so safe in a shared cache: CORS is `*` for every origin (never an
// echoed Origin, so no `Vary: Origin` is needed) and never with credentials.
const REGISTRY_RESPONSE_HEADERS: Readonly<Record<string, string>> = {
  "X-Content-Type-Options": "nosniff",
  "Content-Security-Policy": "sandbox",
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Expose-Headers": EXPOSED_HEADERS,
  // Every answer starts uncacheable; relay() puts the policy of caching.ts on registry answers.
  "Cache-Control": "no-store",
};

function sendProxyError(res: ServerResponse, error: ProxyError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const answer = proxyErrorAnswer(error);
  res.writeHead(answer.status, { ...REGISTRY_RESPONSE_HEADERS, ...answer.headers });
  res.end(answer.body);
}

/** Counts upstream streams per client IP and in total (L1, L2). */
class StreamLimiter {
  readonly #perClient = new Map<string, number>();
  #total = 0;
  constructor(
    readonly maxPerClient: number,
    readonly maxTotal: number,
  ) {}
  /** Returns a release function, or undefined when a cap is reached. */
  acquire(client: string): (() => void) | undefined {
    const mine = this.#perClient.get(client) ?? 0;
    if (mine >= this.maxPerClient || this.#total >= this.maxTotal) return undefined;
    this.#perClient.set(client, mine + 1);
    this.#total++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#total--;
      const n = (this.#perClient.get(client) ?? 1) - 1;
      if (n <= 0) this.#perClient.delete(client);
      else this.#perClient.set(client, n);
    };
  }
}

function peerAddress(req: IncomingMessage): string {
  const a = req.socket.remoteAddress ?? "unknown";
  return a.startsWith("::ffff:") ? a.slice(7) : a;
}

/**
 * The client a request counts against (L2): the peer, or, when the peer is a trusted load
 * balancer, the last address of `X-Forwarded-For` (the one that balancer saw; earlier entries
 * are whatever the client claimed).
 */
function clientKey(req: IncomingMessage, trusted: ReadonlySet<string>): string {
  const peer = peerAddress(req);
  const forwarded = req.headers["x-forwarded-for"];
  if (!trusted.has(peer) || typeof forwarded !== "string") return peer;
  const last = forwarded.split(",").at(-1)?.trim() ?? "";
  if (isIP(last) === 0) return peer;
  return last.startsWith("::ffff:") ? last.slice(7) : last;
}

/** Puts a cache policy on outgoing headers; immutable answers lose per-request quota headers. */
function applyPolicy(headers: OutgoingHttpHeaders, policy: CachePolicy): void {
  headers["Cache-Control"] = policy.cacheControl;
  if (policy.etag !== undefined) headers["ETag"] = policy.etag;
  if (policy.vary !== undefined) headers["Vary"] = policy.vary;
  if (policy.immutable) for (const name of QUOTA_HEADERS) delete headers[name];
}

/**
 * Creates the Layerscope HTTP server (not yet listening). Close it with `server.close()`;
 * its upstream connection pools close with it.
 */
export function createServer(options: ProxyServerOptions = {}): http.Server {
  const staticDir = path.resolve(options.staticDir ?? "dist/app");
  const policy = new DestinationPolicy(options.allowHosts ?? []);
  const log = options.log ?? ((line: string) => console.log(line));
  const idleTimeoutMs = options.idleTimeoutMs ?? 30_000;
  const headersTimeoutMs = options.headersTimeoutMs ?? 10_000;
  const upstreamTimeoutMs = options.upstreamTimeoutMs ?? 30_000;
  const maxStreamsTotal = options.maxStreamsTotal ?? 256;
  const limiter = new StreamLimiter(options.maxStreamsPerClient ?? 32, maxStreamsTotal);
  const trustedForwarders = new Set((options.trustedForwarders ?? []).map((a) => (a.startsWith("::ffff:") ? a.slice(7) : a)));

  const agentOptions = { keepAlive: true, maxSockets: maxStreamsTotal * 2, maxFreeSockets: 32, timeout: upstreamTimeoutMs, scheduling: "lifo" as const };
  const deps: UpstreamDeps = {
    policy,
    resolver: options.resolver ?? systemResolver,
    timeoutMs: upstreamTimeoutMs,
    agents: { http: new http.Agent(agentOptions), https: new https.Agent(agentOptions) },
    tokens: new TokenCache(),
    challenges: new ChallengeMemo(),
  };

  async function handleRegistry(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    for (const [k, v] of Object.entries(REGISTRY_RESPONSE_HEADERS)) res.setHeader(k, v);
    const method = (req.method ?? "").slice(0, 16);
    // Refusals before validation are logged without the path: it is unvalidated input.
    const refuse = (error: ProxyError, where: string): void => {
      log(`${method} ${where} ${error.status} ${error.code}`);
      sendProxyError(res, error);
    };
    if (method !== "GET" && method !== "HEAD" && method !== "OPTIONS") {
      res.setHeader("Allow", "GET, HEAD, OPTIONS");
      refuse(new ProxyError("METHOD_NOT_ALLOWED", `method ${method} not allowed; the registry proxy is read-only`), "-");
      return;
    }
    const parsed = parseRegistryRoute(req.url ?? "");
    if (!parsed.ok) {
      refuse(badRequest(parsed.message), "-");
      return;
    }
    const route = parsed.route;
    if (method === "OPTIONS") {
      res.writeHead(204, {
        "Access-Control-Allow-Methods": "GET, HEAD",
        "Access-Control-Allow-Headers": "Accept, Range, Authorization, If-None-Match",
        "Access-Control-Max-Age": "600",
      });
      res.end();
      return;
    }
    const where = `${route.target.key} ${route.logPath}`;
    if ((req.headers["content-length"] !== undefined && req.headers["content-length"] !== "0") || req.headers["transfer-encoding"] !== undefined) {
      refuse(badRequest("requests to the registry proxy have no body"), where);
      return;
    }
    const controller = new AbortController();
    const ask = readAsk(req.headers, method as "GET" | "HEAD", controller.signal);
    if (ask instanceof ProxyError) {
      refuse(ask, where);
      return;
    }
    if (answeredFromValidator(route, ask, res)) {
      log(`${method} ${where} 304 ${Math.round(performance.now() - started)}ms not-modified`);
      return;
    }
    const release = limiter.acquire(clientKey(req, trustedForwarders));
    if (release === undefined) {
      res.setHeader("Retry-After", "1");
      refuse(new ProxyError("TOO_MANY_STREAMS", "too many concurrent registry requests from this client"), where);
      return;
    }
    let errorCode: string | undefined;
    res.on("close", () => {
      release();
      // Client went away mid-response: cut the upstream request now (P13).
      const clientGone = !res.writableFinished;
      if (clientGone) controller.abort();
      const ms = Math.round(performance.now() - started);
      // P14: registry host and path only; never headers, query strings or redirect URLs.
      log(`${method} ${where} ${res.headersSent ? res.statusCode : "-"} ${ms}ms${errorCode ? ` ${errorCode}` : clientGone ? " client-closed" : ""}`);
    });
    // While the proxy waits for the registry, the browser's socket is quiet by design; the
    // upstream timeout bounds the wait. The idle timeout is re-armed before anything is sent.
    req.socket.setTimeout(0);
    try {
      await relay(route, ask, res, () => req.socket.setTimeout(idleTimeoutMs), () => {
        errorCode = "UPSTREAM_CUT";
      });
    } catch (e) {
      req.socket.setTimeout(idleTimeoutMs);
      const error = upstreamFailure(e, route.target.key, controller.signal);
      if (error === undefined) {
        res.destroy();
        return;
      }
      errorCode = error.code;
      sendProxyError(res, error);
    }
  }

  /**
   * A content-addressed answer never changes, so a browser or cache revalidating it with its
   * digest as the validator is answered 304 here, without a registry request. Only without the
   * user's credentials: with them, access is the registry's to check, every time.
   */
  function answeredFromValidator(route: RegistryRoute, ask: ClientAsk, res: ServerResponse): boolean {
    const digest = contentDigest(route.call);
    if (digest === undefined || ask.credentials !== undefined || ask.ifNoneMatch === undefined) return false;
    if (!ifNoneMatchNames(ask.ifNoneMatch, digestETag(digest))) return false;
    const headers: OutgoingHttpHeaders = {};
    applyPolicy(headers, cachePolicy(route.call, { credentialed: false, status: 304 }));
    res.writeHead(304, headers);
    res.end();
    return true;
  }

  /** Sends the registry's answer. `answering` runs when headers are about to go out; `cut` when a stream breaks after that. */
  async function relay(route: RegistryRoute, ask: ClientAsk, res: ServerResponse, answering: () => void, cut: () => void): Promise<void> {
    const { res: up } = await fetchFromRegistry(deps, route, ask);
    const status = up.statusCode ?? 502;
    const headers = relayedHeaders(up.headers);
    const credentialed = ask.credentials !== undefined;
    if (ask.method === "HEAD" || status === 204 || status === 304) {
      up.resume();
      applyPolicy(headers, cachePolicy(route.call, { credentialed, status }));
      answering();
      res.writeHead(status, headers);
      res.end();
      return;
    }
    const success = status >= 200 && status <= 299;
    // Error bodies and manifests are read whole (bounded), and so are small blobs that will be
    // called immutable (configs, mostly), so their digest is checked before a cache may keep
    // them; larger blobs, tag lists and referrers stream.
    const declared = Number(up.headers["content-length"]);
    const smallBlob = route.call.kind === "blob" && status === 200 && !credentialed && declared <= VERIFIED_BLOB_LIMIT;
    const limit = !success ? SMALL_BODY_LIMIT : route.call.kind === "manifest" ? MANIFEST_LIMIT : smallBlob ? VERIFIED_BLOB_LIMIT : undefined;
    if (limit !== undefined) {
      const body = await readCapped(up, limit);
      headers["Content-Length"] = body.length;
      const digest = success ? contentDigest(route.call) : undefined;
      const bodyMatchesDigest = digest === undefined ? undefined : bytesMatchDigest(body, digest);
      applyPolicy(headers, cachePolicy(route.call, { credentialed, status, ...(bodyMatchesDigest !== undefined ? { bodyMatchesDigest } : {}) }));
      answering();
      res.writeHead(status, headers);
      res.end(body);
      return;
    }
    applyPolicy(headers, cachePolicy(route.call, { credentialed, status }));
    answering();
    res.writeHead(status, headers);
    const browser = res.socket;
    // Told apart for the log: the registry failing mid-stream vs the browser leaving (which
    // destroys its socket first, and then the upstream without an error).
    up.once("error", () => {
      if (browser?.destroyed !== true) cut();
    });
    try {
      await pipeline(up, res);
    } catch {
      // Headers are out; a cut stream is all the browser can be told (it sees a short body).
      up.destroy();
      res.destroy();
    }
  }

  const server = http.createServer(
    {
      headersTimeout: headersTimeoutMs,
      // Registry requests have no body, so the whole request is little more than its headers.
      requestTimeout: headersTimeoutMs * 2,
      keepAliveTimeout: options.keepAliveTimeoutMs ?? 5_000,
      connectionsCheckingInterval: options.connectionsCheckingIntervalMs ?? 1_000,
    },
    (req, res) => {
      const url = req.url ?? "";
      if (!url.startsWith("/")) {
        res.writeHead(400, { "Content-Type": "text/plain; charset=utf-8", "X-Content-Type-Options": "nosniff" });
        res.end("bad request\n");
        return;
      }
      if (url === "/registry" || url.startsWith(REGISTRY_PREFIX)) {
        handleRegistry(req, res).catch(() => res.destroy());
        return;
      }
      if (url === "/healthz" && (req.method === "GET" || req.method === "HEAD")) {
        res.writeHead(200, { "Content-Type": "text/plain; charset=utf-8", "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store" });
        res.end(req.method === "HEAD" ? undefined : "ok\n");
        return;
      }
      serveStatic(req, res, staticDir).catch(() => res.destroy());
    },
  );
  // No bytes either way for idleTimeoutMs: Node destroys the socket (slow readers, stalled clients).
  server.setTimeout(idleTimeoutMs);
  server.on("close", () => {
    deps.agents.http.destroy();
    deps.agents.https.destroy();
  });
  return server;
}
