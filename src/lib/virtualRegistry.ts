/**
 * Answers shared by the registries the page serves itself (the offline sample, local archives):
 * distribution-spec JSON errors, HEAD, and a manifest's media type from its own bytes.
 */

/** A distribution-spec error body (`{"errors":[{code, message}]}`) with its status. */
export function registryError(status: number, code: string, message: string): Response {
  return new Response(JSON.stringify({ errors: [{ code, message }] }), { status, headers: { "Content-Type": "application/json" } });
}

/** HEAD gets the same status and headers with no body. */
export function answer(method: string, res: Response): Response {
  return method === "HEAD" ? new Response(null, { status: res.status, headers: res.headers }) : res;
}

/** The `mediaType` field of a manifest document; octet-stream when it has none (the parser then says why). */
export function mediaTypeOf(bytes: Uint8Array): string {
  try {
    const doc = JSON.parse(new TextDecoder().decode(bytes)) as { mediaType?: unknown };
    return typeof doc.mediaType === "string" ? doc.mediaType : "application/octet-stream";
  } catch {
    return "application/octet-stream";
  }
}

/** The URL, method and signal of a fetch call, whatever form its arguments took. */
export function requestParts(input: RequestInfo | URL, init: RequestInit | undefined): { url: string; method: string; signal: AbortSignal | undefined } {
  const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
  const method = (init?.method ?? (input instanceof Request ? input.method : "GET")).toUpperCase();
  return { url, method, signal: init?.signal ?? undefined };
}
