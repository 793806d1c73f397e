/**
 * readLayerFile and the downloads end to end in one thread: the extract worker's runner runs
 * in-process behind a fake Worker, its fetch reads blobs built in code. Layers are indexed by the
 * real pipeline, so the offsets are the real ones.
 */
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { digestBytes } from "../../core/digest";
import { runLayer, type LayerIndex, type LayerJob } from "../../core/pipeline";
import { parseTar } from "../../core/tar";
import { buildTar, gzip, type TarEntry } from "../../core/testing";
import { createExtractRunner } from "../../workers/extract-runner";
import type { ExtractEvent, ExtractRequest } from "../../workers/extract-protocol";
import type { LayerJobs, LayerJobState } from "../layers/types";
import { setExtractWorkerFactory, type ExtractWorkerLike } from "./client";
import { downloadDirectory, downloadFile, downloadLayerTar } from "./download";
import { locateFile, readLayerFile } from "./readFile";

const text = (b: Uint8Array): string => new TextDecoder().decode(b);

const LAYERS: TarEntry[][] = [
  [
    { path: "etc/", type: "dir" },
    { path: "etc/hosts", content: "127.0.0.1 localhost\n" },
    { path: "etc/big", content: "x".repeat(5000) },
  ],
  [
    { path: "app/", type: "dir" },
    { path: "app/main.txt", content: "main body\n" },
    { path: "app/same-layer-link", type: "hardlink", linkname: "app/main.txt" },
    { path: "app/lower-link", type: "hardlink", linkname: "etc/hosts" },
    { path: "app/sym", type: "symlink", linkname: "main.txt" },
    { path: "app/sub/", type: "dir" },
    { path: "app/sub/deep.txt", content: "deep\n" },
  ],
];

interface Built {
  blob: Uint8Array;
  tar: Uint8Array;
  job: LayerJob;
  index: LayerIndex;
}
let built: Built[] = [];

