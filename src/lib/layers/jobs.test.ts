/**
 * The layer-jobs store with fake workers: the pool, lazy start, immutable snapshots, progress
 * throttling, cancel → terminate, retry alone, the verified-only cache, dispose.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Descriptor } from "../../core/oci";
import type { LayerIndex } from "../../core/pipeline";
import { createRegistryClient } from "../../core/registry";
import type { LayerEntry } from "../../core/pipeline/types";
import { packedDone, type LayerWorkerRequest, type WorkerEvent } from "../../workers/protocol";
import { createVerifiedCache, type VerifiedCache } from "../cache/store";
import { memoryBackend } from "../cache/storage";
import { createLayerActivity, type LayerActivity } from "./activity";
import { SMALL_LAYER_BYTES, createLayerJobs, createSpareWorkers, type WorkerKind, type WorkerLike } from "./jobs";

class FakeWorker implements WorkerLike {
  onmessage: ((event: MessageEvent) => void) | null = null;
  onerror: ((event: ErrorEvent) => void) | null = null;
  readonly received: unknown[] = [];
  terminated = false;
  constructor(readonly kind: WorkerKind) {}
  postMessage(message: unknown): void {
    this.received.push(message);
  }
  terminate(): void {
    this.terminated = true;
  }
  emit(event: WorkerEvent): void {
    this.onmessage?.({ data: event } as MessageEvent);
  }
  get lastRun(): Extract<LayerWorkerRequest, { type: "run" }> {
    return this.received.at(-1) as Extract<LayerWorkerRequest, { type: "run" }>;
  }
}

/** Layer `n`: bigger than SMALL_LAYER_BYTES, so it waits for a lane of the pool (`small` makes a tiny one). */
const d = (n: number, small = false): Descriptor => ({
  mediaType: "application/vnd.oci.image.layer.v1.tar+gzip",
  digest: `sha256:${String(n).repeat(64).slice(0, 64)}`,
  size: (small ? 0 : SMALL_LAYER_BYTES) + 1000 + n,
});

function result(i: number, desc: Descriptor, trusted = true): LayerIndex {
  return {
    layerIndex: i,
    digest: desc.digest,
    diffId: `sha256:${"d".repeat(64)}`,
    mediaType: desc.mediaType,
    compression: "gzip",
    compressedSize: desc.size,
    uncompressedSize: 4096,
    entries: [],
    totals: { entries: 0, files: 0, dirs: 0, symlinks: 0, hardlinks: 0, whiteouts: 0, opaques: 0, others: 0, fileBytes: 0 },
    warnings: [],
    digestVerdict: trusted ? { status: "verified", digest: desc.digest } : { status: "mismatch", expected: desc.digest, actual: `sha256:${"e".repeat(64)}` },
    diffIdVerdict: { status: "verified", digest: `sha256:${"d".repeat(64)}` },
    partial: false,
  };
}

function entry(path: string): LayerEntry {
  return { path, rawPath: new TextEncoder().encode(path), type: "file", typeflag: "0", size: path.length, mode: 0o644, uid: 0, gid: 0, uname: "root", gname: "root", mtime: 1, whiteout: "none", headerOffset: 0, dataOffset: 512 };
}

const client = createRegistryClient({ proxyBase: "/registry", credentials: () => ({ username: "u", password: "p" }) });

function setup(
  n: number,
  opts: { poolSize?: number; mode?: "single" | "split"; layerCache?: VerifiedCache; diffIds?: string[]; small?: readonly number[]; activity?: LayerActivity } = {},
) {
  const workers: FakeWorker[] = [];
  const layers = Array.from({ length: n }, (_, i) => d(i + 1, opts.small?.includes(i) === true));
  const jobs = createLayerJobs(
    client,
    { registry: "r.test", repository: "team/app", layers, diffIds: opts.diffIds ?? layers.map(() => `sha256:${"d".repeat(64)}`), poolSize: opts.poolSize ?? 2 },
    {
      mode: opts.mode ?? "single",
      ...(opts.layerCache !== undefined ? { layerCache: opts.layerCache } : { cache: false }),
      idleTimeoutMs: 50,
      scheduleStore: (write) => setTimeout(write, 0),
      activity: opts.activity ?? createLayerActivity(),
      createWorker: (kind) => {
        const w = new FakeWorker(kind);
        workers.push(w);
        return w;
      },
    },
  );
  return { jobs, workers, layers };
}

