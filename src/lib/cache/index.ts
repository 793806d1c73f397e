/**
 * The app's one persistent cache (per origin): IndexedDB when the browser lets us, memory for
 * this tab otherwise (IndexedDB missing or refused, as in some private modes, or a newer
 * schema open in another tab). Tabs take turns writing through a Web Lock and tell each other
 * to recount through a BroadcastChannel.
 *
 * The cap is read from localStorage `layerscope.cache.capBytes` (bytes, an integer; 0 stores
 * nothing) and written there by the header's cache control, so tests can set a tiny one.
 */
import { openIndexedDbBackend } from "./idb";
import { memoryBackend, type CacheBackend } from "./storage";
import { createVerifiedCache, DEFAULT_CAP_BYTES, type VerifiedCache } from "./store";
import { yieldToPage } from "../yield";

export { reuseStoredLayer } from "./reuse";
export { DEFAULT_CAP_BYTES, isStorableLayer, type CacheUsage, type StoredLayer, type VerifiedCache } from "./store";

/** The localStorage key holding the cap in bytes (documented in README.md). */
export const CAP_STORAGE_KEY = "layerscope.cache.capBytes";
const LOCK_NAME = "layerscope-cache";
const CHANNEL_NAME = "layerscope-cache";

/** The cap as stored, or the default; anything that is not a non-negative integer is ignored. */
export function readCap(storage: Pick<Storage, "getItem"> | undefined = safeLocalStorage()): number {
  const raw = storage?.getItem(CAP_STORAGE_KEY);
  if (raw === null || raw === undefined || !/^\d{1,16}$/.test(raw.trim())) return DEFAULT_CAP_BYTES;
  return Number(raw.trim());
}

function safeLocalStorage(): Storage | undefined {
  try {
    return globalThis.localStorage;
  } catch {
    return undefined; // a sandboxed frame or blocked storage throws on access
  }
}

/**
 * A backend that opens IndexedDB on first use and falls back to memory if that fails; the
 * reason is kept for the usage line ("kept in this tab only: …").
 */
function lazyBackend(): CacheBackend & { readonly fallbackReason: () => string | undefined } {
  let reason: string | undefined;
  let chosen: CacheBackend | undefined;
  const ready: Promise<CacheBackend> = openIndexedDbBackend().then(
    (b) => (chosen = b),
    (e: unknown) => {
      reason = e instanceof Error ? e.message : String(e);
      return (chosen = memoryBackend());
    },
  );
  const via =
    <A extends unknown[], R>(f: (b: CacheBackend, ...a: A) => Promise<R>) =>
    async (...a: A): Promise<R> =>
      f(await ready, ...a);
  return {
    get name() {
      return chosen?.name ?? "memory";
    },
    fallbackReason: () => reason,
    listMeta: via((b) => b.listMeta()),
    getMeta: via((b, key: string) => b.getMeta(key)),
    getData: via((b, key: string) => b.getData(key)),
    put: via((b, key: string, meta: unknown, data: unknown) => b.put(key, meta, data)),
    putMeta: via((b, key: string, meta: unknown) => b.putMeta(key, meta)),
    remove: via((b, keys: readonly string[]) => b.remove(keys)),
    clear: via((b) => b.clear()),
  };
}

function webLock(): (<T>(fn: () => Promise<T>) => Promise<T>) | undefined {
  const locks = (globalThis.navigator as Navigator | undefined)?.locks;
  if (locks === undefined) return undefined;
  return <T>(fn: () => Promise<T>): Promise<T> => locks.request(LOCK_NAME, fn) as Promise<T>;
}

let instance: { cache: VerifiedCache; fallbackReason: () => string | undefined } | undefined;

function create(): { cache: VerifiedCache; fallbackReason: () => string | undefined } {
  const backend = lazyBackend();
  const channel = typeof BroadcastChannel === "function" ? new BroadcastChannel(CHANNEL_NAME) : undefined;
  const lock = webLock();
  const cache = createVerifiedCache({
    backend,
    capBytes: readCap(),
    yieldFn: yieldToPage,
    ...(lock !== undefined ? { lock } : {}),
    onWrite: () => channel?.postMessage("changed"),
  });
  // Another tab stored, evicted or cleared: count again (decoded layers held here are re-checked on use).
  if (channel) channel.onmessage = () => void cache.refresh();
  void cache.refresh();
  return { cache, fallbackReason: backend.fallbackReason };
}

/** The app's cache, created on first use. */
export function appCache(): VerifiedCache {
  instance ??= create();
  return instance.cache;
}

/** Why the cache lives in memory only, when it does (for the usage line). */
export function appCacheFallbackReason(): string | undefined {
  return instance?.fallbackReason();
}

/** Sets the cap, remembers it for next time, and evicts down to it. */
export async function setAppCacheCap(capBytes: number): Promise<void> {
  try {
    safeLocalStorage()?.setItem(CAP_STORAGE_KEY, String(capBytes));
  } catch {
    // storage full or blocked: the cap still applies for this tab
  }
  await appCache().setCap(capBytes);
}
