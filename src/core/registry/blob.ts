/**
 * A layer blob from the registry as the pipeline's byte source: the answer's body handed over
 * as it arrives (never buffered whole), a failed answer as a LayerFailure carrying the registry
 * client's error data. The page's layer worker (src/workers/fetch-blob.ts) and the command line
 * (cli/registry.ts) read blobs through this one mapping.
 */
import { LayerFailure, readableChunks, type BlobOpener } from "../pipeline";
import { blobUrl, send, type RegistryClient } from "./client";
import { errorFromResponse, registryContentType } from "./errors";

/** Which blob an answer is for, for the error it may become. */
export interface BlobWhere {
  readonly registry: string;
  readonly repository: string;
  /** The blob's digest as the manifest names it (compressed bytes, for a layer). */
  readonly digest: string;
}

/**
 * The body of an answer to a blob GET, as an async iterable of its chunks in order. A non-2xx
 * answer rejects with a LayerFailure mapped by errorFromResponse (what "blob"); an HTML page
 * answering a blob URL (a SPA fallback, a captive portal) is not-a-registry (SECURITY.md R11),
 * whether its Content-Type says so or the proxy's X-Registry-Content-Type does.
 * `hadCredentials`: whether the request carried credentials (a 401 then means "refused").
 */
export async function blobBody(res: Response, at: BlobWhere, hadCredentials: boolean): Promise<AsyncIterable<Uint8Array>> {
  if (!res.ok) throw new LayerFailure(await errorFromResponse(at.registry, at.repository, "blob", at.digest, res, hadCredentials));
  // Through the proxy a web page arrives as octet-stream, its real type beside it (P9).
  const type = registryContentType(res);
  if (/^(text\/html|application\/xhtml\+xml)\b/i.test(type)) {
    await res.body?.cancel().catch(() => undefined);
    throw new LayerFailure({ kind: "not-a-registry", registry: at.registry, status: res.status, contentType: type });
  }
  if (res.body === null) return (async function* () {})();
  return readableChunks(res.body);
}

/**
 * A {@link BlobOpener} over the registry client: each call GETs the blob from byte 0 through
 * `client.fetch`, with the client's credentials for `registry`. Network failures and aborts
 * become LayerFailures with the client's mapping (fromThrown).
 */
export function registryBlobOpener(client: RegistryClient, at: BlobWhere): BlobOpener {
  return async (signal) => {
    const sent = await send(client, at.registry, blobUrl(client, at.registry, at.repository, at.digest), signal, {});
    if (!sent.ok) throw new LayerFailure(sent.error);
    return blobBody(sent.value.res, at, sent.value.hadCredentials);
  };
}