/** The workers that were given a layer to run (a lane started while the cache is asked may have none). */
const running = (workers: readonly FakeWorker[]): FakeWorker[] => workers.filter((w) => w.received.some((m) => (m as { type: string }).type === "run"));

afterEach(() => vi.useRealTimers());

describe("createLayerJobs", () => {
  it("starts nothing before start(); then runs poolSize layers at once, lazily creating workers", () => {
    const { jobs, workers, layers } = setup(3);
    expect(workers).toHaveLength(0);
    expect(jobs.getSnapshot().map((s) => s.progress.stage)).toEqual(["queued", "queued", "queued"]);
    jobs.start();
    jobs.start(); // idempotent
    expect(workers).toHaveLength(2);
    expect(jobs.getSnapshot().map((s) => s.progress.stage)).toEqual(["downloading", "downloading", "queued"]);
    const run = workers[0]!.lastRun;
    expect(run.job).toMatchObject({ layerIndex: 0, digest: layers[0]!.digest, size: layers[0]!.size });
    expect(run.request).toEqual({ url: `/registry/r.test/v2/team/app/blobs/${layers[0]!.digest}`, headers: { Authorization: "Basic dTpw" }, registry: "r.test", repository: "team/app" });
    // Layer 0 finishes: its lane (and worker) takes layer 2.
    workers[0]!.emit({ type: "done", runId: run.runId, result: result(0, layers[0]!) });
    expect(workers).toHaveLength(2);
    expect(workers[0]!.lastRun.job.layerIndex).toBe(2);
    expect(jobs.getSnapshot()[0]!.progress.stage).toBe("done");
    jobs.dispose();
  });

  it("a small layer does not wait for the pool: it takes an extra lane beside the big ones", () => {
    const { jobs, workers } = setup(5, { small: [3, 4] });
    jobs.start();
    // Two big layers fill the pool; the two small ones (after a big one still queued) run beside them.
    expect(jobs.getSnapshot().map((s) => s.progress.stage)).toEqual(["downloading", "downloading", "queued", "downloading", "downloading"]);
    expect(workers).toHaveLength(4);
    // A small layer done frees its lane, but the pool is still full: the big layer 2 waits.
    workers[2]!.emit({ type: "done", runId: workers[2]!.lastRun.runId, result: result(3, d(4, true)) });
    expect(jobs.getSnapshot()[2]!.progress.stage).toBe("queued");
    workers[0]!.emit({ type: "done", runId: workers[0]!.lastRun.runId, result: result(0, d(1)) });
    expect(jobs.getSnapshot()[2]!.progress.stage).toBe("downloading");
    jobs.dispose();
  });

  it("progress of several layers is published in one snapshot, at most about 10 a second", async () => {
    const { jobs, workers } = setup(2);
    jobs.start();
    let notified = 0;
    jobs.subscribe(() => notified++);
    for (let i = 1; i <= 20; i++) for (const w of workers) w.emit({ type: "progress", runId: w.lastRun.runId, uncompressedBytes: i * 1000 });
    await new Promise((r) => setTimeout(r, 150));
    expect(notified).toBeLessThanOrEqual(2);
    expect(jobs.getSnapshot().map((s) => s.progress.uncompressedBytes)).toEqual([20_000, 20_000]);
    jobs.dispose();
  });

  it("reports each run to the activity until it is done, cancelled or disposed", () => {
    const activity = createLayerActivity();
    const { jobs, workers, layers } = setup(3, { activity });
    jobs.start();
    expect(activity.active).toBe(2);
    workers[0]!.emit({ type: "done", runId: workers[0]!.lastRun.runId, result: result(0, layers[0]!) });
    expect(activity.active).toBe(2); // layer 2 took the lane
    jobs.cancel(1);
    expect(activity.active).toBe(1);
    jobs.dispose();
    expect(activity.active).toBe(0);
  });

  it("snapshots are immutable: same array until a change, unchanged layers keep their objects", async () => {
    const { jobs, workers } = setup(2);
    jobs.start();
    const a = jobs.getSnapshot();
    expect(jobs.getSnapshot()).toBe(a);
    workers[1]!.emit({ type: "progress", runId: workers[1]!.lastRun.runId, compressedBytes: 10, uncompressedBytes: 40, entries: 1 });
    await new Promise((r) => setTimeout(r, 120)); // progress is throttled
    const b = jobs.getSnapshot();
    expect(b).not.toBe(a);
    expect(b[0]).toBe(a[0]);
    expect(b[1]!.progress).toMatchObject({ compressedBytes: 10, uncompressedBytes: 40, entries: 1 });
    jobs.dispose();
  });

  it("progress is throttled to about 10 updates per second per layer, the last one kept", async () => {
    const { jobs, workers } = setup(1);
    jobs.start();
    let notified = 0;
    jobs.subscribe(() => notified++);
    const runId = workers[0]!.lastRun.runId;
    for (let i = 1; i <= 50; i++) workers[0]!.emit({ type: "progress", runId, uncompressedBytes: i * 1000 });
    expect(notified).toBeLessThanOrEqual(1);
    await new Promise((r) => setTimeout(r, 150));
    expect(notified).toBeLessThanOrEqual(2);
    expect(jobs.getSnapshot()[0]!.progress.uncompressedBytes).toBe(50_000);
    jobs.dispose();
  });

  it("stale events from another run are ignored", () => {
    const { jobs, workers } = setup(1);
    jobs.start();
    const before = jobs.getSnapshot();
    workers[0]!.emit({ type: "progress", runId: 999, uncompressedBytes: 5 });
    expect(jobs.getSnapshot()).toBe(before);
    jobs.dispose();
  });

  it("cancel terminates the layer's workers; retry runs it again alone, from byte 0, in a new worker", () => {
    const { jobs, workers } = setup(3, { poolSize: 1 });
    jobs.start();
    expect(workers).toHaveLength(1);
    jobs.cancel(0);
    expect(workers[0]!.terminated).toBe(true);
    const s0 = jobs.getSnapshot()[0]!;
    expect(s0.progress.stage).toBe("cancelled");
    expect(s0.error).toEqual({ kind: "aborted" });
    // The next queued layer starts in a fresh worker.
    expect(workers).toHaveLength(2);
    expect(workers[1]!.lastRun.job.layerIndex).toBe(1);
    jobs.retry(0);
    expect(jobs.getSnapshot()[0]!.progress).toMatchObject({ stage: "queued", compressedBytes: 0, uncompressedBytes: 0 });
    // Layer 1 finishes: layer 0 goes before layer 2.
    workers[1]!.emit({ type: "done", runId: workers[1]!.lastRun.runId, result: result(1, d(2)) });
    expect(workers[1]!.lastRun.job.layerIndex).toBe(0);
    jobs.cancel();
    expect(jobs.getSnapshot().map((s) => s.progress.stage)).toEqual(["cancelled", "done", "cancelled"]);
    jobs.dispose();
  });

  it("a failed run is reported with its error and its lane is replaced", () => {
    const { jobs, workers } = setup(1);
    jobs.start();
    workers[0]!.emit({ type: "failed", runId: workers[0]!.lastRun.runId, error: { kind: "denied", registry: "r.test", repository: "team/app" } });
    expect(workers[0]!.terminated).toBe(true);
    expect(jobs.getSnapshot()[0]).toMatchObject({ progress: { stage: "failed" }, error: { kind: "denied" } });
    jobs.dispose();
  });

  it("L5: a layer cut short by the network runs again from byte 0, twice at most, then fails", () => {
    const { jobs, workers, layers } = setup(1);
    jobs.start();
    const truncated = { kind: "size-mismatch", digest: layers[0]!.digest, expected: 1001, actual: 10, direction: "truncated" } as const;
    const cut = (): void => {
      const w = workers.at(-1)!;
      w.emit({ type: "done", runId: w.lastRun.runId, result: { ...result(0, layers[0]!), partial: true, error: truncated } });
    };
    cut();
    cut();
    expect(workers.at(-1)!.received.filter((m) => (m as { type: string }).type === "run")).toHaveLength(3);
    expect(jobs.getSnapshot()[0]!.progress.stage).toBe("downloading"); // third attempt running, nothing partial kept
    expect(jobs.getSnapshot()[0]!.result).toBeUndefined();
    cut();
    expect(jobs.getSnapshot()[0]).toMatchObject({ progress: { stage: "failed" }, error: truncated });
    // A user's retry gets a fresh allowance.
    jobs.retry(0);
    cut();
    expect(jobs.getSnapshot()[0]!.progress.stage).toBe("downloading");
    jobs.dispose();
  });

  it("R4: a 429 waits its Retry-After with a visible wait, then runs again; three times at most, then fails; cancel ends a wait", () => {
    vi.useFakeTimers();
    const { jobs, workers } = setup(2, { poolSize: 1 });
    jobs.start();
    const limited = { kind: "rate-limited", registry: "r.test", retryAfterSeconds: 2 } as const;
    const limit = (): void => {
      const w = workers.at(-1)!;
      w.emit({ type: "failed", runId: w.lastRun.runId, error: limited });
    };
    const runs = (): number => workers.flatMap((w) => w.received).filter((m) => (m as { type: string }).type === "run").length;
    limit();
    expect(jobs.getSnapshot()[0]).toMatchObject({ progress: { stage: "queued" }, error: limited, rateLimitWait: { attempt: 1, max: 3 } });
    // While layer 0 waits, the lane goes to layer 1.
    expect(runs()).toBe(2);
    workers.at(-1)!.emit({ type: "done", runId: workers.at(-1)!.lastRun.runId, result: result(1, d(2)) });
    vi.advanceTimersByTime(1999);
    expect(runs()).toBe(2);
    vi.advanceTimersByTime(1);
    expect(runs()).toBe(3);
    expect(jobs.getSnapshot()[0]!.rateLimitWait).toBeUndefined();
    limit();
    vi.advanceTimersByTime(2000);
    limit();
    vi.advanceTimersByTime(2000);
    expect(runs()).toBe(5);
    limit();
    expect(jobs.getSnapshot()[0]).toMatchObject({ progress: { stage: "failed" }, error: limited });
    expect(jobs.getSnapshot()[0]!.rateLimitWait).toBeUndefined();
    vi.advanceTimersByTime(60_000);
    expect(runs()).toBe(5);
    // A user's retry gets a fresh allowance; cancelling during a wait ends it for good.
    jobs.retry(0);
    limit();
    expect(jobs.getSnapshot()[0]!.rateLimitWait).toMatchObject({ attempt: 1 });
    jobs.cancel(0);
    expect(jobs.getSnapshot()[0]).toMatchObject({ progress: { stage: "cancelled" } });
    vi.advanceTimersByTime(60_000);
    expect(runs()).toBe(6);
    jobs.dispose();
  });

  it("wrong bytes are never retried automatically", () => {
    const { jobs, workers, layers } = setup(1);
    jobs.start();
    workers[0]!.emit({ type: "done", runId: workers[0]!.lastRun.runId, result: result(0, layers[0]!, false) });
    expect(jobs.getSnapshot()[0]!.progress.stage).toBe("done");
    expect(workers[0]!.received.filter((m) => (m as { type: string }).type === "run")).toHaveLength(1);
    jobs.dispose();
  });

  it("a worker crash fails the layer", () => {
    const { jobs, workers } = setup(1);
    jobs.start();
    workers[0]!.onerror?.({ message: "boom" } as ErrorEvent);
    expect(jobs.getSnapshot()[0]!.progress.stage).toBe("failed");
    jobs.dispose();
  });

  it("verified layers are kept in the persistent cache by digest and reused with source 'cache'; untrusted ones are not", async () => {
    const layerCache = createVerifiedCache({ backend: memoryBackend() });
    const first = setup(2, { layerCache });
    first.jobs.start();
    await vi.waitFor(() => expect(running(first.workers)).toHaveLength(2)); // both missed the cache
    first.workers[0]!.emit({ type: "done", runId: first.workers[0]!.lastRun.runId, result: result(0, first.layers[0]!) });
    first.workers[1]!.emit({ type: "done", runId: first.workers[1]!.lastRun.runId, result: result(1, first.layers[1]!, false) });
    expect(first.jobs.getSnapshot()[1]!.progress.stage).toBe("done");
    expect(first.jobs.getSnapshot()[0]!.source).toBe("network");
    await vi.waitFor(() => expect(layerCache.getUsage().layers).toBe(1));
    first.jobs.dispose();

    const again = setup(2, { layerCache });
    again.jobs.start();
    // Layer 0 comes from the cache; layer 1 (digest mismatch) is fetched again.
    await vi.waitFor(() => expect(again.jobs.getSnapshot()[0]!.progress.stage).toBe("done"));
    expect(again.jobs.getSnapshot()[0]).toMatchObject({ source: "cache", result: { layerIndex: 0, digestVerdict: { status: "verified" }, diffIdVerdict: { status: "verified" } } });
    expect(again.jobs.getSnapshot()[0]!.cachedAt).toBeTypeOf("number");
    await vi.waitFor(() => expect(running(again.workers)).toHaveLength(1));
    expect(running(again.workers)[0]!.lastRun.job.layerIndex).toBe(1);
    again.jobs.dispose();
  });

  it("the first lanes' workers start while the cache is asked, and then run the layers it did not have", async () => {
    const layerCache = createVerifiedCache({ backend: memoryBackend() });
    const { jobs, workers } = setup(3, { layerCache });
    jobs.start();
    expect(workers).toHaveLength(2); // poolSize lanes, before any answer
    expect(running(workers)).toHaveLength(0);
    await vi.waitFor(() => expect(running(workers)).toHaveLength(2));
    expect(workers).toHaveLength(2); // the same workers took the runs
    jobs.dispose();
  });

  it("verified layers are written to the cache only once no layer is being read", async () => {
    const layerCache = createVerifiedCache({ backend: memoryBackend() });
    const { jobs, workers, layers } = setup(2, { layerCache });
    jobs.start();
    await vi.waitFor(() => expect(running(workers)).toHaveLength(2));
    workers[0]!.emit({ type: "done", runId: workers[0]!.lastRun.runId, result: result(0, layers[0]!) });
    await new Promise((r) => setTimeout(r, 20));
    expect(layerCache.getUsage().layers).toBe(0); // layer 1 still streams
    workers[1]!.emit({ type: "done", runId: workers[1]!.lastRun.runId, result: result(1, layers[1]!) });
    await vi.waitFor(() => expect(layerCache.getUsage().layers).toBe(2));
    jobs.dispose();
  });

  it("a result whose entries come packed (as the workers send them) is unpacked, published once, and cached without packing again", async () => {
    const layerCache = createVerifiedCache({ backend: memoryBackend() });
    const put = vi.spyOn(layerCache, "putLayer");
    const { jobs, workers, layers } = setup(2, { layerCache });
    jobs.start();
    await vi.waitFor(() => expect(running(workers)).toHaveLength(2));
    const entries = Array.from({ length: 25_000 }, (_, k) => entry(`srv/d${k % 7}/f${k}`));
    const full = { ...result(0, layers[0]!), entries };
    const { event } = await packedDone(workers[0]!.lastRun.runId, full);
    workers[0]!.emit(event);
    // A layer cancelled while its entries are unpacked stays cancelled.
    const other = await packedDone(workers[1]!.lastRun.runId, { ...result(1, layers[1]!), entries: entries.slice(0, 3) });
    workers[1]!.emit(other.event);
    jobs.cancel(1);
    await vi.waitFor(() => expect(jobs.getSnapshot()[0]!.progress.stage).toBe("done"));
    const got = jobs.getSnapshot()[0]!;
    expect(got.result?.entries).toHaveLength(25_000);
    expect(got.result?.entries[24_999]).toEqual(entries[24_999]);
    expect(got.progress.entries).toBe(25_000);
    expect(put).toHaveBeenCalledWith(got.result, "packed" in event ? event.packed : undefined);
    await new Promise((r) => setTimeout(r, 20));
    expect(jobs.getSnapshot()[1]!.progress.stage).toBe("cancelled");
    expect(jobs.getSnapshot()[1]!.result).toBeUndefined();
    jobs.dispose();
  });

  it("a cached layer under a config claiming another diff_id shows the mismatch without a download", async () => {
    const layerCache = createVerifiedCache({ backend: memoryBackend() });
    const first = setup(1, { layerCache });
    first.jobs.start();
    await vi.waitFor(() => expect(running(first.workers)).toHaveLength(1));
    first.workers[0]!.emit({ type: "done", runId: first.workers[0]!.lastRun.runId, result: result(0, first.layers[0]!) });
    await vi.waitFor(() => expect(layerCache.getUsage().layers).toBe(1));
    first.jobs.dispose();

    const other = `sha256:${"f".repeat(64)}`;
    const again = setup(1, { layerCache, diffIds: [other] });
    again.jobs.start();
    await vi.waitFor(() => expect(again.jobs.getSnapshot()[0]!.progress.stage).toBe("done"));
    expect(again.jobs.getSnapshot()[0]).toMatchObject({
      source: "cache",
      result: { diffId: other, digestVerdict: { status: "verified" }, diffIdVerdict: { status: "mismatch", expected: other, actual: `sha256:${"d".repeat(64)}` } },
    });
    // The lane started while the cache was asked ran nothing: no run, so no request.
    expect(running(again.workers)).toHaveLength(0);
    again.jobs.dispose();
  });

  it("cancelling a layer while its cache lookup runs keeps it cancelled", async () => {
    const layerCache = createVerifiedCache({ backend: memoryBackend() });
    const { jobs, workers } = setup(1, { layerCache });
    jobs.start();
    jobs.cancel(0);
    await new Promise((r) => setTimeout(r, 20));
    expect(jobs.getSnapshot()[0]!.progress.stage).toBe("cancelled");
    expect(running(workers)).toHaveLength(0);
    jobs.dispose();
  });

  it("split mode starts a blob and a tar worker joined by a MessageChannel", () => {
    const { jobs, workers } = setup(1, { mode: "split" });
    jobs.start();
    expect(workers.map((w) => w.kind)).toEqual(["blob", "tar"]);
    const blobRun = workers[0]!.received[0] as { port: MessagePort; credits: number; batchBytes: number };
    const tarRun = workers[1]!.received[0] as { port: MessagePort };
    expect(blobRun.port).toBeInstanceOf(MessagePort);
    expect(tarRun.port).toBeInstanceOf(MessagePort);
    expect(blobRun.credits).toBeGreaterThan(0);
    jobs.cancel(0);
    expect(workers.every((w) => w.terminated)).toBe(true);
    blobRun.port.close();
    tarRun.port.close();
    jobs.dispose();
  });

  it("idle lanes are terminated after the idle timeout; dispose terminates everything", async () => {
    const { jobs, workers } = setup(2);
    jobs.start();
    workers[0]!.emit({ type: "done", runId: workers[0]!.lastRun.runId, result: result(0, d(1)) });
    await new Promise((r) => setTimeout(r, 100));
    expect(workers[0]!.terminated).toBe(true);
    expect(workers[1]!.terminated).toBe(false);
    jobs.dispose();
    expect(workers[1]!.terminated).toBe(true);
  });
});

