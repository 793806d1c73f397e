import { describe, expect, it } from "vitest";
import type { LayerscopeError } from "../errors";
import { chunkedResponse } from "../testing/fake-registry";
import { readBodyCapped } from "./body";
import { errorFromResponse, MESSAGE_LIMIT, parseQuota, parseRetryAfter } from "./errors";

const R = "registry.test";
const REPO = "team/app";

const json = (code: string, message: string) => JSON.stringify({ errors: [{ code, message, detail: {} }] });

interface Case {
  readonly name: string;
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  readonly hadCredentials?: boolean;
  readonly what?: "repository" | "manifest" | "blob";
  readonly expected: LayerscopeError;
}

const proxy = (code: string) => ({ "X-Layerscope-Proxy-Error": code, "Content-Type": "application/json" });
const JSON_CT = { "Content-Type": "application/json; charset=utf-8" };

const cases: Case[] = [
  // ── The proxy's own refusals ──
  {
    name: "proxy: destination not allowed",
    status: 403,
    headers: proxy("DESTINATION_NOT_ALLOWED"),
    body: json("DESTINATION_NOT_ALLOWED", "destination not allowed: 169.254.169.254 is link-local"),
    expected: { kind: "destination-not-allowed", registry: R, detail: "destination not allowed: 169.254.169.254 is link-local" },
  },
  {
    name: "proxy: redirect to a disallowed destination",
    status: 403,
    headers: proxy("DESTINATION_NOT_ALLOWED"),
    body: json("DESTINATION_NOT_ALLOWED", "redirect to a disallowed destination"),
    expected: { kind: "destination-not-allowed", registry: R, detail: "redirect to a disallowed destination" },
  },
  {
    name: "proxy: token realm refused",
    status: 403,
    headers: proxy("TOKEN_REQUEST_REFUSED"),
    body: json("TOKEN_REQUEST_REFUSED", "token realm http://10.0.0.1/token is not allowed"),
    expected: { kind: "destination-not-allowed", registry: R, detail: "token realm http://10.0.0.1/token is not allowed" },
  },
  {
    name: "proxy: upstream unreachable (DNS)",
    status: 502,
    headers: proxy("UPSTREAM_UNREACHABLE"),
    body: json("UPSTREAM_UNREACHABLE", "DNS lookup failed for nope.invalid"),
    expected: { kind: "unreachable", registry: R, detail: "DNS lookup failed for nope.invalid" },
  },
  {
    name: "proxy: upstream timeout, no body",
    status: 504,
    headers: { "X-Layerscope-Proxy-Error": "UPSTREAM_TIMEOUT" },
    expected: { kind: "unreachable", registry: R, detail: "the registry did not answer in time" },
  },
  {
    name: "proxy: too many redirects",
    status: 502,
    headers: proxy("TOO_MANY_REDIRECTS"),
    body: json("TOO_MANY_REDIRECTS", "too many redirects (more than 5)"),
    expected: { kind: "unreachable", registry: R, detail: "too many redirects (more than 5)" },
  },
  {
    name: "proxy: token service answered without a token",
    status: 502,
    headers: proxy("BAD_TOKEN_RESPONSE"),
    body: json("BAD_TOKEN_RESPONSE", "the token service's answer has no token"),
    expected: { kind: "unreachable", registry: R, detail: "the token service's answer has no token" },
  },
  {
    name: "proxy: response too large, limit named",
    status: 502,
    headers: proxy("RESPONSE_TOO_LARGE"),
    body: json("RESPONSE_TOO_LARGE", "response too large: more than 8388608 bytes"),
    expected: { kind: "response-too-large", registry: R, limit: 8388608 },
  },
  {
    name: "proxy: response too large, no number",
    status: 502,
    headers: proxy("RESPONSE_TOO_LARGE"),
    body: json("RESPONSE_TOO_LARGE", "response too large"),
    expected: { kind: "response-too-large", registry: R },
  },
  {
    name: "proxy: too many streams → wait and retry",
    status: 429,
    headers: { ...proxy("TOO_MANY_STREAMS"), "Retry-After": "2" },
    body: json("TOO_MANY_STREAMS", "too many concurrent streams"),
    expected: { kind: "rate-limited", registry: R, retryAfterSeconds: 2 },
  },
  {
    name: "proxy: bad request",
    status: 400,
    headers: proxy("BAD_REQUEST"),
    body: json("BAD_REQUEST", "path is not a distribution API path"),
    expected: { kind: "registry-error", registry: R, status: 400, code: "BAD_REQUEST", message: "path is not a distribution API path" },
  },
  {
    name: "proxy: a proxy 403 is never read as the registry's DENIED",
    status: 403,
    headers: proxy("METHOD_NOT_ALLOWED"),
    body: json("METHOD_NOT_ALLOWED", "only GET, HEAD, OPTIONS"),
    expected: { kind: "registry-error", registry: R, status: 403, code: "METHOD_NOT_ALLOWED", message: "only GET, HEAD, OPTIONS" },
  },

  // ── Registry answers ──
  {
    name: "401 anonymous",
    status: 401,
    headers: JSON_CT,
    body: json("UNAUTHORIZED", "authentication required"),
    expected: { kind: "unauthorized", registry: R, repository: REPO, hadCredentials: false, detail: "authentication required" },
  },
  {
    name: "401 with credentials",
    status: 401,
    headers: JSON_CT,
    body: json("UNAUTHORIZED", "incorrect username or password"),
    hadCredentials: true,
    expected: { kind: "unauthorized", registry: R, repository: REPO, hadCredentials: true, detail: "incorrect username or password" },
  },
  {
    name: "401 without body: detail from the renamed challenge",
    status: 401,
    headers: { "X-Registry-Www-Authenticate": 'Bearer realm="https://auth.test/token",service="r",scope="repository:team/app:pull",error="insufficient_scope"' },
    expected: { kind: "unauthorized", registry: R, repository: REPO, hadCredentials: false, detail: "insufficient_scope" },
  },
  {
    name: "401 with an HTML page is still unauthorized",
    status: 401,
    headers: { "Content-Type": "application/octet-stream" },
    body: "<html><body>401 Authorization Required</body></html>",
    expected: { kind: "unauthorized", registry: R, repository: REPO, hadCredentials: false },
  },
  {
    name: "403 DENIED",
    status: 403,
    headers: JSON_CT,
    body: json("DENIED", "requested access to the resource is denied"),
    expected: { kind: "denied", registry: R, repository: REPO, detail: "requested access to the resource is denied" },
  },
  {
    name: "403 empty",
    status: 403,
    expected: { kind: "denied", registry: R, repository: REPO },
  },
  {
    name: "404 NAME_UNKNOWN → repository",
    status: 404,
    headers: JSON_CT,
    body: json("NAME_UNKNOWN", "repository name not known to registry"),
    expected: { kind: "not-found", registry: R, repository: REPO, what: "repository", ref: "v1" },
  },
  {
    name: "404 MANIFEST_UNKNOWN → manifest",
    status: 404,
    headers: JSON_CT,
    body: json("MANIFEST_UNKNOWN", "manifest unknown"),
    what: "blob",
    expected: { kind: "not-found", registry: R, repository: REPO, what: "manifest", ref: "v1" },
  },
  {
    name: "404 BLOB_UNKNOWN → blob",
    status: 404,
    headers: JSON_CT,
    body: json("BLOB_UNKNOWN", "blob unknown to registry"),
    expected: { kind: "not-found", registry: R, repository: REPO, what: "blob", ref: "v1" },
  },
  {
    name: "404 without body → the caller's what",
    status: 404,
    what: "blob",
    expected: { kind: "not-found", registry: R, repository: REPO, what: "blob", ref: "v1" },
  },
  {
    name: "404 HTML page → not a registry",
    status: 404,
    headers: { "Content-Type": "text/html" },
    body: "<!DOCTYPE html><html><title>Not Found</title></html>",
    expected: { kind: "not-a-registry", registry: R, status: 404, contentType: "text/html" },
  },
  {
    name: "404 HTML sanitised by the proxy to octet-stream → not a registry",
    status: 404,
    headers: { "Content-Type": "application/octet-stream" },
    body: "\n\n<html>\n<head><title>404 Not Found</title></head></html>",
    expected: { kind: "not-a-registry", registry: R, status: 404, contentType: "application/octet-stream" },
  },
  {
    name: "429 with seconds and Docker Hub quota",
    status: 429,
    headers: { ...JSON_CT, "Retry-After": "60", "RateLimit-Limit": "100;w=21600", "RateLimit-Remaining": "0;w=21600" },
    body: json("TOOMANYREQUESTS", "You have reached your pull rate limit."),
    expected: { kind: "rate-limited", registry: R, retryAfterSeconds: 60, limit: 100, remaining: 0 },
  },
  {
    name: "429 bare",
    status: 429,
    expected: { kind: "rate-limited", registry: R },
  },
  {
    name: "TOOMANYREQUESTS code with another status",
    status: 403,
    headers: JSON_CT,
    body: json("TOOMANYREQUESTS", "slow down"),
    expected: { kind: "rate-limited", registry: R },
  },
  {
    name: "503 from the registry → unreachable",
    status: 503,
    headers: JSON_CT,
    body: json("UNAVAILABLE", "service unavailable"),
    expected: { kind: "unreachable", registry: R, detail: "the registry answered HTTP 503 (service unavailable)" },
  },
  {
    name: "502 HTML from a load balancer → unreachable, not not-a-registry",
    status: 502,
    headers: { "Content-Type": "application/octet-stream" },
    body: "<html><body><h1>502 Bad Gateway</h1></body></html>",
    expected: { kind: "unreachable", registry: R, detail: "the registry answered HTTP 502" },
  },
  {
    name: "500 with a registry error",
    status: 500,
    headers: JSON_CT,
    body: json("UNKNOWN", "unknown error"),
    expected: { kind: "registry-error", registry: R, status: 500, code: "UNKNOWN", message: "unknown error" },
  },
  {
    name: "400 MANIFEST_INVALID",
    status: 400,
    headers: JSON_CT,
    body: json("MANIFEST_INVALID", "manifest invalid"),
    expected: { kind: "registry-error", registry: R, status: 400, code: "MANIFEST_INVALID", message: "manifest invalid" },
  },
  {
    name: "400 JSON without errors",
    status: 400,
    headers: JSON_CT,
    body: "{}",
    expected: { kind: "registry-error", registry: R, status: 400 },
  },
  {
    name: "418 plain text → not a registry",
    status: 418,
    headers: { "Content-Type": "text/plain" },
    body: "I'm a teapot",
    expected: { kind: "not-a-registry", registry: R, status: 418, contentType: "text/plain" },
  },
  {
    name: "errors with the wrong types are ignored, not trusted",
    status: 400,
    headers: JSON_CT,
    body: JSON.stringify({ errors: [{ code: 7, message: { html: "<b>" } }] }),
    expected: { kind: "registry-error", registry: R, status: 400 },
  },
  {
    name: "a message with newlines is flattened",
    status: 403,
    headers: JSON_CT,
    body: json("DENIED", "line one\r\nline two"),
    expected: { kind: "denied", registry: R, repository: REPO, detail: "line one line two" },
  },
];

