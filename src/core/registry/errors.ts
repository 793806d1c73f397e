/**
 * Turning a failed answer from our proxy or from a registry into a {@link LayerscopeError}.
 *
 * Two sources share one channel: the Layerscope proxy marks its own refusals with the
 * `X-Layerscope-Proxy-Error` header (contract: proxy wire protocol), and everything else is the
 * upstream registry's answer passed through with its status. Registry error bodies follow
 * distribution-spec "Error Codes": `{"errors":[{"code","message","detail"}]}`.
 */
import type { LayerscopeError } from "../errors";
import { readBodyCapped } from "./body";

/** Header our proxy sets on answers it generated itself (never on passed-through upstream answers). */
export const PROXY_ERROR_HEADER = "X-Layerscope-Proxy-Error";

/**
 * The registry's own Content-Type, which our proxy sends beside the body when it served a web
 * type (HTML, SVG, XML, script) as application/octet-stream instead (SECURITY.md P9).
 */
export const REGISTRY_CONTENT_TYPE_HEADER = "X-Registry-Content-Type";

/**
 * The answer's Content-Type as the registry sent it: the proxy's {@link REGISTRY_CONTENT_TYPE_HEADER}
 * when it replaced it, else Content-Type ("" when absent).
 */
export function registryContentType(res: Response): string {
  return res.headers.get(REGISTRY_CONTENT_TYPE_HEADER) ?? res.headers.get("Content-Type") ?? "";
}

/**
 * Error bodies are read only this far. The proxy caps them at 64 KiB too (SECURITY.md P11); a
 * registry message longer than that is not something a person will read anyway.
 */
export const ERROR_BODY_LIMIT = 64 * 1024;

/** Registry messages are shown to people; beyond this they are cut with an ellipsis. */
export const MESSAGE_LIMIT = 300;

/** What a 404 without a telling error code is about; the registry's code wins when it has one. */
export type NotFoundWhat = "repository" | "manifest" | "blob";

/** One entry of a distribution-spec error body, as far as we use it. */
interface RegistryErrorEntry {
  readonly code?: string;
  readonly message?: string;
}

/** What we could learn from an error body: its first error entry, and whether it was JSON/HTML at all. */
interface ErrorBody {
  readonly text: string;
  readonly empty: boolean;
  readonly json: boolean;
  readonly html: boolean;
  readonly first?: RegistryErrorEntry;
}

/**
 * Maps a non-2xx answer (from the proxy or the registry behind it) to a LayerscopeError.
 *
 * `what` and `ref` fill a not-found error when the registry's code does not say more
 * (NAME_UNKNOWN → repository, MANIFEST_UNKNOWN → manifest, BLOB_UNKNOWN → blob).
 * `hadCredentials` tells a refused login from a missing one. Reads at most
 * {@link ERROR_BODY_LIMIT} bytes of the body and always releases it. Never throws for a body
 * it cannot read: a broken body is treated as empty.
 */
export async function errorFromResponse(
  registry: string,
  repository: string,
  what: NotFoundWhat,
  ref: string,
  res: Response,
  hadCredentials: boolean,
): Promise<LayerscopeError> {
  const contentType = res.headers.get("Content-Type") ?? "";
  const body = await readErrorBody(res, contentType);
  const first = body.first;
  const message = first?.message !== undefined ? truncate(first.message) : undefined;

  const proxyCode = res.headers.get(PROXY_ERROR_HEADER);
  if (proxyCode !== null) return proxyError(registry, proxyCode.trim().toUpperCase(), message, res);

  const status = res.status;
  const code = first?.code?.toUpperCase();

  // Status first for the answers whose meaning does not depend on the body: gateways and CDNs in
  // front of registries answer these with HTML pages, and the status still tells the truth.
  if (status === 401 || code === "UNAUTHORIZED") {
    const detail = message ?? challengeDetail(res);
    return { kind: "unauthorized", registry, repository, hadCredentials, ...(detail ? { detail } : {}) };
  }
  if (status === 429 || code === "TOOMANYREQUESTS") return rateLimited(registry, res);
  if (status === 502 || status === 503 || status === 504) {
    return { kind: "unreachable", registry, detail: `the registry answered HTTP ${status}${message ? ` (${message})` : ""}` };
  }
  if (status >= 500) return withCodeAndMessage({ kind: "registry-error", registry, status }, code, message);

  // From here on the body decides whether this was a registry at all (SECURITY.md R11).
  if (body.html || isHtmlContentType(contentType)) return { kind: "not-a-registry", registry, status, contentType };

  if (status === 404 || code === "NAME_UNKNOWN" || code === "MANIFEST_UNKNOWN" || code === "BLOB_UNKNOWN") {
    return { kind: "not-found", registry, repository, what: notFoundWhat(code, what), ref };
  }
  if (status === 403 || code === "DENIED") return { kind: "denied", registry, repository, ...(message ? { detail: message } : {}) };

  // A registry explains itself in JSON; a non-empty body that is not JSON came from something else.
  if (!body.empty && !body.json) return { kind: "not-a-registry", registry, status, contentType };
  return withCodeAndMessage({ kind: "registry-error", registry, status }, code, message);
}

