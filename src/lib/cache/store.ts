/**
 * The persistent cache of verified results, keyed by digest (issue 5, point 6): layer indexes
 * (the entries of a layer whose blob digest and diff_id were both verified) and small blobs
 * (manifests and configs whose bytes were hashed against the digest that names them).
 *
 * Content named by a digest cannot change, so a stored result never goes stale (STYLE 10); what
 * can go wrong is the storage itself, so everything read back is checked: the schema version,
 * the record's shape, and for small blobs the bytes are hashed again (cheap) — anything that
 * fails is dropped and fetched again, never shown. Only verified results are accepted by `put*`;
 * the callers check too, so a mistake on one side is caught by the other.
 *
 * Size: each record's `bytes` is its packed size (typed arrays by length, strings at 2 bytes per
 * code unit — an upper bound). The total is kept under `capBytes` by evicting the least recently
 * used records (a hit counts as a use); a record larger than the cap is not stored.
 *
 * Two tabs: every read-modify-write (put + evict, clear, cap change) runs under `lock` (the app
 * passes a Web Lock, so tabs take turns); totals are recomputed from the stored meta records each
 * time rather than trusted from memory, so another tab's writes are counted.
 */
import { verifyBytes } from "../../core/digest";
import { isTrusted, type LayerEntry, type LayerIndex, type LayerTotals } from "../../core/pipeline/types";
import { checkPacked, packedBytes, packEntries, unpackEntries, type PackedEntries, type Yield } from "../../core/pipeline/pack";
import type { CacheBackend } from "./storage";

/** Bumped when a record's layout changes: older records are dropped and fetched again. */
export const CACHE_SCHEMA_VERSION = 1;
/** The default cap: 1 GB (decimal, as every size on the page). */
export const DEFAULT_CAP_BYTES = 1_000_000_000;
/** Decoded layers kept in memory too, so reopening in the same tab skips decoding (and keeps tree caches keyed by object). */
export const MEMORY_LAYERS = 8;
/** A record's fixed overhead in the estimate: its meta, keys, scalar fields. */
const RECORD_OVERHEAD = 512;

export type CacheKind = "layer" | "manifest" | "config";

/** What the LRU reads: small, all of them at once. */
export interface CacheMeta {
  readonly v: number;
  readonly key: string;
  readonly kind: CacheKind;
  readonly digest: string;
  readonly bytes: number;
  /** When it was verified and stored (ms since the epoch). */
  readonly storedAt: number;
  readonly lastUsed: number;
}

interface LayerData {
  readonly v: number;
  readonly digest: string;
  /** The tar's digest, as hashed by the pipeline (the verified diff_id). */
  readonly diffId: string;
  readonly mediaType: string;
  readonly compression: LayerIndex["compression"];
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  readonly totals: LayerTotals;
  readonly warnings: readonly string[];
  readonly entries: PackedEntries;
}

interface BlobData {
  readonly v: number;
  readonly digest: string;
  readonly contentType: string;
  readonly bytes: Uint8Array;
}

/** A verified layer, as read back. */
export interface StoredLayer extends Omit<LayerData, "v" | "entries"> {
  readonly entries: readonly LayerEntry[];
  readonly storedAt: number;
}

/** A verified small blob, as read back (and hashed again). */
export interface StoredBlob {
  readonly digest: string;
  readonly contentType: string;
  readonly bytes: Uint8Array;
  readonly storedAt: number;
}

export interface CacheUsage {
  readonly backend: CacheBackend["name"];
  /** False until the stored records have been counted once. */
  readonly known: boolean;
  readonly bytes: number;
  readonly layers: number;
  readonly blobs: number;
  readonly capBytes: number;
  /** The last thing that went wrong, in words (a full disk, a damaged record dropped…). */
  readonly problem?: string;
}

export type PutOutcome = "stored" | "not-verified" | "too-large" | "failed";

