/**
 * The persistent cache's logic against an in-memory backend: verified-only, LRU order, the cap
 * and eviction, schema versions and damaged records dropped, small blobs hashed again on the way
 * out, a full disk, two tabs on one storage. The IndexedDB backend is exercised in e2e/cache.spec.ts.
 */
import { describe, expect, it } from "vitest";
import { digestBytes } from "../../core/digest";
import type { LayerEntry, LayerIndex } from "../../core/pipeline/types";
import { reuseStoredLayer } from "./reuse";
import { memoryBackend } from "./storage";
import { CACHE_SCHEMA_VERSION, createVerifiedCache, isStorableLayer, type StoredLayer } from "./store";

const enc = new TextEncoder();
const hex = (c: string): string => c.repeat(64);
const DIFF = `sha256:${hex("d")}`;

function entries(n: number, prefix = "f"): LayerEntry[] {
  return Array.from({ length: n }, (_, i) => ({
    path: `${prefix}/${i}`,
    rawPath: enc.encode(`${prefix}/${i}`),
    type: "file" as const,
    typeflag: "0",
    size: i,
    mode: 0o644,
    uid: 0,
    gid: 0,
    uname: "",
    gname: "",
    mtime: 0,
    whiteout: "none" as const,
    headerOffset: i * 512,
    dataOffset: i * 512 + 512,
  }));
}

function layer(c: string, n = 10, over: Partial<LayerIndex> = {}): LayerIndex {
  const digest = `sha256:${hex(c)}`;
  const es = entries(n, c);
  return {
    layerIndex: 0,
    digest,
    diffId: DIFF,
    mediaType: "application/vnd.oci.image.layer.v1.tar+gzip",
    compression: "gzip",
    compressedSize: 1000,
    uncompressedSize: 4096,
    entries: es,
    totals: { entries: n, files: n, dirs: 0, symlinks: 0, hardlinks: 0, whiteouts: 0, opaques: 0, others: 0, fileBytes: 0 },
    warnings: [],
    digestVerdict: { status: "verified", digest },
    diffIdVerdict: { status: "verified", digest: DIFF },
    partial: false,
    ...over,
  };
}

/** A clock that moves one millisecond per call, so LRU order is the order of calls. */
function clock(): () => number {
  let t = 1_000;
  return () => ++t;
}

/** The estimated size of one `layer(…)` record (all of them are the same size). */
async function oneLayerBytes(): Promise<number> {
  const probe = createVerifiedCache({ backend: memoryBackend() });
  await probe.putLayer(layer("z"));
  return probe.getUsage().bytes;
}

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

describe("verified-only", () => {
  const mismatch = { status: "mismatch", expected: `sha256:${hex("1")}`, actual: `sha256:${hex("2")}` } as const;
  const cases: [string, Partial<LayerIndex>][] = [
    ["a blob digest mismatch (D1)", { digestVerdict: mismatch }],
    ["a diff_id mismatch (D3)", { diffIdVerdict: mismatch }],
    ["an unverifiable digest (D5)", { digestVerdict: { status: "unverifiable", digest: "md5:x", reason: "md5" } }],
    ["no diff_id in the config", { diffId: undefined, diffIdVerdict: { status: "unverifiable", digest: "", reason: "none" } }],
    ["a partial layer", { partial: true }],
    ["a layer that stopped with an error", { error: { kind: "aborted" } }],
    ["a truncated download", { partial: true, error: { kind: "size-mismatch", digest: "sha256:x", expected: 10, actual: 5, direction: "truncated" } }],
  ];
  it.each(cases)("never stores %s", async (_, over) => {
    const backend = memoryBackend();
    const cache = createVerifiedCache({ backend });
    const l = layer("a", 3, over);
    expect(isStorableLayer(l)).toBe(false);
    expect(await cache.putLayer(l)).toBe("not-verified");
    expect(backend.records.size).toBe(0);
  });

  it("stores a layer verified twice and reads it back equal, with when it was stored", async () => {
    const cache = createVerifiedCache({ backend: memoryBackend(), now: () => 42_000 });
    const l = layer("a", 100);
    expect(await cache.putLayer(l)).toBe("stored");
    cache.forgetMemory(); // read from storage, not the decoded copy
    const back = await cache.getLayer(l.digest);
    expect(back).toBeDefined();
    expect(back!.entries).toStrictEqual(l.entries);
    expect(back).toMatchObject({ digest: l.digest, diffId: DIFF, storedAt: 42_000, compressedSize: 1000, totals: l.totals });
    expect(cache.getUsage()).toMatchObject({ known: true, layers: 1, blobs: 0 });
    expect(cache.getUsage().bytes).toBeGreaterThan(100 * 20);
  });

  it("a small blob is stored only when its bytes hash to its digest", async () => {
    const backend = memoryBackend();
    const cache = createVerifiedCache({ backend });
    const bytes = enc.encode('{"schemaVersion":2}');
    const digest = await digestBytes("sha256", bytes);
    expect(await cache.putBlob("manifest", `sha256:${hex("0")}`, bytes, "application/json")).toBe("not-verified");
    expect(await cache.putBlob("manifest", digest, bytes, "application/vnd.oci.image.manifest.v1+json")).toBe("stored");
    expect(await cache.getBlob("manifest", digest)).toMatchObject({ digest, contentType: "application/vnd.oci.image.manifest.v1+json", bytes });
    // Stored as a manifest, not as a config.
    expect(await cache.getBlob("config", digest)).toBeUndefined();
  });
});

