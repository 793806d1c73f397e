/**
 * Where the persistent cache keeps its records: a small interface with two implementations,
 * IndexedDB in the browser (idb.ts) and memory (here: unit tests, and the fallback when
 * IndexedDB is unavailable, e.g. some private modes).
 *
 * Each record is two parts under one key: a small `meta` (what the LRU and the usage figure
 * read, all of them at once) and its `data` (read only on a hit). Both are written together
 * (one transaction in IndexedDB), so a reader never sees one without the other. Values are
 * `unknown` on the way out: whatever a backend returns is checked by the store before use
 * (another version of the app, or a damaged disk, may have written it).
 */

/** The little the store needs from a backend. Every method may reject (quota, a closed database). */
export interface CacheBackend {
  readonly name: "indexeddb" | "memory";
  /** Every meta record, in no particular order. */
  listMeta(): Promise<unknown[]>;
  getMeta(key: string): Promise<unknown>;
  getData(key: string): Promise<unknown>;
  /** Writes both parts, atomically. */
  put(key: string, meta: unknown, data: unknown): Promise<void>;
  /** Replaces the meta part only (the LRU's "last used" time). */
  putMeta(key: string, meta: unknown): Promise<void>;
  remove(keys: readonly string[]): Promise<void>;
  clear(): Promise<void>;
}

/** A backend in memory. `quotaBytes` makes `put` fail like a full disk when the sum of `meta.bytes` would pass it (tests). */
export function memoryBackend(opts: { readonly quotaBytes?: number } = {}): CacheBackend & { readonly records: Map<string, { meta: unknown; data: unknown }> } {
  const records = new Map<string, { meta: unknown; data: unknown }>();
  const used = (): number => {
    let total = 0;
    for (const r of records.values()) total += (r.meta as { bytes?: number } | undefined)?.bytes ?? 0;
    return total;
  };
  return {
    name: "memory",
    records,
    listMeta: () => Promise.resolve([...records.values()].map((r) => r.meta)),
    getMeta: (key) => Promise.resolve(records.get(key)?.meta),
    getData: (key) => Promise.resolve(records.get(key)?.data),
    put(key, meta, data) {
      const adding = (meta as { bytes?: number } | undefined)?.bytes ?? 0;
      const existing = (records.get(key)?.meta as { bytes?: number } | undefined)?.bytes ?? 0;
      if (opts.quotaBytes !== undefined && used() - existing + adding > opts.quotaBytes) {
        return Promise.reject(new DOMException("the quota has been exceeded", "QuotaExceededError"));
      }
      records.set(key, { meta, data });
      return Promise.resolve();
    },
    putMeta(key, meta) {
      const r = records.get(key);
      if (r) r.meta = meta;
      return Promise.resolve();
    },
    remove(keys) {
      for (const k of keys) records.delete(k);
      return Promise.resolve();
    },
    clear() {
      records.clear();
      return Promise.resolve();
    },
  };
}
