import type { Credentials } from "../core/registry";

/**
 * Registry credentials typed by the user, kept in this tab's memory only (SECURITY: never
 * localStorage, sessionStorage, cookies or the URL). Closing or reloading the tab forgets them.
 * Keyed by registry host as written in the reference ("ghcr.io", "localhost:5000").
 */
const store = new Map<string, Credentials>();
const listeners = new Set<() => void>();
let version = 0;

function changed(): void {
  version++;
  for (const l of listeners) l();
}

export const credentialsStore = {
  get(registry: string): Credentials | undefined {
    return store.get(registry);
  },
  set(registry: string, credentials: Credentials): void {
    store.set(registry, { username: credentials.username, password: credentials.password });
    changed();
  },
  forget(registry: string): void {
    if (store.delete(registry)) changed();
  },
  subscribe(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  /** Bumps on every change; a cheap snapshot for useSyncExternalStore. */
  version(): number {
    return version;
  },
};
