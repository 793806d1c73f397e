// The proxy's contract with its client, as functions (contract: "Proxy wire protocol"): which
// request headers a client may pass on (readAsk), which registry headers come back and how
// (relayedHeaders), and how a failure upstream becomes the proxy's own error answer
// (upstreamFailure, proxyErrorAnswer). The HTTP server (server.ts) uses them per request; the
// command line (cli/direct-fetch.ts) uses the same ones in-process, so the page and the command
// line read the same answers and tell the user the same sentences.

import type { IncomingHttpHeaders, OutgoingHttpHeaders } from "node:http";

import { parseClientCredentials } from "./auth.js";
import { PROXY_ERROR_HEADER, ProxyError, proxyErrorBody, UpstreamTimeout } from "./errors.js";
import { DestinationRefused } from "./policy.js";
import type { ClientAsk } from "./upstream.js";

/** Headers passed from the registry to the browser (contract); everything else is dropped (P10). */
export const PASSED_HEADERS: readonly string[] = [
  "Content-Type",
  "Content-Length",
  "Content-Range",
  "Accept-Ranges",
  "Docker-Content-Digest",
  "Docker-Distribution-Api-Version",
  "ETag",
  "Last-Modified",
  "Retry-After",
  "RateLimit-Limit",
  "RateLimit-Remaining",
  "Link",
  // distribution-spec 1.1: which filters (artifactType) a referrers answer applied.
  "OCI-Filters-Applied",
];

/** The registry's challenge, renamed so the browser never shows its own login dialog. */
export const RENAMED_CHALLENGE_HEADER = "X-Registry-Www-Authenticate";

/**
 * The registry's own Content-Type, when the proxy served the body as opaque bytes instead (P9):
 * a header the browser never acts on, so the app can still tell a web page answering a blob URL
 * from a blob (R11; issue 8 found a layer answered by an HTML page reported as "truncated").
 */
export const REGISTRY_CONTENT_TYPE_HEADER = "X-Registry-Content-Type";

/** Content types a browser might render or execute; served as opaque bytes instead (P9). */
const ACTIVE_CONTENT = /html|svg|xml|javascript|ecmascript/i;

/** Printable ASCII header values only (Node already refuses CR/LF; this also refuses other controls). */
const PRINTABLE = /^[\x20-\x7e]*$/;
/** RFC 9110 §14.1.1 byte ranges, e.g. `bytes=0-1023`, `bytes=500-`, `bytes=-500`. */
const RANGE_RE = /^bytes=(?:[0-9]{0,19}-[0-9]{0,19})(?:, ?[0-9]{0,19}-[0-9]{0,19}){0,7}$/;

/** Builds the browser-facing headers from the registry's (P9, P10). */
export function relayedHeaders(upstream: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const name of PASSED_HEADERS) {
    const value = upstream[name.toLowerCase()];
    if (typeof value === "string") out[name] = value;
  }
  const type = out["Content-Type"];
  if (typeof type === "string" && ACTIVE_CONTENT.test(type)) {
    out["Content-Type"] = "application/octet-stream";
    if (/^[\x20-\x7e]{1,256}$/.test(type)) out[REGISTRY_CONTENT_TYPE_HEADER] = type;
  }
  const challenge = upstream["www-authenticate"];
  if (challenge !== undefined) out[RENAMED_CHALLENGE_HEADER] = Array.isArray(challenge) ? challenge.join(", ") : challenge;
  return out;
}

/** Maps a failure talking upstream to the proxy's error; undefined when the client went away. */
export function upstreamFailure(e: unknown, registry: string, signal: AbortSignal): ProxyError | undefined {
  if (e instanceof ProxyError) return e;
  if (signal.aborted) return undefined;
  if (e instanceof DestinationRefused) return new ProxyError("DESTINATION_NOT_ALLOWED", e.message);
  if (e instanceof UpstreamTimeout) return new ProxyError("UPSTREAM_TIMEOUT", `upstream timeout: ${e.message}`);
  const raw = (e as { code?: unknown } | null)?.code;
  const code = typeof raw === "string" && /^[A-Z0-9_]{1,64}$/.test(raw) ? raw : "ERROR";
  const say = (why: string): ProxyError => new ProxyError("UPSTREAM_UNREACHABLE", `upstream unreachable: ${why}`);
  if (/^(ENOTFOUND|EAI_)/.test(code)) return say(`DNS lookup for ${registry} failed (${code})`);
  if (code === "ECONNREFUSED") return say(`connection to ${registry} refused`);
  if (code === "ETIMEDOUT") return new ProxyError("UPSTREAM_TIMEOUT", `upstream timeout: connecting to ${registry} timed out`);
  if (code === "ECONNRESET" || code === "EPIPE" || code === "ECONNABORTED" || code === "ERR_STREAM_PREMATURE_CLOSE") {
    return say(`connection to ${registry} reset`);
  }
  if (code === "EHOSTUNREACH" || code === "ENETUNREACH") return say(`network unreachable for ${registry} (${code})`);
  if (/^(ERR_TLS|ERR_SSL|ERR_OSSL|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|HOSTNAME_MISMATCH)/.test(code)) {
    return say(`TLS handshake with ${registry} failed (${code})`);
  }
  return say(`${registry} failed (${code})`);
}

/** The proxy's own error answer: its status, the headers that mark it as the proxy's, and the JSON body. */
export function proxyErrorAnswer(error: ProxyError): { status: number; headers: Record<string, string>; body: Buffer } {
  const body = proxyErrorBody(error);
  return {
    status: error.status,
    headers: { "Content-Type": "application/json; charset=utf-8", "Content-Length": String(body.length), [PROXY_ERROR_HEADER]: error.code },
    body,
  };
}

export function badRequest(message: string): ProxyError {
  return new ProxyError("BAD_REQUEST", `bad request: ${message}`);
}

/** Validates what the browser may pass on: Accept, Range, If-None-Match, Basic credentials. Header names lower-case. */
export function readAsk(h: IncomingHttpHeaders, method: "GET" | "HEAD", signal: AbortSignal): ClientAsk | ProxyError {
  const text = (name: string, max: number): string | undefined | ProxyError => {
    const v = h[name];
    if (v === undefined) return undefined;
    if (typeof v !== "string" || v.length > max || !PRINTABLE.test(v)) return badRequest(`${name} header is not acceptable`);
    return v;
  };
  const accept = text("accept", 4096);
  if (accept instanceof ProxyError) return accept;
  const range = text("range", 256);
  if (range instanceof ProxyError) return range;
  if (range !== undefined && !RANGE_RE.test(range)) return badRequest("Range must be bytes=start-end");
  const ifNoneMatch = text("if-none-match", 1024);
  if (ifNoneMatch instanceof ProxyError) return ifNoneMatch;
  const creds = parseClientCredentials(h.authorization);
  if (creds !== undefined && "error" in creds) return badRequest(creds.error);
  return { method, accept, range, ifNoneMatch, credentials: creds, signal };
}
