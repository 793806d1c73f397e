// Talking to registries: one request with the guarded lookup, redirects followed by hand
// (P4, P5), and the auth dance (anonymous → challenge → Basic or Bearer token → one retry).
//
// Redirects are followed here rather than by the browser because a registry's 307 to a CDN
// must be checked against the destination policy, and because the browser must never see a
// signed CDN URL it could leak (P14).

import http from "node:http";
import https from "node:https";
import type { IncomingMessage, OutgoingHttpHeaders } from "node:http";

import {
  basicAuthorization,
  credentialId,
  parseChallenges,
  type ChallengeMemo,
  type Credentials,
  type TokenCache,
  type TokenKey,
} from "./auth.js";
import { ProxyError, UpstreamTimeout } from "./errors.js";
import { DestinationRefused, guardedLookup, hostPortOfUrl, type DestinationPolicy, type Resolver } from "./policy.js";
import type { RegistryRoute } from "./routes.js";

/** Redirect statuses followed (RFC 9110 §15.4). */
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** Redirects followed before giving up; the 6th is refused (P4). */
export const MAX_REDIRECTS = 5;
/** Largest token or error body read (P11). */
export const SMALL_BODY_LIMIT = 64 * 1024;
/** Largest manifest read (P11); distribution-spec suggests registries accept at least 4 MiB. */
export const MANIFEST_LIMIT = 8 * 1024 * 1024;

const USER_AGENT = "layerscope-proxy/0.1";

export interface UpstreamDeps {
  policy: DestinationPolicy;
  resolver: Resolver;
  /** Socket idle timeout upstream, connect included (P12). */
  timeoutMs: number;
  agents: { http: http.Agent; https: https.Agent };
  tokens: TokenCache;
  challenges: ChallengeMemo;
}

/** What the browser asked for, already validated. */
export interface ClientAsk {
  method: "GET" | "HEAD";
  accept: string | undefined;
  range: string | undefined;
  ifNoneMatch: string | undefined;
  credentials: Credentials | undefined;
  signal: AbortSignal;
}

/** The final upstream response and the URL that produced it. */
export interface UpstreamAnswer {
  res: IncomingMessage;
  url: URL;
}

/**
 * Sends one request. The policy is checked first (literal addresses, scheme); names are
 * checked again at connect time by the guarded lookup. Resolves when headers arrive.
 */
function send(deps: UpstreamDeps, url: URL, method: string, headers: OutgoingHttpHeaders, signal: AbortSignal): Promise<IncomingMessage> {
  const { exempt } = deps.policy.check(hostPortOfUrl(url), url.protocol);
  const secure = url.protocol === "https:";
  return new Promise((resolve, reject) => {
    let response: IncomingMessage | undefined;
    const req = (secure ? https : http).request(
      url,
      {
        method,
        headers,
        agent: secure ? deps.agents.https : deps.agents.http,
        lookup: guardedLookup(deps.resolver, exempt),
        signal,
        timeout: deps.timeoutMs,
      },
      (res) => {
        response = res;
        resolve(res);
      },
    );
    // The timeout stays armed while the body streams: an upstream that stalls mid-blob is cut.
    // Once headers are in, the body's reader hears the timeout itself (destroying only the
    // request would reach it as a plain "aborted", and a stalled manifest would be reported as a
    // reset connection instead of a timeout).
    req.on("timeout", () => {
      const timeout = new UpstreamTimeout(`no bytes from ${url.host} for ${deps.timeoutMs} ms`);
      response?.destroy(timeout);
      req.destroy(timeout);
    });
    // Errors after the response arrived reach the response stream; this listener only keeps
    // them from being unhandled.
    req.on("error", reject);
    req.end();
  });
}

/**
 * Sends `url` and follows redirects (max {@link MAX_REDIRECTS}); each hop passes the policy.
 * `headersFor` builds each hop's headers, so credentials can depend on the hop's origin.
 */
async function follow(
  deps: UpstreamDeps,
  start: URL,
  method: string,
  headersFor: (url: URL) => OutgoingHttpHeaders,
  signal: AbortSignal,
): Promise<UpstreamAnswer> {
  let url = start;
  for (let redirects = 0; ; redirects++) {
    let res: IncomingMessage;
    try {
      res = await send(deps, url, method, headersFor(url), signal);
    } catch (e) {
      if (redirects > 0 && e instanceof DestinationRefused) {
        throw new ProxyError("DESTINATION_NOT_ALLOWED", `redirect to a disallowed destination: ${e.host} is ${e.reason}`);
      }
      throw e;
    }
    const location = res.headers.location;
    if (!REDIRECT_STATUSES.has(res.statusCode ?? 0) || location === undefined) return { res, url };
    res.destroy();
    if (redirects >= MAX_REDIRECTS) throw new ProxyError("TOO_MANY_REDIRECTS", `too many redirects (more than ${MAX_REDIRECTS})`);
    let next: URL;
    try {
      next = new URL(location, url);
    } catch {
      throw new ProxyError("DESTINATION_NOT_ALLOWED", "redirect to a disallowed destination: Location is not a URL");
    }
    if (next.protocol !== "https:" && next.protocol !== "http:") {
      throw new ProxyError("DESTINATION_NOT_ALLOWED", `redirect to a disallowed destination: scheme ${next.protocol} is not http(s)`);
    }
    if (next.username !== "" || next.password !== "") {
      throw new ProxyError("DESTINATION_NOT_ALLOWED", "redirect to a disallowed destination: URL carries credentials");
    }
    next.hash = "";
    url = next;
  }
}