describe("errorFromResponse", () => {
  it.each(cases)("$name", async ({ status, headers, body, hadCredentials, what, expected }) => {
    const res = new Response(body ?? null, { status, headers: headers ?? {} });
    expect(await errorFromResponse(R, REPO, what ?? "manifest", "v1", res, hadCredentials ?? false)).toEqual(expected);
  });

  it.each([[1], [1, 5, 2], [4096]])("reads a chunked error body (chunks %j)", async (...sizes) => {
    const bytes = new TextEncoder().encode(json("MANIFEST_UNKNOWN", "manifest unknown"));
    const res = chunkedResponse(bytes, sizes, { status: 404 });
    expect(await errorFromResponse(R, REPO, "blob", "v1", res, false)).toMatchObject({ what: "manifest" });
  });

  it("truncates long messages", async () => {
    const res = new Response(json("DENIED", "x".repeat(5000)), { status: 403, headers: JSON_CT });
    const e = await errorFromResponse(R, REPO, "manifest", "v1", res, false);
    expect(e.kind === "denied" && e.detail?.length).toBe(MESSAGE_LIMIT);
    expect(e.kind === "denied" && e.detail?.endsWith("…")).toBe(true);
  });

  it("reads at most 64 KiB of an endless error body", async () => {
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(c) {
        pulled += 1024;
        c.enqueue(new Uint8Array(1024).fill(0x61));
      },
    });
    const e = await errorFromResponse(R, REPO, "manifest", "v1", new Response(endless, { status: 400 }), false);
    expect(e).toEqual({ kind: "not-a-registry", registry: R, status: 400, contentType: "" });
    expect(pulled).toBeLessThan(80 * 1024);
  });

  it("treats a body that fails mid-way as empty", async () => {
    const broken = new ReadableStream<Uint8Array>({
      pull(c) {
        c.error(new TypeError("network reset"));
      },
    });
    expect(await errorFromResponse(R, REPO, "manifest", "v1", new Response(broken, { status: 404 }), false)).toMatchObject({
      kind: "not-found",
    });
  });
});

