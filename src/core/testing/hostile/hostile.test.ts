/**
 * The hostile corpus through the real pipeline (SECURITY T1–T13, D1–D3, D5): every case of
 * ./corpus.ts runs through `runLayer` — what the page's layer worker runs — with the blob cut
 * into 1-byte (small blobs), odd-sized and whole chunks, with pako and (for gzip, coarser chunks)
 * the platform's DecompressionStream, and its outcome is checked against the case's expectation:
 * error kind, both verdicts, entries (nothing before a fault lost), warnings, the merged view and
 * links followed in it. Large cases (bombs, a million entries) are streamed once, with memory
 * watched. Every run counts as one bad input tried; the totals are printed at the end.
 */
import { gunzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { decodeAll, createZstdDecoder } from "../../compression";
import { mergeLayers, type MergedFilesystem } from "../../filetree";
import { alignHistory, parseManifestOrIndex, type ImageManifest } from "../../oci";
import { createRegistryClient, fetchConfig } from "../../registry";
import { createFakeRegistry, FAKE_PROXY_BASE } from "../fake-registry";
import { isTrusted, runLayer, type BlobOpener, type LayerEntry, type LayerIndex } from "../../pipeline";
import { resolveSymlink } from "../../search";
import { buildTar } from "../tar";
import { BOMB_CAP, HOSTILE_IMAGES, HOSTILE_LAYERS, MiB, collect, crc32, crc32Combine, gzipZerosBomb, layerOf, zstdRleBomb, type HostileCase, type HostileLayer } from "./index";

const SMALL_CHUNKINGS = [1, 7, 512, 4093, 65_536, Infinity] as const;
const COARSE_CHUNKINGS = [4093, 65_536, Infinity] as const;
/** Blobs up to this size also run in 1-byte and 7-byte chunks. */
const SMALL_BLOB = 150 * 1024;

const tried = new Map<string, number>();
let runs = 0;

function* chunked(bytes: Uint8Array, size: number): Generator<Uint8Array> {
  const step = Number.isFinite(size) ? size : Math.max(1, bytes.length);
  // Fresh buffers, as fetch gives: the pipeline may transfer them.
  for (let at = 0; at < bytes.length; at += step) yield bytes.slice(at, at + step);
}

async function* rechunk(stream: AsyncIterable<Uint8Array>, size: number): AsyncGenerator<Uint8Array> {
  if (!Number.isFinite(size)) {
    yield* stream;
    return;
  }
  let held = new Uint8Array(0);
  try {
    for await (const c of stream) {
      const joined = new Uint8Array(held.length + c.length);
      joined.set(held);
      joined.set(c, held.length);
      let at = 0;
      for (; joined.length - at >= size; at += size) yield joined.slice(at, at + size);
      held = joined.slice(at);
    }
  } finally {
    // A source that fails (a reset connection) still delivers what arrived before it failed.
    if (held.length > 0) yield held;
  }
}

function opener(layer: HostileLayer, size: number): BlobOpener {
  return async () => {
    const blob = layer.blob;
    if (blob instanceof Uint8Array) {
      return (async function* () {
        yield* chunked(blob, size);
      })();
    }
    return rechunk(blob(), size);
  };
}

async function run(c: HostileCase, layer: HostileLayer, size: number, nativeAvailable: boolean, onProgress?: () => void): Promise<LayerIndex> {
  runs++;
  for (const row of c.rows) tried.set(row, (tried.get(row) ?? 0) + 1);
  return runLayer({ layerIndex: 0, ...layer.job }, opener(layer, size), { nativeAvailable, ...(onProgress ? { onProgress } : {}) });
}

const isGzip = (layer: HostileLayer): boolean => layer.job.mediaType.endsWith("+gzip");

/** The shape that must not depend on how the bytes were cut or which gzip engine ran. */
const signature = (r: LayerIndex): string =>
  JSON.stringify({ paths: r.entries.map((e) => e.path), error: r.error?.kind, digest: r.digestVerdict.status, diffId: r.diffIdVerdict.status, size: r.uncompressedSize });

function checkFields(entry: LayerEntry | undefined, fields: Readonly<Record<string, unknown>>, label: string): void {
  expect(entry, label).toBeDefined();
  for (const [key, want] of Object.entries(fields)) {
    const got = (entry as unknown as Record<string, unknown>)[key];
    if (want === undefined) expect(got, `${label}.${key}`).toBeUndefined();
    else if (want instanceof Uint8Array) expect([...(got as Uint8Array)], `${label}.${key}`).toEqual([...want]);
    else expect(got, `${label}.${key}`).toEqual(want);
  }
}

/** Checks one run against the case's expectation. */
function check(c: HostileCase, r: LayerIndex, label: string, native = false): void {
  const x = c.expect;
  // Errors are data with a kind; partial exactly when there is an error; never trusted then.
  expect(r.partial, `${label}: partial`).toBe(r.error !== undefined);
  if (x.error === undefined) expect(r.error, `${label}: error`).toBeUndefined();
  else expect(r.error, `${label}: error`).toMatchObject(x.error);
  expect(r.digestVerdict.status, `${label}: digest verdict`).toBe(x.digest);
  expect(r.diffIdVerdict.status, `${label}: diff_id verdict`).toBe(x.diffId);
  expect(isTrusted(r), `${label}: trusted`).toBe(x.error === undefined && x.digest === "verified" && x.diffId === "verified");
  if (x.compression !== undefined) expect(r.compression, `${label}: compression`).toBe(x.compression);
  const paths = r.entries.map((e) => e.path);
  if (x.paths !== undefined) {
    if (x.prefixOf) {
      // Nothing lost: whatever was decoded before the fault is reported, in order.
      expect(paths, `${label}: entries are a prefix of the layer's`).toEqual(x.paths.slice(0, paths.length));
      expect(paths.length, `${label}: entries before the fault`).toBeGreaterThanOrEqual(x.minEntries ?? 0);
    } else {
      expect(paths, `${label}: entries`).toEqual(x.paths);
    }
  }
  if (x.entryCount !== undefined) expect(r.entries.length, `${label}: entry count`).toBe(x.entryCount);
  expect(r.totals.entries, `${label}: totals`).toBe(r.entries.length);
  for (const [i, fields] of x.entries ?? []) checkFields(r.entries[i], fields, `${label}: entry ${i}`);
  for (const w of x.warnings ?? []) expect(r.warnings.some((m) => w.test(m)), `${label}: a warning matching ${w} in ${JSON.stringify(r.warnings)}`).toBe(true);
  if (!native) for (const w of x.warningsWithPako ?? []) expect(r.warnings.some((m) => w.test(m)), `${label}: a warning matching ${w} in ${JSON.stringify(r.warnings)}`).toBe(true);
  if (x.uncompressedSize !== undefined) expect(r.uncompressedSize, `${label}: uncompressed bytes`).toBe(x.uncompressedSize);
  // Names like __proto__ are only data (T12): no run may touch Object.prototype.
  expect(Object.keys(Object.prototype), `${label}: Object.prototype`).toEqual([]);
  expect(({} as Record<string, unknown>)["polluted"], `${label}: pollution`).toBeUndefined();
}

/** Lower layers' entries, indexed by the same pipeline (uncompressed, whole). */
async function lowerEntries(layer: HostileLayer): Promise<LayerEntry[][]> {
  const out: LayerEntry[][] = [];
  for (const entries of layer.lower ?? []) {
    const l = await layerOf(buildTar(entries), { compress: "none" });
    const r = await runLayer({ layerIndex: out.length, ...l.job }, opener(l, Infinity), { nativeAvailable: false });
    expect(r.error).toBeUndefined();
    out.push([...r.entries]);
  }
  return out;
}

function checkMerge(c: HostileCase, fs: MergedFilesystem): void {
  const m = c.expect.merge;
  if (m !== undefined) {
    for (const p of m.present ?? []) expect(fs.entries.has(p), `merged view has ${JSON.stringify(p.slice(0, 80))}`).toBe(true);
    for (const p of m.absent ?? []) expect(fs.entries.has(p), `merged view has no ${JSON.stringify(p)}`).toBe(false);
    for (const [p, type] of Object.entries(m.types ?? {})) expect(fs.entries.get(p)?.version.type, `type of ${p}`).toBe(type);
    const warnings = fs.warnings.map((w) => `${w.kind} ${w.path}`);
    for (const w of m.warnings ?? []) expect(warnings, "merge warnings").toContain(w);
  }
  for (const [path, outcome] of c.expect.follow ?? []) {
    const node = fs.entries.get(path);
    expect(node?.version.type, `${path} is a symlink`).toBe("symlink");
    const lookup = (p: string) => {
      const e = fs.entries.get(p);
      return e === undefined ? undefined : { type: e.version.type, ...(e.version.linkname !== undefined ? { linkname: e.version.linkname } : {}) };
    };
    const res = resolveSymlink(lookup, path, node?.version.linkname);
    expect(res.ok ? "ok" : res.reason, `following ${path}`).toBe(outcome);
  }
}

const small = HOSTILE_LAYERS.filter((c) => !c.large);
const large = HOSTILE_LAYERS.filter((c) => c.large);

describe("the bombs are what they claim (valid streams, right sizes)", () => {
  it("a gzip bomb of 3 MiB is one valid member zlib decodes to 3 MiB of zeros (CRC-32 and ISIZE right)", async () => {
    const out = gunzipSync(await collect(gzipZerosBomb(3 * MiB)));
    expect(out.length).toBe(3 * MiB);
    expect(out.every((b) => b === 0)).toBe(true);
  });
  it("a zstd RLE bomb of 3 MiB decodes to 3 MiB of zeros in 102 bytes", async () => {
    const blob = await collect(zstdRleBomb(3 * MiB));
    expect(blob.length).toBe(4 + 2 + 24 * 4);
    let n = 0;
    let zeros = true;
    await decodeAll(await createZstdDecoder(), [blob], (c) => {
      n += c.length;
      zeros &&= c.every((b) => b === 0);
    });
    expect([n, zeros]).toEqual([3 * MiB, true]);
  });
  it("crc32Combine agrees with crc32 over the joined bytes", () => {
    const a = new TextEncoder().encode("hostile ");
    const b = new Uint8Array(100_000);
    const joined = new Uint8Array(a.length + b.length);
    joined.set(a);
    joined.set(b, a.length);
    expect(crc32Combine(crc32(a), crc32(b), b.length)).toBe(crc32(joined));
  });
});

describe("hostile layers", () => {
  it("has unique names, and every T and D row it claims", () => {
    const names = HOSTILE_LAYERS.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    const rows = new Set(HOSTILE_LAYERS.flatMap((c) => c.rows));
    for (const r of ["T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8", "T9", "T10", "T11", "T12", "T13", "D1", "D2", "D3", "D5"]) expect(rows, r).toContain(r);
  });

  it.each(small.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
    const layer = await c.build();
    const size = layer.blob instanceof Uint8Array ? layer.blob.length : Infinity;
    const chunkings = size <= SMALL_BLOB ? SMALL_CHUNKINGS : COARSE_CHUNKINGS;
    let first: string | undefined;
    let last: LayerIndex | undefined;
    for (const chunk of chunkings) {
      for (const native of isGzip(layer) && chunk >= 4093 ? [false, true] : [false]) {
        const label = `${c.name} (chunks of ${chunk}, ${native ? "native" : "pako"})`;
        const r = await run(c, layer, chunk, native);
        check(c, r, label, native);
        // Cut anywhere, decoded by either engine: the same entries, error and verdicts — except
        // where the cut itself decides how far decoding got (an overrun stops at the chunk that passes the size).
        if (!c.expect.prefixOf) {
          first ??= signature(r);
          expect(signature(r), label).toBe(first);
        }
        last = r;
      }
    }
    if (c.expect.merge !== undefined || c.expect.follow !== undefined) {
      const lower = await lowerEntries(layer);
      checkMerge(c, mergeLayers([...lower, last!.entries]));
    }
  });
});