/** The proxy's own refusals (contract: "Proxy's own errors"). Unknown codes stay visible as registry-error. */
function proxyError(registry: string, code: string, message: string | undefined, res: Response): LayerscopeError {
  switch (code) {
    case "DESTINATION_NOT_ALLOWED":
      return { kind: "destination-not-allowed", registry, detail: message ?? "destination not allowed" };
    case "TOKEN_REQUEST_REFUSED":
      // The registry's Bearer realm pointed somewhere the proxy will not send credentials (SECURITY.md P6).
      return { kind: "destination-not-allowed", registry, detail: message ?? "the registry's token service is not an allowed destination" };
    case "UPSTREAM_UNREACHABLE":
      return { kind: "unreachable", registry, detail: message ?? "the proxy could not connect" };
    case "UPSTREAM_TIMEOUT":
      return { kind: "unreachable", registry, detail: message ?? "the registry did not answer in time" };
    case "TOO_MANY_REDIRECTS":
      return { kind: "unreachable", registry, detail: message ?? "too many redirects" };
    case "BAD_TOKEN_RESPONSE":
      // The registry's token service answered, but not with a token: the registry is as good as unreachable.
      return { kind: "unreachable", registry, detail: message ?? "the registry's token service sent no usable token" };
    case "RESPONSE_TOO_LARGE": {
      const limit = message !== undefined ? /(\d+)\s*bytes/i.exec(message)?.[1] : undefined;
      return limit !== undefined ? { kind: "response-too-large", registry, limit: Number(limit) } : { kind: "response-too-large", registry };
    }
    case "TOO_MANY_STREAMS":
      // Our own per-client stream cap: the same remedy as a registry's 429 — wait, then retry.
      return rateLimited(registry, res);
    default:
      return withCodeAndMessage({ kind: "registry-error", registry, status: res.status }, code, message);
  }
}

/**
 * Automatic attempts after a 429 before the page stops and waits for the user (SECURITY.md R4):
 * the image views count them per query, the layer jobs per layer. This module never retries.
 */
export const RATE_LIMIT_RETRIES = 3;

/** Seconds to wait after a 429 that carries no (readable) Retry-After. */
export const DEFAULT_RETRY_AFTER_SECONDS = 30;

/**
 * 429 → rate-limited. `Retry-After` is delta-seconds or an HTTP-date (RFC 9110 §10.2.3); a date
 * becomes seconds from now, never negative. Docker Hub's `RateLimit-Limit: 100;w=21600` and
 * `RateLimit-Remaining: 76;w=21600` give the quota (the number before the first `;`).
 */
function rateLimited(registry: string, res: Response): LayerscopeError {
  const retryAfterSeconds = parseRetryAfter(res.headers.get("Retry-After"), Date.now());
  const limit = parseQuota(res.headers.get("RateLimit-Limit"));
  const remaining = parseQuota(res.headers.get("RateLimit-Remaining"));
  return {
    kind: "rate-limited",
    registry,
    ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
    ...(limit !== undefined ? { limit } : {}),
    ...(remaining !== undefined ? { remaining } : {}),
  };
}

/**
 * Parses a Retry-After value into whole seconds from `nowMs` (clamped at 0).
 * Returns undefined for a missing or unreadable value.
 */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v);
  // Only accept something that looks like an HTTP-date: Date.parse is lenient with odd input.
  if (!/[A-Za-z]{3}/.test(v)) return undefined;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - nowMs) / 1000));
}