describe("lookups", () => {
  it("a layer the last count does not know is missed without reading storage; another realm's write is seen after a refresh", async () => {
    const backend = memoryBackend();
    let reads = 0;
    const counted = { ...backend, getMeta: (key: string) => (reads++, backend.getMeta(key)) };
    const tab = createVerifiedCache({ backend: counted, now: clock() });
    const other = createVerifiedCache({ backend, now: clock() });
    await tab.refresh();
    await other.putLayer(layer("a"));
    expect(await tab.getLayer(`sha256:${hex("a")}`)).toBeUndefined();
    expect(reads).toBe(0);
    await tab.refresh(); // what another tab's broadcast triggers
    expect(await tab.getLayer(`sha256:${hex("a")}`)).toMatchObject({ digest: `sha256:${hex("a")}` });
    expect(reads).toBe(1);
  });
});

describe("LRU and the cap", () => {
  it("evicts the least recently used first; a hit counts as a use", async () => {
    const backend = memoryBackend();
    const one = await oneLayerBytes();

    const cache = createVerifiedCache({ backend, now: clock(), capBytes: one * 2 + 10 });
    await cache.putLayer(layer("a"));
    await cache.putLayer(layer("b"));
    cache.forgetMemory();
    expect(await cache.getLayer(`sha256:${hex("a")}`)).toBeDefined(); // a is now the most recent
    await settle();
    await cache.putLayer(layer("c"));
    expect([...backend.records.keys()].sort()).toEqual([`layer:sha256:${hex("a")}`, `layer:sha256:${hex("c")}`]);
    expect(await cache.getLayer(`sha256:${hex("b")}`)).toBeUndefined();
    expect(cache.getUsage()).toMatchObject({ layers: 2 });
    expect(cache.getUsage().bytes).toBeLessThanOrEqual(one * 2 + 10);
  });

  it("a record larger than the cap is not stored, and evicts nothing", async () => {
    const backend = memoryBackend();
    const cache = createVerifiedCache({ backend, capBytes: 5_000 });
    expect(await cache.putLayer(layer("a", 5))).toBe("stored");
    expect(await cache.putLayer(layer("b", 1000))).toBe("too-large");
    expect(backend.records.size).toBe(1);
  });

  it("lowering the cap evicts down to it, oldest first; cap 0 empties", async () => {
    const backend = memoryBackend();
    const cache = createVerifiedCache({ backend, now: clock() });
    for (const c of ["a", "b", "c"]) await cache.putLayer(layer(c));
    const each = cache.getUsage().bytes / 3;
    await cache.setCap(Math.ceil(each * 2));
    expect([...backend.records.keys()].map((k) => k.slice(13, 14)).sort()).toEqual(["b", "c"]);
    expect(cache.getUsage()).toMatchObject({ layers: 2, capBytes: Math.ceil(each * 2) });
    await cache.setCap(0);
    expect(backend.records.size).toBe(0);
  });

  it("storing what is already stored is a use, not a second record", async () => {
    const backend = memoryBackend();
    const cache = createVerifiedCache({ backend, now: clock() });
    await cache.putLayer(layer("a"));
    const first = (backend.records.get(`layer:sha256:${hex("a")}`)!.meta as { storedAt: number }).storedAt;
    await cache.putLayer(layer("a"));
    await settle();
    const meta = backend.records.get(`layer:sha256:${hex("a")}`)!.meta as { storedAt: number; lastUsed: number };
    expect(meta.storedAt).toBe(first);
    expect(meta.lastUsed).toBeGreaterThan(first);
  });

  it("a touch never brings back a record evicted meanwhile", async () => {
    const backend = memoryBackend();
    const cache = createVerifiedCache({ backend });
    await cache.putLayer(layer("a"));
    await backend.remove([`layer:sha256:${hex("a")}`]);
    // The decoded copy in memory is checked against storage: gone there, gone here.
    expect(await cache.getLayer(`sha256:${hex("a")}`)).toBeUndefined();
    await settle();
    expect(backend.records.size).toBe(0);
  });

  it("clear empties storage and the usage figure", async () => {
    const backend = memoryBackend();
    const cache = createVerifiedCache({ backend });
    await cache.putLayer(layer("a"));
    await cache.clear();
    expect(backend.records.size).toBe(0);
    expect(cache.getUsage()).toMatchObject({ bytes: 0, layers: 0, blobs: 0 });
    expect(await cache.getLayer(`sha256:${hex("a")}`)).toBeUndefined();
  });
});

