/**
 * The worker adapters in Node, wired as the page wires them (a MessageChannel between the blob
 * and tar runners), with fetch stubbed to serve a layer built in code: the split protocol with
 * its credits and transfers, and the single mode, give the same verified result.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { digestBytes } from "../core/digest";
import type { LayerJob } from "../core/pipeline";
import { buildTar, gzip } from "../core/testing";
import { createBlobRunner } from "./blob-runner";
import { createLayerRunner } from "./layer-runner";
import { resultOf, type BlobRequest, type DoneEvent, type WorkerEvent } from "./protocol";
import { createTarRunner } from "./tar-runner";

const tar = buildTar(
  Array.from({ length: 200 }, (_, i) => ({ path: `dir${i % 7}/file-${i}.txt`, content: `file ${i} `.repeat(100 + i) })),
);

async function fixture(): Promise<{ job: LayerJob; blob: Uint8Array }> {
  const blob = await gzip(tar);
  return {
    blob,
    job: {
      layerIndex: 0,
      digest: await digestBytes("sha256", blob),
      size: blob.length,
      mediaType: "application/vnd.oci.image.layer.v1.tar+gzip",
      diffId: await digestBytes("sha256", tar),
    },
  };
}

const request: BlobRequest = { url: "http://proxy.test/registry/r.test/v2/x/blobs/sha256:0", headers: { Authorization: "Basic eDp5" }, registry: "r.test", repository: "x" };

/** A fetch answering with `blob` in 1000-byte chunks; records what it was asked. */
function stubFetch(blob: Uint8Array, status = 200): { calls: { url: string; headers: Record<string, string> }[] } {
  const calls: { url: string; headers: Record<string, string> }[] = [];
  vi.stubGlobal("fetch", async (url: string, init: RequestInit) => {
    calls.push({ url, headers: init.headers as Record<string, string> });
    if (status !== 200) return new Response(JSON.stringify({ errors: [{ code: "BLOB_UNKNOWN", message: "blob unknown" }] }), { status, headers: { "Content-Type": "application/json" } });
    let at = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        if (at >= blob.length) return c.close();
        c.enqueue(blob.slice(at, at + 1000));
        at += 1000;
      },
    });
    return new Response(body, { headers: { "Content-Type": "application/octet-stream" } });
  });
  return { calls };
}

function collect(): { events: WorkerEvent[]; post: (e: WorkerEvent) => void; done: Promise<WorkerEvent> } {
  const events: WorkerEvent[] = [];
  let resolve!: (e: WorkerEvent) => void;
  const done = new Promise<WorkerEvent>((r) => (resolve = r));
  return {
    events,
    post(e) {
      events.push(e);
      if (e.type === "done" || e.type === "failed") resolve(e);
    },
    done,
  };
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("worker runners", () => {
  it("split mode: blob runner → MessageChannel (credits, transfers) → tar runner → verified result", async () => {
    const { job, blob } = await fixture();
    const { calls } = stubFetch(blob);
    const page = collect();
    const tarRun = createTarRunner(page.post);
    const blobRun = createBlobRunner(page.post);
    const channel = new MessageChannel();
    tarRun({ type: "run", runId: 7, job, port: channel.port2 });
    blobRun({ type: "run", runId: 7, job, request, port: channel.port1, credits: 2, batchBytes: 4096, nativeGzip: false });
    const end = await page.done;
    expect(end.type).toBe("done");
    expect(end).toHaveProperty("packed"); // the entries leave the worker packed, not as objects
    const result = await resultOf(end as DoneEvent);
    expect(result.digestVerdict.status).toBe("verified");
    expect(result.diffIdVerdict.status).toBe("verified");
    expect(result.entries).toHaveLength(200);
    expect(result.uncompressedSize).toBe(tar.length);
    expect(calls[0]).toMatchObject({ url: request.url, headers: { Authorization: "Basic eDp5" } });
    expect(page.events.every((e) => e.runId === 7)).toBe(true);
    channel.port1.close();
  });

  it("single mode gives the same result", async () => {
    const { job, blob } = await fixture();
    stubFetch(blob);
    const page = collect();
    createLayerRunner(page.post)({ type: "run", runId: 1, job, request, nativeGzip: false });
    const end = await resultOf((await page.done) as DoneEvent);
    expect(end.entries).toHaveLength(200);
    expect(end.entries[0]?.rawPath).toBeInstanceOf(Uint8Array);
    expect(end.digestVerdict.status).toBe("verified");
  });

  it("a 404 becomes a result with a not-found error (plain data)", async () => {
    const { job, blob } = await fixture();
    stubFetch(blob, 404);
    const page = collect();
    createLayerRunner(page.post)({ type: "run", runId: 2, job, request });
    const done = (await page.done) as DoneEvent;
    expect(structuredClone(done)).toEqual(done);
    const end = await resultOf(done);
    expect(end.error).toMatchObject({ kind: "not-found", what: "blob" });
    expect(end.partial).toBe(true);
  });

  it("cancel aborts the run", async () => {
    const { job, blob } = await fixture();
    stubFetch(blob);
    const page = collect();
    const run = createLayerRunner(page.post);
    run({ type: "run", runId: 3, job, request, nativeGzip: false });
    run({ type: "cancel", runId: 3 });
    const end = await page.done;
    expect(end).toMatchObject({ type: "failed", error: { kind: "aborted" } });
  });
});