export interface VerifiedCache {
  getLayer(digest: string): Promise<StoredLayer | undefined>;
  /** Stores a layer only when it is trusted: both digests verified, read to its end, no error. */
  /** `packed`: the result's entries already packed (as the layer workers send them), so they are not packed again. */
  putLayer(result: LayerIndex, packed?: PackedEntries): Promise<PutOutcome>;
  /** A small blob by digest; its bytes are hashed again and a mismatch is dropped (undefined). */
  getBlob(kind: Exclude<CacheKind, "layer">, digest: string): Promise<StoredBlob | undefined>;
  /** Stores a small blob after hashing `bytes` against `digest` here too. */
  putBlob(kind: Exclude<CacheKind, "layer">, digest: string, bytes: Uint8Array, contentType: string): Promise<PutOutcome>;
  clear(): Promise<void>;
  setCap(capBytes: number): Promise<void>;
  /** Counts the stored records again (and drops the ones this version cannot read). */
  refresh(): Promise<void>;
  /** Forgets decoded layers held in memory (another tab cleared or evicted). */
  forgetMemory(): void;
  subscribe(onChange: () => void): () => void;
  /** The same object until something changes. */
  getUsage(): CacheUsage;
}

export interface VerifiedCacheOptions {
  readonly backend: CacheBackend;
  readonly capBytes?: number;
  readonly now?: () => number;
  /** Runs `fn` exclusively (across tabs in the app). Default: one at a time in this realm. */
  readonly lock?: <T>(fn: () => Promise<T>) => Promise<T>;
  /** Between slices of packing and unpacking. */
  readonly yieldFn?: Yield;
  /** After this cache changed storage (the app tells other tabs). */
  readonly onWrite?: () => void;
}

/** Records are keyed by kind and digest: "layer:sha256:…", "manifest:sha256:…", "config:sha256:…". */
const keyOf = (kind: CacheKind, digest: string): string => `${kind}:${digest}`;
const layerKey = (digest: string): string => keyOf("layer", digest);
const KINDS: ReadonlySet<string> = new Set<CacheKind>(["layer", "manifest", "config"]);

/** A meta record this version can use, or undefined (old schema, foreign, damaged). */
export function parseMeta(m: unknown): CacheMeta | undefined {
  if (typeof m !== "object" || m === null) return undefined;
  const r = m as Record<string, unknown>;
  if (r["v"] !== CACHE_SCHEMA_VERSION) return undefined;
  const num = (k: string): boolean => typeof r[k] === "number" && Number.isFinite(r[k]) && (r[k] as number) >= 0;
  if (typeof r["key"] !== "string" || typeof r["digest"] !== "string" || typeof r["kind"] !== "string" || !KINDS.has(r["kind"])) return undefined;
  if (!num("bytes") || !num("storedAt") || !num("lastUsed")) return undefined;
  if (r["key"] !== keyOf(r["kind"] as CacheKind, r["digest"])) return undefined;
  return m as CacheMeta;
}

function checkLayerData(d: unknown, digest: string): d is LayerData {
  if (typeof d !== "object" || d === null) return false;
  const r = d as Record<string, unknown>;
  return (
    r["v"] === CACHE_SCHEMA_VERSION &&
    r["digest"] === digest &&
    typeof r["diffId"] === "string" &&
    typeof r["mediaType"] === "string" &&
    (r["compression"] === "gzip" || r["compression"] === "zstd" || r["compression"] === "none") &&
    typeof r["compressedSize"] === "number" &&
    typeof r["uncompressedSize"] === "number" &&
    typeof r["totals"] === "object" &&
    r["totals"] !== null &&
    Array.isArray(r["warnings"]) &&
    r["warnings"].every((w) => typeof w === "string") &&
    checkPacked(r["entries"]) === undefined &&
    (r["entries"] as PackedEntries).n === (r["totals"] as LayerTotals).entries
  );
}

function checkBlobData(d: unknown, digest: string): d is BlobData {
  if (typeof d !== "object" || d === null) return false;
  const r = d as Record<string, unknown>;
  return r["v"] === CACHE_SCHEMA_VERSION && r["digest"] === digest && typeof r["contentType"] === "string" && r["bytes"] instanceof Uint8Array;
}

/** True when a layer result may be stored: {@link isTrusted}, read to its end, and both verdicts name what was hashed. */
export function isStorableLayer(r: LayerIndex): boolean {
  return isTrusted(r) && !r.partial && r.diffId !== undefined && r.digestVerdict.status === "verified" && r.diffIdVerdict.status === "verified" && r.diffIdVerdict.digest === r.diffId;
}

/**
 * Records how long a step took as a User Timing measure ("layerscope:cache-…"; detail: entries,
 * and `busyMs`, the time spent working rather than waiting between slices), so the figures can
 * be read in the browser's performance panel and by the e2e test.
 */