beforeAll(async () => {
  built = [];
  for (const [i, entries] of LAYERS.entries()) {
    const tar = buildTar(entries);
    const blob = await gzip(tar);
    const job: LayerJob = { layerIndex: i, digest: await digestBytes("sha256", blob), size: blob.length, mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", diffId: await digestBytes("sha256", tar) };
    const index = await runLayer(job, async () => (async function* () { yield blob; })(), { nativeAvailable: false });
    built.push({ blob, tar, job, index });
  }
});

/** The worker, in this thread: messages go through structuredClone like postMessage's. */
class InProcessWorker implements ExtractWorkerLike {
  onmessage: ((event: MessageEvent) => void) | null = null;
  onerror: ((event: ErrorEvent) => void) | null = null;
  terminated = false;
  private readonly handle = createExtractRunner((event: ExtractEvent) => {
    queueMicrotask(() => {
      if (!this.terminated) this.onmessage?.({ data: event } as MessageEvent);
    });
  });
  postMessage(message: unknown): void {
    queueMicrotask(() => {
      if (!this.terminated) this.handle(message as ExtractRequest);
    });
  }
  terminate(): void {
    this.terminated = true;
  }
}

/** A store over the built layers; `override` changes one layer's result (to make it untrusted). */
function jobsOf(override: (i: number, r: LayerIndex) => LayerIndex | undefined = (_i, r) => r): LayerJobs {
  const states: LayerJobState[] = built.map((b, i) => {
    const result = override(i, b.index);
    return {
      layerIndex: i,
      descriptor: { mediaType: b.job.mediaType, digest: b.job.digest, size: b.job.size },
      diffId: b.job.diffId,
      progress: { stage: result ? "done" : "downloading", compressedBytes: 0, compressedTotal: b.job.size, uncompressedBytes: 0, entries: 0, bytesPerSecond: 0 },
      ...(result ? { result } : {}),
    };
  });
  return {
    subscribe: () => () => undefined,
    getSnapshot: () => states,
    start() {},
    cancel() {},
    retry() {},
    dispose() {},
    layerSource: (i) => ({ job: built[i]!.job, request: { url: `http://blobs.test/${i}`, headers: {}, registry: "registry.test", repository: "app" } }),
  };
}

const fetched: string[] = [];
afterEach(() => {
  vi.unstubAllGlobals();
  fetched.length = 0;
});

function serveBlobs(): void {
  setExtractWorkerFactory(() => new InProcessWorker());
  vi.stubGlobal("fetch", async (url: string) => {
    fetched.push(url);
    const i = Number(url.slice(url.lastIndexOf("/") + 1));
    return new Response(built[i]!.blob.slice(), { status: 200, headers: { "Content-Type": "application/octet-stream" } });
  });
}

describe("readLayerFile", () => {
  it("reads a file's bytes from its layer only, as trusted", async () => {
    serveBlobs();
    const r = await readLayerFile(jobsOf(), 0, "etc/hosts", { maxBytes: 1 << 20 });
    expect(r.ok && { text: text(r.value.bytes), size: r.value.size, truncated: r.value.truncated, trusted: r.value.trusted }).toEqual({
      text: "127.0.0.1 localhost\n",
      size: 20,
      truncated: false,
      trusted: true,
    });
    expect(fetched).toEqual(["http://blobs.test/0"]);
  });

  it("caps at maxBytes and says it is truncated", async () => {
    serveBlobs();
    const r = await readLayerFile(jobsOf(), 0, "etc/big", { maxBytes: 100 });
    expect(r.ok && [r.value.bytes.length, r.value.size, r.value.truncated]).toEqual([100, 5000, true]);
  });

  it.each([
    ["app/same-layer-link", 1, "main body\n", ["http://blobs.test/1"]],
    ["app/lower-link", 0, "127.0.0.1 localhost\n", ["http://blobs.test/0"]],
  ])("a hardlink (%s) reads its target's body from layer %s", async (path, bodyLayer, body, urls) => {
    serveBlobs();
    const jobs = jobsOf();
    const where = locateFile(jobs, 1, path);
    expect(where.ok && where.value.bodyLayer).toBe(bodyLayer);
    const r = await readLayerFile(jobs, 1, path, { maxBytes: 1 << 20 });
    expect(r.ok && text(r.value.bytes)).toBe(body);
    expect(fetched).toEqual(urls);
  });

  it.each([
    ["a symlink", 1, "app/sym", "not-a-file"],
    ["a directory", 1, "app", "not-a-file"],
    ["a missing path", 1, "nope", "not-found"],
  ])("%s is not read", async (_n, layer, path, why) => {
    serveBlobs();
    const r = await readLayerFile(jobsOf(), layer, path, { maxBytes: 10 });
    expect(!r.ok && r.error).toMatchObject({ kind: "file-unavailable", why });
    expect(fetched).toEqual([]);
  });

  it("a layer not indexed yet says so", async () => {
    serveBlobs();
    const r = await readLayerFile(jobsOf((i, x) => (i === 0 ? undefined : x)), 0, "etc/hosts", { maxBytes: 10 });
    expect(!r.ok && r.error).toMatchObject({ kind: "file-unavailable", why: "not-indexed" });
  });

  it("a layer that failed verification is refused, nothing fetched", async () => {
    serveBlobs();
    const jobs = jobsOf((_i, x) => ({ ...x, digestVerdict: { status: "mismatch", expected: x.digest, actual: "sha256:0" } }));
    const r = await readLayerFile(jobs, 0, "etc/hosts", { maxBytes: 10 });
    expect(!r.ok && r.error).toMatchObject({ kind: "file-unavailable", why: "untrusted" });
    expect(fetched).toEqual([]);
  });

  it("a layer without a diff_id is read, marked untrusted", async () => {
    serveBlobs();
    const jobs = jobsOf((_i, x) => ({ ...x, diffIdVerdict: { status: "unverifiable", digest: "", reason: "no diff_id" } }));
    const r = await readLayerFile(jobs, 0, "etc/hosts", { maxBytes: 100 });
    expect(r.ok && r.value.trusted).toBe(false);
  });

  it("an abort cancels the read", async () => {
    serveBlobs();
    const c = new AbortController();
    c.abort();
    const r = await readLayerFile(jobsOf(), 0, "etc/hosts", { maxBytes: 100, signal: c.signal });
    expect(!r.ok && r.error.kind).toBe("aborted");
  });
});

describe("downloads", () => {
  it("a file, whole", async () => {
    serveBlobs();
    const r = await downloadFile(jobsOf(), 0, "etc/big");
    expect(r.ok && [r.value.name, r.value.blob.type, r.value.blob.size]).toEqual(["big", "application/octet-stream", 5000]);
  });

  it("a layer's tar hashes to its diff_id", async () => {
    serveBlobs();
    const r = await downloadLayerTar(jobsOf(), 1);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const bytes = new Uint8Array(await r.value.blob.arrayBuffer());
    expect(await digestBytes("sha256", bytes)).toBe(built[1]!.job.diffId);
    expect(r.value.verdicts?.diffIdVerdict.status).toBe("verified");
  });

  it("a directory as a tar: each entry from its layer, hardlinks as files, one read per layer", async () => {
    serveBlobs();
    const items = ["app", "app/main.txt", "app/same-layer-link", "app/lower-link", "app/sym", "app/sub", "app/sub/deep.txt"].map((path) => ({ path, layer: 1 }));
    const r = await downloadDirectory(jobsOf(), "app", items);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.name).toBe("app.tar");
    const tar = new Uint8Array(await r.value.blob.arrayBuffer());
    const s = await parseTar((async function* () { yield tar; })());
    expect(s.error).toBeUndefined();
    const got = Object.fromEntries(s.entries.map((e) => [e.path, e.type === "file" ? text(tar.subarray(e.dataOffset, e.dataOffset + e.size)) : `${e.type}${e.linkname ? ` ${e.linkname}` : ""}`]));
    expect(got).toEqual({
      app: "dir",
      "app/sub": "dir",
      "app/sym": "symlink main.txt",
      "app/lower-link": "127.0.0.1 localhost\n",
      "app/main.txt": "main body\n",
      "app/same-layer-link": "main body\n",
      "app/sub/deep.txt": "deep\n",
    });
    expect([...fetched].sort()).toEqual(["http://blobs.test/0", "http://blobs.test/1"]);
  });
});
