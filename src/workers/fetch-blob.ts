/**
 * The worker's side of the network: fetch one blob through the proxy, as a byte source for the
 * pipeline. Aborting the signal (or terminating the worker) cancels the fetch, and the proxy
 * then aborts its upstream request (SECURITY P13).
 */
import { LayerFailure, type BlobOpener } from "../core/pipeline";
import { blobBody } from "../core/registry";
import type { LayerscopeError } from "../core/errors";
import type { BlobRequest } from "./protocol";

function thrownToError(req: BlobRequest, e: unknown, signal: AbortSignal | undefined): LayerscopeError {
  const name = typeof e === "object" && e !== null ? (e as { name?: unknown }).name : undefined;
  if (signal?.aborted || name === "AbortError") return { kind: "aborted" };
  const message = e instanceof Error ? e.message : String(e);
  return { kind: "unreachable", registry: req.registry, detail: `network error (${message || "no details"})` };
}

/**
 * A {@link BlobOpener} for `req`: each call GETs the blob from byte 0 (no HTTP cache, so a retry
 * really reads the registry again). Errors before the body become LayerFailures with the
 * registry client's error mapping; the answer becomes a byte source by core's blobBody, as it
 * arrives, unbuffered.
 * `onStatus` hears each response's HTTP status (for the page's log of the pull).
 */
export function blobOpener(req: BlobRequest, digest: string, onStatus?: (status: number) => void): BlobOpener {
  return async (signal) => {
    let res: Response;
    try {
      res = await fetch(req.url, { method: "GET", headers: { ...req.headers }, cache: "no-store", ...(signal !== undefined ? { signal } : {}) });
    } catch (e) {
      throw new LayerFailure(thrownToError(req, e, signal));
    }
    onStatus?.(res.status);
    const hadCredentials = Object.keys(req.headers).some((h) => h.toLowerCase() === "authorization");
    return blobBody(res, { registry: req.registry, repository: req.repository, digest }, hadCredentials);
  };
}