function measure(name: string, start: number, entries: number, waitedMs = 0): void {
  try {
    const end = globalThis.performance.now();
    globalThis.performance.measure(`layerscope:cache-${name}`, { start, end, detail: { entries, busyMs: end - start - waitedMs } });
  } catch {
    // no User Timing here: nothing to record
  }
}

/** `yieldFn`, counting the time spent waiting in it. */
function timedYield(yieldFn: Yield | undefined): { readonly fn: Yield | undefined; readonly waited: () => number } {
  let waited = 0;
  if (yieldFn === undefined) return { fn: undefined, waited: () => 0 };
  return {
    fn: async () => {
      const t = globalThis.performance.now();
      await yieldFn();
      waited += globalThis.performance.now() - t;
    },
    waited: () => waited,
  };
}

function isQuotaError(e: unknown): boolean {
  const name = (e as { name?: unknown } | null)?.name;
  return name === "QuotaExceededError" || name === "NS_ERROR_DOM_QUOTA_REACHED";
}

function inWords(e: unknown): string {
  if (isQuotaError(e)) return "the browser refused more storage (quota exceeded)";
  return e instanceof Error ? e.message || e.name : String(e);
}

/** One at a time in this realm: a promise chain. */
function localLock(): <T>(fn: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(fn: () => Promise<T>): Promise<T> => {
    const run = tail.then(fn, fn);
    tail = run.catch(() => undefined);
    return run;
  };
}