describe("createSpareWorkers", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  const fakes = (): { made: { kind: WorkerKind; ended: boolean }[]; create: (kind: WorkerKind) => WorkerLike } => {
    const made: { kind: WorkerKind; ended: boolean }[] = [];
    return {
      made,
      create: (kind) => {
        const record = { kind, ended: false };
        made.push(record);
        return { postMessage: () => undefined, terminate: () => void (record.ended = true), onmessage: null, onerror: null, record } as WorkerLike;
      },
    };
  };

  it.each([
    { mode: "split" as const, lanes: 2, kinds: ["blob", "blob", "tar", "tar"] },
    { mode: "single" as const, lanes: 2, kinds: ["layer", "layer"] },
    { mode: "split" as const, lanes: 1, kinds: ["blob", "tar"] },
  ])("starts $lanes lane(s) of $mode workers, once however often it is asked", ({ mode, lanes, kinds }) => {
    vi.useFakeTimers();
    const { made, create } = fakes();
    const spares = createSpareWorkers(create, 1000);
    spares.prewarm(lanes, mode);
    spares.prewarm(lanes, mode);
    expect(made.map((m) => m.kind).sort()).toEqual(kinds);
  });

  it("gives its workers out first, then makes new ones", () => {
    vi.useFakeTimers();
    const { made, create } = fakes();
    const spares = createSpareWorkers(create, 1000);
    spares.prewarm(1, "split");
    const blob = spares.take("blob") as WorkerLike & { record: { kind: WorkerKind } };
    expect(blob.record).toBe(made[0]);
    expect(made).toHaveLength(2);
    spares.take("blob");
    expect(made).toHaveLength(3);
    expect(made[2]!.kind).toBe("blob");
  });

  it("ends the workers nobody took after the idle time, and only those", () => {
    vi.useFakeTimers();
    const { made, create } = fakes();
    const spares = createSpareWorkers(create, 1000);
    spares.prewarm(2, "split");
    spares.take("tar");
    vi.advanceTimersByTime(999);
    expect(made.filter((m) => m.ended)).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(made.filter((m) => m.ended).map((m) => m.kind).sort()).toEqual(["blob", "blob", "tar"]);
    expect(made.find((m) => m.kind === "tar" && !m.ended)).toBeDefined();
  });
});
