import { describe, expect, it } from "vitest";
import type { LayerJobState } from "./layers/types";
import { createLayerTimeline, createRequestLog, describePath, recordingFetch } from "./requestLog";

const DIGEST = "sha256:" + "ab".repeat(32);

function clock(): { now: () => number; tick: (ms: number) => void } {
  let t = 0;
  return { now: () => t, tick: (ms) => (t += ms) };
}

describe("describePath", () => {
  it.each([
    ["/registry/ghcr.io/v2/org/app/manifests/v1", { kind: "manifest", registry: "ghcr.io", repository: "org/app", reference: "v1" }],
    [`/registry/[::1]:5000/v2/a/b/c/blobs/${DIGEST}`, { kind: "blob", registry: "[::1]:5000", repository: "a/b/c", reference: DIGEST }],
    ["/registry/ghcr.io/v2/", { kind: "other" }],
  ])("%s", (url, want) => {
    expect(describePath(url, "/registry")).toMatchObject(want);
  });

  it("keeps the path only: no query signature, no fragment, no userinfo", () => {
    const d = describePath("http://user:secret@host/registry/r.io/v2/x/blobs/sha256:1?X-Amz-Signature=abc#frag", "/registry");
    expect(d.path).toBe("/registry/r.io/v2/x/blobs/sha256:1");
    expect(JSON.stringify(d)).not.toMatch(/secret|Signature|frag/);
  });
});

describe("recordingFetch", () => {
  it("records method, path, status, Content-Length, counted bytes and time; the body passes through", async () => {
    const c = clock();
    const log = createRequestLog({ now: c.now });
    const inner: typeof fetch = async () => {
      c.tick(5);
      return new Response("hello world", { status: 200, headers: { "Content-Length": "11", "Content-Type": "application/json" } });
    };
    const f = recordingFetch(log, inner, { proxyBase: "/registry" });
    const res = await f("/registry/r.io/v2/app/manifests/latest?x=1", { method: "GET", headers: { Authorization: "Basic c2VjcmV0" } });
    expect(log.getSnapshot()[0]).toMatchObject({ method: "GET", kind: "manifest", status: 200, bytes: 11, done: false });
    c.tick(3);
    expect(await res.text()).toBe("hello world");
    expect(res.headers.get("Content-Type")).toBe("application/json");
    const [r] = log.getSnapshot();
    expect(r).toMatchObject({ path: "/registry/r.io/v2/app/manifests/latest", status: 200, bytes: 11, ms: 8, done: true });
    expect(JSON.stringify(r)).not.toContain("c2VjcmV0");
  });

  it("counts the bytes when there is no Content-Length", async () => {
    const log = createRequestLog();
    const stream = new ReadableStream<Uint8Array>({
      start(ctrl) {
        ctrl.enqueue(new Uint8Array(3));
        ctrl.enqueue(new Uint8Array(4));
        ctrl.close();
      },
    });
    const f = recordingFetch(log, async () => new Response(stream), { proxyBase: "/registry" });
    const res = await f(`/registry/r.io/v2/app/blobs/${DIGEST}`);
    expect(log.getSnapshot()[0]?.bytes).toBeUndefined();
    expect((await res.arrayBuffer()).byteLength).toBe(7);
    expect(log.getSnapshot()[0]).toMatchObject({ kind: "blob", reference: DIGEST, bytes: 7, done: true });
  });

  it("keeps error statuses and the registry's challenge the proxy passed on", async () => {
    const log = createRequestLog();
    const challenge = 'Bearer realm="https://auth.example/token",service="r.io",error="insufficient_scope"';
    const f = recordingFetch(log, async () => new Response("{}", { status: 401, headers: { "X-Registry-Www-Authenticate": challenge } }), {
      proxyBase: "/registry",
    });
    const res = await f("/registry/r.io/v2/private/manifests/v1");
    expect(res.status).toBe(401);
    await res.text();
    expect(log.getSnapshot()[0]).toMatchObject({ status: 401, challenge, done: true });
  });

  it("records a failed fetch and rethrows", async () => {
    const log = createRequestLog();
    const f = recordingFetch(
      log,
      async () => {
        throw new TypeError("Failed to fetch");
      },
      { proxyBase: "/registry" },
    );
    await expect(f("/registry/r.io/v2/app/manifests/v1")).rejects.toThrow(TypeError);
    expect(log.getSnapshot()[0]).toMatchObject({ done: true, error: "network error" });
    expect(log.getSnapshot()[0]?.status).toBeUndefined();
  });

  it("records a cancelled body", async () => {
    const log = createRequestLog();
    const f = recordingFetch(log, async () => new Response(new ReadableStream({ pull: () => undefined })), { proxyBase: "/registry" });
    const res = await f("/registry/r.io/v2/app/manifests/v1");
    await res.body?.cancel();
    expect(log.getSnapshot()[0]).toMatchObject({ done: true, error: "body cancelled", bytes: 0 });
  });

  it("keeps only the most recent records and a stable snapshot between changes", () => {
    const log = createRequestLog({ max: 2 });
    for (const p of ["a", "b", "c"]) log.begin({ method: "GET", path: `/${p}`, kind: "other" });
    const snap = log.getSnapshot();
    expect(snap.map((r) => r.path)).toEqual(["/b", "/c"]);
    expect(log.getSnapshot()).toBe(snap);
  });
});

describe("createLayerTimeline", () => {
  const state = (layerIndex: number, stage: LayerJobState["progress"]["stage"]): LayerJobState => ({
    layerIndex,
    descriptor: { mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: DIGEST, size: 10 },
    diffId: undefined,
    progress: { stage, compressedBytes: 0, compressedTotal: 10, uncompressedBytes: 0, entries: 0, bytesPerSecond: 0 },
  });

  function fakeJobs(initial: LayerJobState[]) {
    let snap: readonly LayerJobState[] = initial;
    const listeners = new Set<() => void>();
    return {
      subscribe: (l: () => void) => (listeners.add(l), () => listeners.delete(l)),
      getSnapshot: () => snap,
      set(next: LayerJobState[]) {
        snap = next;
        for (const l of listeners) l();
      },
    };
  }

  it("stamps start and end; a layer done without downloading came from the cache", () => {
    const c = clock();
    const jobs = fakeJobs([state(0, "queued"), state(1, "queued")]);
    const timeline = createLayerTimeline(jobs, c.now);
    c.tick(10);
    jobs.set([state(0, "downloading"), state(1, "done")]);
    c.tick(25);
    jobs.set([state(0, "done"), state(1, "done")]);
    const [a, b] = timeline.getSnapshot();
    expect(a).toEqual({ layerIndex: 0, startedAt: 10, endedAt: 35, fromCache: false });
    expect(b).toMatchObject({ layerIndex: 1, fromCache: true, endedAt: 10 });
  });

  it("a retry starts a new timing; dispose stops listening", () => {
    const c = clock();
    const jobs = fakeJobs([state(0, "downloading")]);
    const timeline = createLayerTimeline(jobs, c.now);
    c.tick(5);
    jobs.set([state(0, "failed")]);
    jobs.set([state(0, "queued")]);
    c.tick(5);
    jobs.set([state(0, "downloading")]);
    expect(timeline.getSnapshot()[0]).toEqual({ layerIndex: 0, startedAt: 10, fromCache: false });
    timeline.dispose();
    const before = timeline.getSnapshot();
    jobs.set([state(0, "done")]);
    expect(timeline.getSnapshot()).toBe(before);
  });
});