describe("hostile layers, streamed and large", () => {
  it.each(large.map((c) => [c.name, c] as const))(
    "%s",
    async (_name, c) => {
      const layer = await c.build();
      const rss = () => process.memoryUsage().rss;
      (globalThis as { gc?: () => void }).gc?.();
      const before = rss();
      let peak = before;
      let ticks = 0;
      const r = await run(c, layer, 65_536, false, () => {
        if (++ticks % 64 === 0) peak = Math.max(peak, rss());
      });
      peak = Math.max(peak, rss());
      check(c, r, c.name);
      const grewMiB = (peak - before) / 2 ** 20;
      console.log(`${c.name}: ${r.uncompressedSize} bytes decoded, ${r.entries.length} entries, RSS grew ${grewMiB.toFixed(0)} MiB`);
      if (c.rows.includes("T10")) {
        // Memory flat: decoding 512 MiB (and hashing it) must not hold it. Anything that kept the
        // output would grow by at least the cap; a streaming decoder stays far below half of it.
        expect(r.uncompressedSize).toBe(BOMB_CAP);
        expect(grewMiB, "RSS growth while decoding the bomb, MiB").toBeLessThan(BOMB_CAP / 2 ** 20 / 2);
      }
    },
    600_000,
  );
});

describe("hostile images (D4, D5 on the config)", () => {
  const REGISTRY = "registry.test";
  const REPO = "hostile/app";
  it.each(HOSTILE_IMAGES.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
    const img = await c.build();
    for (const chunks of [[1], [7], undefined]) {
      runs++;
      for (const row of c.rows) tried.set(row, (tried.get(row) ?? 0) + 1);
      const fake = createFakeRegistry({ repositories: new Map([[`${REGISTRY}/${REPO}`, img.repository]]), ...(chunks ? { chunks } : {}) });
      const client = createRegistryClient({ proxyBase: FAKE_PROXY_BASE, fetch: fake.fetch });
      const got = await fetchConfig(client, REGISTRY, REPO, img.config);
      const label = `${c.name} (body chunks ${chunks?.[0] ?? "whole"})`;
      if (c.expect.configError !== undefined) {
        expect(got.ok, label).toBe(false);
        expect(!got.ok && got.error, label).toMatchObject(c.expect.configError);
        continue;
      }
      expect(got.ok && got.value.verification.status, label).toBe(c.expect.configVerification);
      if (!got.ok) continue;
      const manifest = parseManifestOrIndex(img.manifest.bytes, img.manifest.mediaType);
      expect(manifest.ok && manifest.value.kind, label).toBe("manifest");
      const problems = alignHistory((manifest.ok ? manifest.value : undefined) as ImageManifest, got.value.config).problems;
      for (const p of c.expect.problems ?? []) expect(problems.some((m) => p.test(m)), `${label}: ${p} in ${JSON.stringify(problems)}`).toBe(true);
      if (c.expect.problems === undefined) expect(problems, label).toEqual([]);
    }
  });
});

afterAll(() => {
  const byRow = [...tried].sort(([a], [b]) => a.localeCompare(b, "en", { numeric: true })).map(([row, n]) => `${row} ${n}`);
  console.log(`hostile corpus: ${HOSTILE_LAYERS.length} layer cases and ${HOSTILE_IMAGES.length} image cases, ${runs} bad inputs tried (runLayer, fetchConfig) (by row: ${byRow.join(", ")})`);
});