describe("damaged, old and foreign records", () => {
  it("records of another schema version are dropped when counted, and missed when read", async () => {
    const backend = memoryBackend();
    const key = `layer:sha256:${hex("a")}`;
    backend.records.set(key, { meta: { v: CACHE_SCHEMA_VERSION - 1, key, kind: "layer", digest: `sha256:${hex("a")}`, bytes: 10, storedAt: 1, lastUsed: 1 }, data: {} });
    backend.records.set("junk", { meta: { key: "junk" }, data: null });
    const cache = createVerifiedCache({ backend });
    expect(await cache.getLayer(`sha256:${hex("a")}`)).toBeUndefined();
    await cache.refresh();
    expect(backend.records.size).toBe(0);
    expect(cache.getUsage()).toMatchObject({ layers: 0, bytes: 0 });
  });

  it("a layer record whose data is damaged is dropped and reported, never returned", async () => {
    const backend = memoryBackend();
    const cache = createVerifiedCache({ backend });
    await cache.putLayer(layer("a", 20));
    cache.forgetMemory();
    const rec = backend.records.get(`layer:sha256:${hex("a")}`)!;
    const data = rec.data as { entries: { text: string } };
    rec.data = { ...data, entries: { ...data.entries, text: `${data.entries.text}!` } };
    expect(await cache.getLayer(`sha256:${hex("a")}`)).toBeUndefined();
    expect(backend.records.size).toBe(0);
    expect(cache.getUsage().problem).toMatch(/damaged/);
  });

  it("a small blob whose stored bytes no longer hash to its digest is dropped (re-hashed on read)", async () => {
    const backend = memoryBackend();
    const cache = createVerifiedCache({ backend });
    const bytes = enc.encode('{"architecture":"amd64"}');
    const digest = await digestBytes("sha256", bytes);
    await cache.putBlob("config", digest, bytes, "application/octet-stream");
    const stored = (backend.records.get(`config:${digest}`)!.data as { bytes: Uint8Array }).bytes;
    stored[3] = stored[3]! ^ 1;
    expect(await cache.getBlob("config", digest)).toBeUndefined();
    expect(backend.records.size).toBe(0);
    expect(cache.getUsage().problem).toMatch(/no longer matched/);
  });

  it("a backend that fails to read is a miss with the reason shown, not an exception", async () => {
    const backend = { ...memoryBackend(), getMeta: () => Promise.reject(new Error("disk gone")) };
    const cache = createVerifiedCache({ backend });
    expect(await cache.getLayer(`sha256:${hex("a")}`)).toBeUndefined();
    expect(cache.getUsage().problem).toMatch(/disk gone/);
  });
});