describe("parseRetryAfter", () => {
  const now = Date.parse("2025-01-01T00:00:00Z");
  it.each([
    ["0", 0],
    ["120", 120],
    [" 5 ", 5],
    ["Wed, 01 Jan 2025 00:01:00 GMT", 60],
    ["Wed, 01 Jan 2025 00:00:00 GMT", 0],
    ["Tue, 31 Dec 2024 00:00:00 GMT", 0],
    ["-5", undefined],
    ["1.5", undefined],
    ["soon", undefined],
    ["", undefined],
    [null, undefined],
  ])("%j → %j", (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });
});

describe("parseQuota", () => {
  it.each([
    ["100;w=21600", 100],
    ["76", 76],
    [" 0 ;w=21600", 0],
    ["many", undefined],
    ["", undefined],
    [null, undefined],
  ])("%j → %j", (value, expected) => {
    expect(parseQuota(value)).toBe(expected);
  });
});

describe("readBodyCapped", () => {
  const bytes = Uint8Array.from({ length: 100 }, (_, i) => i);
  it.each([[[1]], [[3, 7]], [[100]], [[99, 1]], [[1000]]])("chunks %j: exactly at the limit is fine", async (sizes) => {
    const r = await readBodyCapped(chunkedResponse(bytes, sizes, {}), 100);
    expect(r).toEqual({ ok: true, value: bytes });
  });
  it.each([[[1]], [[3, 7]], [[100]], [[101]]])("chunks %j: one byte over is refused", async (sizes) => {
    const r = await readBodyCapped(chunkedResponse(bytes, sizes, {}), 99);
    expect(r).toEqual({ ok: false, error: { limit: 99 } });
  });
  it("truncates when asked", async () => {
    const r = await readBodyCapped(chunkedResponse(bytes, [7], {}), 10, { truncate: true });
    expect(r).toEqual({ ok: true, value: bytes.subarray(0, 10) });
  });
  it("an empty body is empty", async () => {
    expect(await readBodyCapped(new Response(null), 10)).toEqual({ ok: true, value: new Uint8Array() });
  });
});
