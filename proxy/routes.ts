// The only request shapes the proxy forwards (SECURITY.md P8): distribution-spec API paths
// under `/registry/<host[:port]>/v2/`. Anything else is refused before a socket opens.
//
// Grammars from distribution-spec spec.md ("Pulling manifests", "Content discovery") and
// image-spec descriptor.md (digests). The path after the host is matched as raw ASCII with
// no percent-decoding at all, so `%2e%2e`, `%2f` and encoded CR/LF cannot mean anything.

import { parseHostPort } from "./policy.js";
import type { HostPort } from "./policy.js";

/** The route prefix the app uses: `${origin}/registry/<host>/v2/...`. */
export const REGISTRY_PREFIX = "/registry/";

/** distribution-spec: `<name>` components joined by `/`. */
const NAME = "[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*)*";
/** distribution-spec: a tag is at most 128 characters. */
const TAG = "[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}";
/** image-spec descriptor.md: `algorithm ":" encoded`. */
const DIGEST = "[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+";

const MANIFEST_RE = new RegExp(`^/v2/(${NAME})/manifests/(${TAG}|${DIGEST})$`);
const BLOB_RE = new RegExp(`^/v2/(${NAME})/blobs/(${DIGEST})$`);
const TAGS_RE = new RegExp(`^/v2/(${NAME})/tags/list$`);
const REFERRERS_RE = new RegExp(`^/v2/(${NAME})/referrers/(${DIGEST})$`);
const TAG_ONLY_RE = new RegExp(`^${TAG}$`);

/** distribution-spec: the repository name, with its registry host, stays under 256 characters. */
const MAX_NAME_LENGTH = 255;

export type ApiCall =
  | { kind: "ping" }
  | { kind: "manifest"; name: string; reference: string }
  | { kind: "blob"; name: string; digest: string }
  | { kind: "tags"; name: string }
  | { kind: "referrers"; name: string; digest: string };

export interface RegistryRoute {
  /** The registry, canonicalised (P2). */
  target: HostPort;
  call: ApiCall;
  /** Path and query to send upstream, rebuilt from validated parts. */
  upstreamPath: string;
  /** Path without query, for logs (P14). */
  logPath: string;
}

export type RouteResult = { ok: true; route: RegistryRoute } | { ok: false; message: string };

function bad(message: string): RouteResult {
  return { ok: false, message };
}

/**
 * Parses a raw request target (`req.url`) that starts with {@link REGISTRY_PREFIX}.
 * Only the host segment is percent-decoded (a browser encodes IDN hosts like `①②⑦.0.0.1`);
 * it is then canonicalised by WHATWG URL. The query is allowed only on tags/list (`n`, `last`) and
 * on referrers (`artifactType`, and `n`/`last` for the pages a registry links to).
 */
export function parseRegistryRoute(rawUrl: string): RouteResult {
  if (!rawUrl.startsWith(REGISTRY_PREFIX)) return bad("not a registry path");
  if (rawUrl.length > 2048) return bad("path too long");
  if (/[^\x21-\x7e]/.test(rawUrl)) return bad("path contains control, space or non-ASCII characters");
  if (rawUrl.includes("..") || /%2e/i.test(rawUrl)) return bad("path contains '..'");
  if (/%(5c|0d|0a|00)/i.test(rawUrl) || rawUrl.includes("\\")) return bad("path contains an encoded backslash or control character");
  if (rawUrl.includes("#")) return bad("path contains a fragment");

  const queryAt = rawUrl.indexOf("?");
  const pathPart = queryAt === -1 ? rawUrl : rawUrl.slice(0, queryAt);
  const query = queryAt === -1 ? undefined : rawUrl.slice(queryAt + 1);
  // An encoded slash in the path could split a segment differently upstream; in a query value it
  // is how `artifactType=application%2Fspdx%2Bjson` is written, and the value is re-encoded below.
  if (/%2f/i.test(pathPart)) return bad("path contains an encoded slash");

  const rest = pathPart.slice(REGISTRY_PREFIX.length);
  const slash = rest.indexOf("/");
  if (slash <= 0) return bad("expected /registry/<host>/v2/...");
  const hostSegment = rest.slice(0, slash);
  const apiPath = rest.slice(slash);

  let hostText: string;
  try {
    hostText = decodeURIComponent(hostSegment);
  } catch {
    return bad("registry host is not valid percent-encoding");
  }
  const target = parseHostPort(hostText);
  if (target === undefined) return bad("registry host is not a host[:port]");

  if (apiPath.includes("%")) return bad("API path must not be percent-encoded");
  const call = matchApiPath(apiPath);
  if (call === undefined) return bad("not a distribution API path (/v2/, manifests, blobs, tags/list, referrers)");
  if ("name" in call && call.name.length > MAX_NAME_LENGTH) return bad("repository name too long");

  let upstreamQuery = "";
  if (query !== undefined) {
    if (call.kind !== "tags" && call.kind !== "referrers") return bad("query strings are only allowed on tags/list and referrers");
    const checked = call.kind === "tags" ? checkTagsQuery(query) : checkReferrersQuery(query);
    if (typeof checked !== "string") return bad(checked.message);
    upstreamQuery = checked;
  }
  return { ok: true, route: { target, call, upstreamPath: apiPath + upstreamQuery, logPath: apiPath } };
}