describe("a full disk and two tabs", () => {
  it("quota exceeded: evicts half of what it holds and tries once more", async () => {
    const one = await oneLayerBytes();
    // The browser allows 2.5 records, our cap would allow 10.
    const backend = memoryBackend({ quotaBytes: Math.floor(one * 2.5) });
    const cache = createVerifiedCache({ backend, now: clock(), capBytes: one * 10 });
    await cache.putLayer(layer("a"));
    await cache.putLayer(layer("b"));
    expect(await cache.putLayer(layer("c"))).toBe("stored");
    expect([...backend.records.keys()].map((k) => k.slice(13, 14)).sort()).toEqual(["b", "c"]);
  });

  it("quota exceeded even when empty: not stored, the reason shown", async () => {
    const cache = createVerifiedCache({ backend: memoryBackend({ quotaBytes: 10 }) });
    expect(await cache.putLayer(layer("a"))).toBe("failed");
    expect(cache.getUsage().problem).toMatch(/quota/);
  });

  it("two tabs writing at once through one lock: both counted, the cap held", async () => {
    const backend = memoryBackend();
    const one = await oneLayerBytes();
    let tail: Promise<unknown> = Promise.resolve();
    const sharedLock = <T>(fn: () => Promise<T>): Promise<T> => {
      const run = tail.then(fn, fn);
      tail = run.catch(() => undefined);
      return run;
    };
    const now = clock();
    const tabA = createVerifiedCache({ backend, now, lock: sharedLock, capBytes: one * 3 + 10 });
    const tabB = createVerifiedCache({ backend, now, lock: sharedLock, capBytes: one * 3 + 10 });
    await Promise.all([tabA.putLayer(layer("a")), tabB.putLayer(layer("b")), tabA.putLayer(layer("c")), tabB.putLayer(layer("e"))]);
    expect(backend.records.size).toBe(3);
    await tabA.refresh();
    await tabB.refresh();
    expect(tabA.getUsage().layers).toBe(3);
    expect(tabB.getUsage().bytes).toBe(tabA.getUsage().bytes);
    expect(tabA.getUsage().bytes).toBeLessThanOrEqual(one * 3 + 10);
  });
});

describe("reuseStoredLayer", () => {
  const stored = (over: Partial<StoredLayer> = {}): StoredLayer => {
    const { layerIndex: _i, diffIdVerdict: _d, digestVerdict: _g, partial: _p, error: _e, diffId: _f, ...rest } = layer("a", 2);
    return { ...rest, diffId: DIFF, storedAt: 1, ...over };
  };
  const descriptor = { mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: `sha256:${hex("a")}`, size: 1000 };

  it("the same diff_id: both verdicts verified, at the new position", () => {
    expect(reuseStoredLayer(stored(), descriptor, DIFF, 3)).toMatchObject({
      layerIndex: 3,
      digestVerdict: { status: "verified" },
      diffIdVerdict: { status: "verified", digest: DIFF },
      partial: false,
    });
  });
  it("another claim of the same algorithm: a diff_id mismatch, without a download", () => {
    const other = `sha256:${hex("9")}`;
    expect(reuseStoredLayer(stored(), descriptor, other, 0)?.diffIdVerdict).toEqual({ status: "mismatch", expected: other, actual: DIFF });
  });
  it("no claim: unverifiable, as the pipeline says it", () => {
    expect(reuseStoredLayer(stored(), descriptor, undefined, 0)?.diffIdVerdict.status).toBe("unverifiable");
  });
  it.each([
    ["a claim in another algorithm", descriptor, `sha512:${hex("9")}${hex("9")}`],
    ["a different size in the descriptor", { ...descriptor, size: 999 }, DIFF],
    ["a different media type (its warnings depend on it)", { ...descriptor, mediaType: "application/vnd.oci.image.layer.v1.tar+zstd" }, DIFF],
  ])("%s: download instead", (_, d, diffId) => {
    expect(reuseStoredLayer(stored(), d, diffId, 0)).toBeUndefined();
  });
});
