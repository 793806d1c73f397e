/**
 * The IndexedDB backend of the persistent cache: one database per origin, two object stores
 * ("meta" and "data", both keyed by the record's key), written together in one transaction.
 *
 * Why IndexedDB and not OPFS: the cache needs a small index read all at once (the LRU and the
 * usage figure) next to large values, written atomically together so that two tabs never see
 * one without the other; IndexedDB gives transactions across both stores, and structured clone
 * stores the packed typed arrays as they are. OPFS would shine for streaming large binary files
 * (whole layer blobs), which this cache deliberately does not keep, and offers no transactions.
 *
 * The database version is the schema version: opening an older one deletes its stores and
 * starts empty (the records are only a cache; they are fetched again). A newer version (another
 * tab running a newer app) makes `open` fail with VersionError: the app then uses memory.
 */
import { CACHE_SCHEMA_VERSION } from "./store";
import type { CacheBackend } from "./storage";

export const DB_NAME = "layerscope-cache";
const META = "meta";
const DATA = "data";

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error ?? new Error("IndexedDB request failed"));
  });
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error("IndexedDB transaction failed"));
    tx.onabort = () => reject(tx.error ?? new DOMException("IndexedDB transaction aborted", "AbortError"));
  });
}

/** Opens (or creates) the database; rejects when IndexedDB is missing or refuses (some private modes). */
export async function openIndexedDbBackend(factory: IDBFactory | undefined = globalThis.indexedDB): Promise<CacheBackend> {
  if (factory === undefined) throw new Error("IndexedDB is not available in this browser");
  const open = factory.open(DB_NAME, CACHE_SCHEMA_VERSION);
  open.onupgradeneeded = () => {
    const db = open.result;
    // Any older layout: start over (it is a cache).
    for (const name of [...db.objectStoreNames]) db.deleteObjectStore(name);
    db.createObjectStore(META);
    db.createObjectStore(DATA);
  };
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error ?? new Error("IndexedDB could not be opened"));
    open.onblocked = () => reject(new Error("IndexedDB upgrade blocked by another tab"));
  });
  // A newer app version in another tab wants to upgrade: step aside (this tab keeps working without storage).
  db.onversionchange = () => db.close();

  const tx = (stores: string[], mode: IDBTransactionMode): IDBTransaction => db.transaction(stores, mode, { durability: "relaxed" });

  return {
    name: "indexeddb",
    async listMeta() {
      const t = tx([META], "readonly");
      return request(t.objectStore(META).getAll());
    },
    async getMeta(key) {
      return request(tx([META], "readonly").objectStore(META).get(key));
    },
    async getData(key) {
      return request(tx([DATA], "readonly").objectStore(DATA).get(key));
    },
    async put(key, meta, data) {
      const t = tx([META, DATA], "readwrite");
      t.objectStore(DATA).put(data, key);
      t.objectStore(META).put(meta, key);
      await done(t);
    },
    async putMeta(key, meta) {
      const t = tx([META], "readwrite");
      const store = t.objectStore(META);
      // Only if it is still there: a touch must never bring back a record evicted meanwhile.
      const existing = store.getKey(key);
      existing.onsuccess = () => {
        if (existing.result !== undefined) store.put(meta, key);
      };
      await done(t);
    },
    async remove(keys) {
      if (keys.length === 0) return;
      const t = tx([META, DATA], "readwrite");
      for (const k of keys) {
        t.objectStore(META).delete(k);
        t.objectStore(DATA).delete(k);
      }
      await done(t);
    },
    async clear() {
      const t = tx([META, DATA], "readwrite");
      t.objectStore(META).clear();
      t.objectStore(DATA).clear();
      await done(t);
    },
  };
}
