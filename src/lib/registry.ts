import { createRegistryClient, type RegistryClient } from "../core/registry";
import { appCache } from "./cache";
import { cachedDocumentsFetch } from "./cache/fetch";
import { credentialsStore } from "./credentials";
import { recordingFetch, requestLog } from "./requestLog";
import { archiveFetch, isArchiveRegistry } from "./archive";
import { isSampleRegistry, sampleFetch } from "./sample";

/** Vite's base URL ("/" or "/sub/") joined with "registry", never with a double slash. */
export const proxyBase = `${import.meta.env.BASE_URL.replace(/\/+$/, "")}/registry`;

const clients = new Map<string, RegistryClient>();

/**
 * The registry client for one registry host. The sample registry is served from static files
 * in public/ (so the sample opens with no network), local archives from the file the user picked
 * (src/lib/archive.ts); every other registry goes through the proxy.
 * Credentials are read from the in-memory store at request time, so logging in needs no new client.
 * Every request is recorded in {@link requestLog} (path, status, bytes, time; never headers we send)
 * for the teaching view's "pull, replayed". Manifests and configs named by a digest that the
 * persistent cache holds are answered from it before that (no request, so no row).
 */
export function registryClientFor(registry: string): RegistryClient {
  let client = clients.get(registry);
  if (!client) {
    client = createRegistryClient({
      proxyBase,
      fetch: cachedDocumentsFetch(
        appCache,
        recordingFetch(
          requestLog,
          isSampleRegistry(registry)
            ? sampleFetch(import.meta.env.BASE_URL)
            : isArchiveRegistry(registry)
              ? archiveFetch
              : (input, init) => globalThis.fetch(input, init),
          { proxyBase },
        ),
        { proxyBase },
      ),
      credentials: (r: string) => credentialsStore.get(r),
    });
    clients.set(registry, client);
  }
  return client;
}