function matchApiPath(path: string): ApiCall | undefined {
  if (path === "/v2/") return { kind: "ping" };
  let m = MANIFEST_RE.exec(path);
  if (m) return { kind: "manifest", name: m[1] ?? "", reference: m[2] ?? "" };
  m = BLOB_RE.exec(path);
  if (m) return { kind: "blob", name: m[1] ?? "", digest: m[2] ?? "" };
  m = TAGS_RE.exec(path);
  if (m) return { kind: "tags", name: m[1] ?? "" };
  m = REFERRERS_RE.exec(path);
  if (m) return { kind: "referrers", name: m[1] ?? "", digest: m[2] ?? "" };
  return undefined;
}

/** tags/list pagination (distribution-spec "Listing Tags"): `n` a count, `last` a tag. Returns `?…` or "". */
function checkTagsQuery(query: string): string | { message: string } {
  if (query === "") return "";
  const seen = new Map<string, string>();
  for (const pair of query.split("&")) {
    const eq = pair.indexOf("=");
    const key = eq === -1 ? pair : pair.slice(0, eq);
    const value = eq === -1 ? "" : pair.slice(eq + 1);
    if (key !== "n" && key !== "last") return { message: `query parameter ${JSON.stringify(key)} is not allowed` };
    if (seen.has(key)) return { message: `query parameter ${key} given twice` };
    if (key === "n" && !/^[0-9]{1,6}$/.test(value)) return { message: "n must be a number" };
    if (key === "last" && !TAG_ONLY_RE.test(value)) return { message: "last must be a tag" };
    seen.set(key, value);
  }
  const out = new URLSearchParams();
  for (const [k, v] of seen) out.append(k, v);
  return `?${out.toString()}`;
}

/** image-spec descriptor.md: a media type (RFC 6838 restricted names), as artifactType values are. */
const MEDIA_TYPE_RE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/;
/** A page token a registry put in its next link (a digest, a tag, an opaque cursor). */
const PAGE_TOKEN_RE = /^[A-Za-z0-9._:=+-]{1,256}$/;

/**
 * Referrers query (distribution-spec "Listing Referrers"): `artifactType` a media type, and the
 * `n` / `last` a registry's `Link: rel="next"` may carry. Values are percent-decoded once,
 * checked, and re-encoded, so what goes upstream has one spelling (`+` is sent as %2B, never as a
 * space). Returns `?…` or "".
 */
function checkReferrersQuery(query: string): string | { message: string } {
  if (query === "") return "";
  const seen = new Map<string, string>();
  for (const pair of query.split("&")) {
    const eq = pair.indexOf("=");
    const key = eq === -1 ? pair : pair.slice(0, eq);
    let value: string;
    try {
      value = decodeURIComponent(eq === -1 ? "" : pair.slice(eq + 1));
    } catch {
      return { message: `query parameter ${JSON.stringify(key)} is not valid percent-encoding` };
    }
    if (key !== "artifactType" && key !== "n" && key !== "last") return { message: `query parameter ${JSON.stringify(key)} is not allowed` };
    if (seen.has(key)) return { message: `query parameter ${key} given twice` };
    if (key === "artifactType" && !MEDIA_TYPE_RE.test(value)) return { message: "artifactType must be a media type" };
    if (key === "n" && !/^[0-9]{1,6}$/.test(value)) return { message: "n must be a number" };
    if (key === "last" && !PAGE_TOKEN_RE.test(value)) return { message: "last must be a page token" };
    seen.set(key, value);
  }
  return `?${[...seen].map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join("&")}`;
}
