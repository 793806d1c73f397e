import { createRegistryClient, type RegistryClient } from "../core/registry";
import { credentialsStore } from "./credentials";
import { isSampleRegistry, sampleFetch } from "./sample";

/** Vite's base URL ("/" or "/sub/") joined with "registry", never with a double slash. */
export const proxyBase = `${import.meta.env.BASE_URL.replace(/\/+$/, "")}/registry`;

const clients = new Map<string, RegistryClient>();

/**
 * The registry client for one registry host. The sample registry is served from static files
 * in public/ (so the sample opens with no network); every other registry goes through the proxy.
 * Credentials are read from the in-memory store at request time, so logging in needs no new client.
 */
export function registryClientFor(registry: string): RegistryClient {
  let client = clients.get(registry);
  if (!client) {
    client = createRegistryClient({
      proxyBase,
      fetch: isSampleRegistry(registry) ? sampleFetch(import.meta.env.BASE_URL) : (input, init) => globalThis.fetch(input, init),
      credentials: (r: string) => credentialsStore.get(r),
    });
    clients.set(registry, client);
  }
  return client;
}