/** Reads a whole body, refusing (and aborting upstream) past `limit` bytes (P11). */
export async function readCapped(res: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(res.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) {
    res.destroy();
    throw new ProxyError("RESPONSE_TOO_LARGE", `response too large (over ${limit} bytes)`);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > limit) {
      res.destroy();
      throw new ProxyError("RESPONSE_TOO_LARGE", `response too large (over ${limit} bytes)`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
}

/** The registry's base URL: https, or http where the policy says so (allowlisted test registries; local ones for the command line). */
export function registryBase(deps: UpstreamDeps, route: RegistryRoute): URL {
  const scheme = deps.policy.plainHttp(route.target) ? "http" : "https";
  return new URL(`${scheme}://${route.target.hostname}:${route.target.port}/`);
}

/**
 * Fetches `route` from its registry, doing the auth dance:
 * 1. send with remembered auth (a cached token, or Basic when the registry asked for Basic
 *    before and the browser gave credentials), else anonymously;
 * 2. on 401 from the registry's own origin: Basic → retry with the browser's credentials;
 *    Bearer → get a token from the realm (validated, P6) and retry once. A second 401 is
 *    returned as is (R3: one refresh only).
 * Credentials travel only to the registry's origin and its realm, never to redirect hops on
 * other origins (P5, P7).
 */
export async function fetchFromRegistry(deps: UpstreamDeps, route: RegistryRoute, ask: ClientAsk): Promise<UpstreamAnswer> {
  const base = registryBase(deps, route);
  const url = new URL(route.upstreamPath, base);
  const registry = route.target.key;
  const credentials = credentialId(ask.credentials);
  const defaultScope = "name" in route.call ? `repository:${route.call.name}:pull` : undefined;

  const headersFor =
    (authorization: string | undefined) =>
    (hop: URL): OutgoingHttpHeaders => {
      const h: OutgoingHttpHeaders = { "accept-encoding": "identity", "user-agent": USER_AGENT };
      if (ask.accept !== undefined) h["accept"] = ask.accept;
      if (ask.range !== undefined) h["range"] = ask.range;
      // Only the registry's own origin gets credentials or conditional headers (P5).
      if (hop.origin === base.origin) {
        if (authorization !== undefined) h["authorization"] = authorization;
        if (ask.ifNoneMatch !== undefined) h["if-none-match"] = ask.ifNoneMatch;
      }
      return h;
    };
  const attempt = (authorization: string | undefined): Promise<UpstreamAnswer> =>
    follow(deps, url, ask.method, headersFor(authorization), ask.signal);

  let upfront: string | undefined;
  let upfrontKey: TokenKey | undefined;
  const remembered = deps.challenges.get(registry);
  if (remembered?.scheme === "basic" && ask.credentials !== undefined) {
    upfront = basicAuthorization(ask.credentials);
  } else if (remembered?.scheme === "bearer") {
    upfrontKey = { registry, realm: remembered.realm, service: remembered.service, scope: defaultScope, credentials };
    const token = deps.tokens.get(upfrontKey);
    if (token !== undefined) upfront = `Bearer ${token}`;
  }

  const first = await attempt(upfront);
  // A 401 from a CDN hop is not the registry's challenge; pass it through untouched.
  if (first.res.statusCode !== 401 || first.url.origin !== base.origin) return first;
  if (upfrontKey !== undefined && upfront !== undefined) deps.tokens.delete(upfrontKey);

  const challenges = parseChallenges(headerText(first.res.headers["www-authenticate"]));
  const bearer = challenges.find((c) => c.scheme === "bearer" && c.params.has("realm"));
  const basic = challenges.find((c) => c.scheme === "basic");

  if (bearer !== undefined) {
    const realm = bearer.params.get("realm") ?? "";
    const service = bearer.params.get("service");
    const scope = bearer.params.get("scope") ?? defaultScope;
    deps.challenges.set(registry, { scheme: "bearer", realm, service });
    first.res.destroy();
    const got = await fetchToken(deps, base, realm, service, scope, ask);
    if ("answer" in got) return got.answer;
    deps.tokens.set({ registry, realm, service, scope, credentials }, got.token, got.expiresIn);
    return attempt(`Bearer ${got.token}`);
  }
  if (basic !== undefined) {
    deps.challenges.set(registry, { scheme: "basic" });
    // Without credentials, or when they were already refused, the 401 goes to the browser.
    if (ask.credentials === undefined || upfront?.startsWith("Basic ") === true) return first;
    first.res.destroy();
    return attempt(basicAuthorization(ask.credentials));
  }
  return first;
}

function headerText(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v.join(", ") : v;
}

/**
 * Validates a Bearer realm before any request (P6): http(s) only, no http realm for an https
 * registry, no userinfo, and the realm's host must pass the destination policy.
 * Throws ProxyError TOKEN_REQUEST_REFUSED.
 */
export function validateRealm(policy: DestinationPolicy, realmText: string, registryProtocol: string): URL {
  let realm: URL;
  try {
    realm = new URL(realmText);
  } catch {
    throw new ProxyError("TOKEN_REQUEST_REFUSED", "token request refused: the realm is not a URL");
  }
  if (realm.protocol !== "https:" && realm.protocol !== "http:") {
    throw new ProxyError("TOKEN_REQUEST_REFUSED", `token request refused: realm scheme ${realm.protocol} is not http(s)`);
  }
  if (registryProtocol === "https:" && realm.protocol !== "https:") {
    throw new ProxyError("TOKEN_REQUEST_REFUSED", "token request refused: an https registry named an http token realm");
  }
  if (realm.username !== "" || realm.password !== "") {
    throw new ProxyError("TOKEN_REQUEST_REFUSED", "token request refused: the realm URL carries credentials");
  }
  try {
    policy.check(hostPortOfUrl(realm), realm.protocol);
  } catch (e) {
    if (e instanceof DestinationRefused) {
      throw new ProxyError("TOKEN_REQUEST_REFUSED", `token request refused: realm destination not allowed (${e.host} is ${e.reason})`);
    }
    throw e;
  }
  realm.hash = "";
  return realm;
}

/** A registry token: printable ASCII without spaces, so it can't break the header it goes in. */
const TOKEN_RE = /^[\x21-\x7e]{1,16384}$/;

/**
 * GETs a token from the realm (distribution token auth spec). Credentials, if the browser gave
 * any for this registry, go as Basic to the realm's origin only. A non-2xx answer from the
 * token endpoint is returned for the browser to see (usually 401: wrong credentials).
 */
async function fetchToken(
  deps: UpstreamDeps,
  registry: URL,
  realmText: string,
  service: string | undefined,
  scope: string | undefined,
  ask: ClientAsk,
): Promise<{ token: string; expiresIn: number | undefined } | { answer: UpstreamAnswer }> {
  const realm = validateRealm(deps.policy, realmText, registry.protocol);
  if (service !== undefined) realm.searchParams.set("service", service);
  if (scope !== undefined) realm.searchParams.set("scope", scope);
  const authorization = ask.credentials === undefined ? undefined : basicAuthorization(ask.credentials);
  let answer: UpstreamAnswer;
  try {
    answer = await follow(
      deps,
      realm,
      "GET",
      (hop) => {
        const h: OutgoingHttpHeaders = { accept: "application/json", "accept-encoding": "identity", "user-agent": USER_AGENT };
        if (authorization !== undefined && hop.origin === realm.origin) h["authorization"] = authorization;
        return h;
      },
      ask.signal,
    );
  } catch (e) {
    // The realm's name resolved to a private address (checked inside lookup).
    if (e instanceof DestinationRefused) {
      throw new ProxyError("TOKEN_REQUEST_REFUSED", `token request refused: realm destination not allowed (${e.host} is ${e.reason})`);
    }
    throw e;
  }
  const status = answer.res.statusCode ?? 0;
  if (status < 200 || status > 299) return { answer };
  const body = await readCapped(answer.res, SMALL_BODY_LIMIT);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString("utf8"));
  } catch {
    throw new ProxyError("BAD_TOKEN_RESPONSE", "the token endpoint answered with something that is not JSON");
  }
  if (typeof parsed !== "object" || parsed === null) {
    throw new ProxyError("BAD_TOKEN_RESPONSE", "the token endpoint answered without a token");
  }
  const record = parsed as Record<string, unknown>;
  const token = typeof record["token"] === "string" && record["token"] !== "" ? record["token"] : record["access_token"];
  if (typeof token !== "string" || !TOKEN_RE.test(token)) {
    throw new ProxyError("BAD_TOKEN_RESPONSE", "the token endpoint answered without a usable token");
  }
  const expiresIn = typeof record["expires_in"] === "number" ? record["expires_in"] : undefined;
  return { token, expiresIn };
}