/** "100;w=21600" → 100; "76" → 76; anything else → undefined. */
export function parseQuota(value: string | null): number | undefined {
  if (value === null) return undefined;
  const head = value.split(";")[0]?.trim() ?? "";
  return /^\d+$/.test(head) ? Number(head) : undefined;
}

function notFoundWhat(code: string | undefined, fallback: NotFoundWhat): NotFoundWhat {
  switch (code) {
    case "NAME_UNKNOWN":
      return "repository";
    case "MANIFEST_UNKNOWN":
      return "manifest";
    case "BLOB_UNKNOWN":
      return "blob";
    default:
      return fallback;
  }
}

/**
 * The `error_description` (or `error`) of the registry's challenge, which the proxy passes on
 * renamed as X-Registry-Www-Authenticate so the browser never opens a login dialog.
 */
function challengeDetail(res: Response): string | undefined {
  const challenge = res.headers.get("X-Registry-Www-Authenticate");
  if (challenge === null) return undefined;
  const m = /error_description="([^"]*)"/.exec(challenge) ?? /error="([^"]*)"/.exec(challenge);
  return m?.[1] !== undefined ? truncate(m[1]) : undefined;
}

async function readErrorBody(res: Response, contentType: string): Promise<ErrorBody> {
  let bytes: Uint8Array;
  try {
    // Cut, not refused: the start of an oversized error body still says what went wrong.
    const read = await readBodyCapped(res, ERROR_BODY_LIMIT, { truncate: true });
    bytes = read.ok ? read.value : new Uint8Array();
  } catch {
    bytes = new Uint8Array();
  }
  const text = new TextDecoder("utf-8", { fatal: false }).decode(bytes);
  const trimmed = text.trim();
  if (trimmed === "") return { text, empty: true, json: false, html: false };
  if (looksLikeHtml(trimmed) || (isHtmlContentType(contentType) && trimmed.startsWith("<"))) {
    return { text, empty: false, json: false, html: true };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    return { text, empty: false, json: false, html: false };
  }
  const first = firstErrorEntry(parsed);
  return first !== undefined ? { text, empty: false, json: true, html: false, first } : { text, empty: false, json: true, html: false };
}

/** Reads `errors[0]` defensively: every field of a stranger's JSON may be the wrong type. */
function firstErrorEntry(parsed: unknown): RegistryErrorEntry | undefined {
  if (typeof parsed !== "object" || parsed === null) return undefined;
  const errors = (parsed as { errors?: unknown }).errors;
  if (!Array.isArray(errors) || errors.length === 0) return undefined;
  const e: unknown = errors[0];
  if (typeof e !== "object" || e === null) return undefined;
  const code = (e as { code?: unknown }).code;
  const message = (e as { message?: unknown }).message;
  return {
    ...(typeof code === "string" ? { code } : {}),
    ...(typeof message === "string" ? { message } : {}),
  };
}

/**
 * True for bodies that start like an HTML document. Deliberately narrower than "starts with <":
 * an XML error from a storage backend is not an HTML page, and is handled by status.
 */
export function looksLikeHtml(text: string): boolean {
  return /^\s*(?:\uFEFF)?<(?:!doctype\s+html|html|head|body|title|meta|!--|h1|p|div|center|pre|script)[\s>/]/i.test(text);
}

/**
 * Content types that mean "web page", including the proxy's sanitised form: it rewrites text/html
 * (and svg/xml) to application/octet-stream, so octet-stream on an *error* answer to the JSON
 * API is suspicious too, but only counts together with an HTML-looking body (see readErrorBody).
 */
function isHtmlContentType(contentType: string): boolean {
  const base = contentType.split(";")[0]?.trim().toLowerCase() ?? "";
  return base === "text/html" || base === "application/xhtml+xml";
}

function truncate(s: string): string {
  // Control characters would break the one-line message; the UI escapes the rest (SECURITY.md U2/U3).
  const flat = s.replace(/[\r\n\t]+/g, " ").trim();
  return flat.length > MESSAGE_LIMIT ? `${flat.slice(0, MESSAGE_LIMIT - 1)}…` : flat;
}

function withCodeAndMessage(
  e: Extract<LayerscopeError, { kind: "registry-error" }>,
  code: string | undefined,
  message: string | undefined,
): LayerscopeError {
  return { ...e, ...(code !== undefined ? { code } : {}), ...(message !== undefined && message !== "" ? { message } : {}) };
}