export function createVerifiedCache(opts: VerifiedCacheOptions): VerifiedCache {
  const backend = opts.backend;
  const now = opts.now ?? Date.now;
  const lock = opts.lock ?? localLock();
  const yieldFn = opts.yieldFn;
  let capBytes = Math.max(0, opts.capBytes ?? DEFAULT_CAP_BYTES);
  /** Decoded layers, most recently used last. */
  const memory = new Map<string, StoredLayer>();
  const listeners = new Set<() => void>();
  let usage: CacheUsage = { backend: backend.name, known: false, bytes: 0, layers: 0, blobs: 0, capBytes };
  /**
   * The keys stored as of the last full count (a refresh, or this realm's own writes), or
   * undefined before the first. A lookup (layer or document) for a key not in it answers "not cached" without
   * an IndexedDB read: that read queues behind any write in progress (the config's, as a fresh
   * image opens) and took 100-130 ms on the way to the first layer's download (bench/README.md).
   * A layer another tab stored since our last count is missed until the refresh its broadcast
   * triggers: it is then downloaded and verified once more, never trusted without a check.
   */
  let storedKeys: Set<string> | undefined;

  const setUsage = (next: Omit<CacheUsage, "backend" | "capBytes">): void => {
    usage = { backend: backend.name, capBytes, ...next };
    for (const l of [...listeners]) l();
  };
  const problem = (words: string): void => setUsage({ ...usage, problem: words });

  const remember = (digest: string, layer: StoredLayer): void => {
    memory.delete(digest);
    memory.set(digest, layer);
    while (memory.size > MEMORY_LAYERS) memory.delete(memory.keys().next().value!);
  };

  /** Every usable meta; unusable ones (old schema, damaged) are removed along the way. */
  async function readAll(): Promise<CacheMeta[]> {
    const raw = await backend.listMeta();
    const good: CacheMeta[] = [];
    const bad: string[] = [];
    for (const m of raw) {
      const meta = parseMeta(m);
      if (meta) good.push(meta);
      else {
        const key = (m as { key?: unknown } | null)?.key;
        if (typeof key === "string") bad.push(key);
      }
    }
    if (bad.length > 0) await backend.remove(bad);
    return good;
  }

  function count(metas: readonly CacheMeta[], extra: Partial<CacheUsage> = {}): void {
    storedKeys = new Set(metas.map((m) => m.key));
    let bytes = 0;
    let layers = 0;
    for (const m of metas) {
      bytes += m.bytes;
      if (m.kind === "layer") layers++;
    }
    const kept = usage.problem !== undefined ? { problem: usage.problem } : {};
    setUsage({ known: true, bytes, layers, blobs: metas.length - layers, ...kept, ...extra });
  }

  /** Removes least-recently-used records until `room` more bytes fit under the cap. Returns what is left. */
  async function evict(metas: CacheMeta[], room: number, exceptKey?: string): Promise<CacheMeta[]> {
    let total = metas.reduce((a, m) => a + (m.key === exceptKey ? 0 : m.bytes), 0);
    const order = metas.filter((m) => m.key !== exceptKey).sort((a, b) => a.lastUsed - b.lastUsed || a.storedAt - b.storedAt);
    const gone: string[] = [];
    for (const m of order) {
      if (total + room <= capBytes) break;
      gone.push(m.key);
      total -= m.bytes;
    }
    if (gone.length > 0) {
      await backend.remove(gone);
      for (const k of gone) if (k.startsWith("layer:")) memory.delete(k.slice("layer:".length));
    }
    const removed = new Set(gone);
    return metas.filter((m) => !removed.has(m.key));
  }

  async function put(key: string, kind: CacheKind, digest: string, bytes: number, data: unknown): Promise<PutOutcome> {
    if (bytes > capBytes) return "too-large";
    return lock(async () => {
      try {
        const before = await readAll();
        const same = before.find((m) => m.key === key);
        if (same) {
          // Already stored (content-addressed: the same bytes): a use, not a new write.
          touch(same);
          return "stored";
        }
        let metas = await evict(before, bytes, key);
        const t = now();
        const meta: CacheMeta = { v: CACHE_SCHEMA_VERSION, key, kind, digest, bytes, storedAt: t, lastUsed: t };
        try {
          await backend.put(key, meta, data);
        } catch (e) {
          if (!isQuotaError(e)) throw e;
          // The disk is fuller than our cap thinks (other sites, the browser's own limit):
          // make room by evicting half of what we hold, then try once more.
          const held = metas.reduce((a, m) => a + m.bytes, 0);
          const saved = capBytes;
          capBytes = Math.min(capBytes, Math.floor(held / 2) + bytes);
          try {
            metas = await evict(metas, bytes, key);
          } finally {
            capBytes = saved;
          }
          await backend.put(key, meta, data);
        }
        opts.onWrite?.();
        count([...metas.filter((m) => m.key !== key), meta]);
        return "stored";
      } catch (e) {
        problem(`Could not store ${digest.slice(0, 19)}…: ${inWords(e)}`);
        return "failed";
      }
    });
  }

  /** Marks a record used now (the LRU order), unless it is gone. Best effort: a failure only ages it. */
  function touch(meta: CacheMeta): void {
    void backend.putMeta(meta.key, { ...meta, lastUsed: now() }).catch(() => undefined);
  }

  async function drop(key: string, why: string): Promise<void> {
    await lock(() => backend.remove([key])).catch(() => undefined);
    problem(why);
    void refresh();
  }

  async function readRecord(key: string): Promise<{ meta: CacheMeta; data: unknown } | undefined> {
    const raw = await backend.getMeta(key);
    if (raw === undefined) return undefined;
    const meta = parseMeta(raw);
    if (!meta || meta.key !== key) {
      await drop(key, "A cached record from another version was dropped; it will be fetched again.");
      return undefined;
    }
    return { meta, data: await backend.getData(key) };
  }

  async function refresh(): Promise<void> {
    try {
      count(await readAll());
    } catch (e) {
      problem(`Could not read the cache: ${inWords(e)}`);
    }
  }

  return {
    async getLayer(digest) {
      const key = layerKey(digest);
      try {
        const inMemory = memory.get(digest);
        if (inMemory) {
          const meta = parseMeta(await backend.getMeta(key));
          // Evicted or cleared (perhaps by another tab) since: treat as gone.
          if (!meta) {
            memory.delete(digest);
            return undefined;
          }
          touch(meta);
          remember(digest, inMemory);
          return inMemory;
        }
        if (storedKeys !== undefined && !storedKeys.has(key)) return undefined;
        const t = globalThis.performance.now();
        const rec = await readRecord(key);
        if (!rec) return undefined;
        measure("read", t, (rec.data as { entries?: { n?: number } } | undefined)?.entries?.n ?? 0);
        if (!checkLayerData(rec.data, digest)) {
          await drop(key, "A damaged cached layer was dropped; it will be fetched again.");
          return undefined;
        }
        const d = rec.data;
        let entries: LayerEntry[];
        try {
          const u = globalThis.performance.now();
          const y = timedYield(yieldFn);
          entries = await unpackEntries(d.entries, y.fn);
          measure("unpack", u, entries.length, y.waited());
        } catch {
          await drop(key, "A damaged cached layer was dropped; it will be fetched again.");
          return undefined;
        }
        const layer: StoredLayer = {
          digest: d.digest,
          diffId: d.diffId,
          mediaType: d.mediaType,
          compression: d.compression,
          compressedSize: d.compressedSize,
          uncompressedSize: d.uncompressedSize,
          totals: d.totals,
          warnings: d.warnings,
          entries,
          storedAt: rec.meta.storedAt,
        };
        touch(rec.meta);
        remember(digest, layer);
        return layer;
      } catch (e) {
        problem(`Could not read the cache: ${inWords(e)}`);
        return undefined;
      }
    },

    async putLayer(result, packed) {
      if (!isStorableLayer(result)) return "not-verified";
      const t = globalThis.performance.now();
      const y = timedYield(yieldFn);
      let entries = packed;
      if (entries === undefined) {
        entries = await packEntries(result.entries, y.fn);
        measure("pack", t, result.entries.length, y.waited());
      }
      const data: LayerData = {
        v: CACHE_SCHEMA_VERSION,
        digest: result.digest,
        diffId: result.diffIdVerdict.status === "verified" ? result.diffIdVerdict.digest : "",
        mediaType: result.mediaType,
        compression: result.compression,
        compressedSize: result.compressedSize,
        uncompressedSize: result.uncompressedSize,
        totals: result.totals,
        warnings: [...result.warnings],
        entries,
      };
      const bytes = RECORD_OVERHEAD + packedBytes(entries) + result.warnings.reduce((a, w) => a + w.length * 2, 0);
      const w = globalThis.performance.now();
      const outcome = await put(layerKey(result.digest), "layer", result.digest, bytes, data);
      if (outcome === "stored") measure("write", w, result.entries.length);
      if (outcome === "stored") {
        const { v: _v, entries: _e, ...rest } = data;
        remember(result.digest, { ...rest, entries: result.entries, storedAt: now() });
      }
      return outcome;
    },

    async getBlob(kind, digest) {
      const key = keyOf(kind, digest);
      // Known absent: no read (it would wait behind the manifest's write, as the config is fetched).
      if (storedKeys !== undefined && !storedKeys.has(key)) return undefined;
      try {
        const rec = await readRecord(key);
        if (!rec) return undefined;
        if (!checkBlobData(rec.data, digest)) {
          await drop(key, "A damaged cached document was dropped; it will be fetched again.");
          return undefined;
        }
        // Hashed again on the way out: cheap for a document, and storage can rot.
        const v = await verifyBytes(digest, rec.data.bytes);
        if (v.status !== "verified") {
          await drop(key, `A cached document no longer matched ${digest.slice(0, 19)}… and was dropped; it will be fetched again.`);
          return undefined;
        }
        touch(rec.meta);
        return { digest, contentType: rec.data.contentType, bytes: rec.data.bytes, storedAt: rec.meta.storedAt };
      } catch (e) {
        problem(`Could not read the cache: ${inWords(e)}`);
        return undefined;
      }
    },

    async putBlob(kind, digest, bytes, contentType) {
      const v = await verifyBytes(digest, bytes);
      if (v.status !== "verified") return "not-verified";
      // A copy: the caller's view may share a larger buffer, which would be stored whole.
      const data: BlobData = { v: CACHE_SCHEMA_VERSION, digest, contentType, bytes: bytes.slice() };
      return put(keyOf(kind, digest), kind, digest, RECORD_OVERHEAD + bytes.byteLength + contentType.length * 2, data);
    },

    async clear() {
      memory.clear();
      await lock(async () => {
        try {
          await backend.clear();
          opts.onWrite?.();
          storedKeys = new Set();
          setUsage({ known: true, bytes: 0, layers: 0, blobs: 0 });
        } catch (e) {
          problem(`Could not clear the cache: ${inWords(e)}`);
        }
      });
    },

    async setCap(next) {
      capBytes = Math.max(0, next);
      await lock(async () => {
        try {
          const metas = await evict(await readAll(), 0);
          opts.onWrite?.();
          count(metas);
        } catch (e) {
          problem(`Could not apply the cap: ${inWords(e)}`);
        }
      });
    },

    refresh,
    forgetMemory: () => memory.clear(),
    subscribe(onChange) {
      listeners.add(onChange);
      return () => listeners.delete(onChange);
    },
    getUsage: () => usage,
  };
}
