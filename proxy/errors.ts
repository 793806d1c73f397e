// The proxy's own answers (contract: "Proxy wire protocol"): a registry-style JSON error body
// `{"errors":[{"code","message"}]}` plus `X-Layerscope-Proxy-Error: <CODE>`, so the app can tell
// a proxy refusal from the registry's own errors.

export type ProxyErrorCode =
  | "BAD_REQUEST"
  | "METHOD_NOT_ALLOWED"
  | "DESTINATION_NOT_ALLOWED"
  | "TOKEN_REQUEST_REFUSED"
  | "BAD_TOKEN_RESPONSE"
  | "TOO_MANY_REDIRECTS"
  | "UPSTREAM_UNREACHABLE"
  | "UPSTREAM_TIMEOUT"
  | "RESPONSE_TOO_LARGE"
  | "TOO_MANY_STREAMS";

export const PROXY_ERROR_HEADER = "X-Layerscope-Proxy-Error";

const STATUS: Readonly<Record<ProxyErrorCode, number>> = {
  BAD_REQUEST: 400,
  METHOD_NOT_ALLOWED: 405,
  DESTINATION_NOT_ALLOWED: 403,
  TOKEN_REQUEST_REFUSED: 403,
  BAD_TOKEN_RESPONSE: 502,
  TOO_MANY_REDIRECTS: 502,
  UPSTREAM_UNREACHABLE: 502,
  UPSTREAM_TIMEOUT: 504,
  RESPONSE_TOO_LARGE: 502,
  TOO_MANY_STREAMS: 429,
};

/** A refusal or failure the proxy reports itself. `message` must never hold secrets or URLs with queries. */
export class ProxyError extends Error {
  override readonly name = "ProxyError";
  readonly status: number;
  constructor(
    readonly code: ProxyErrorCode,
    message: string,
  ) {
    super(message);
    this.status = STATUS[code];
  }
}

/** The JSON body for a proxy error, as UTF-8 bytes. */
export function proxyErrorBody(error: ProxyError): Buffer {
  return Buffer.from(JSON.stringify({ errors: [{ code: error.code, message: error.message }] }), "utf8");
}

/** Raised when the upstream socket sees no bytes for the idle timeout (connect included). */
export class UpstreamTimeout extends Error {
  override readonly name = "UpstreamTimeout";
  readonly code = "LAYERSCOPE_UPSTREAM_TIMEOUT";
}
