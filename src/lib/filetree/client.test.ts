/**
 * The filetree bridge with a fake worker that runs the real worker handler: lazy start, plain
 * inputs (no raw path bytes), latest wins, abort → terminate, idle timeout and dispose.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { computeEfficiency } from "../../core/filetree";
import type { LayerEntry } from "../../core/pipeline/types";
import type { FiletreeWorkerRequest } from "../../workers/filetree-protocol";
import { runFiletreeRequest, transferablesOf } from "../../workers/filetree-runner";
import { buildSizeTree, findPath } from "../../core/treemap";
import { mergeColumns, mergeLayers } from "../../core/filetree";
import { createLayerActivity } from "../layers/activity";
import type { WorkerLike } from "../layers/jobs";
import { EMPTY_FORM } from "../../core/search";
import { packEntries, unpackEntries } from "../../core/pipeline/pack";
import { createFiletreeBridge } from "./client";

const entry = (path: string, size: number, whiteout: LayerEntry["whiteout"] = "none"): LayerEntry => ({
  path,
  rawPath: new TextEncoder().encode(path),
  type: "file",
  typeflag: "0",
  size,
  mode: 0o644,
  uid: 0,
  gid: 0,
  uname: "root",
  gname: "root",
  mtime: 0,
  whiteout,
  headerOffset: 0,
  dataOffset: 512,
});

const layers: readonly (readonly LayerEntry[])[] = [[entry("a", 100), entry("b", 50)], [entry("a", 70)]];

class FakeWorker implements WorkerLike {
  onmessage: ((event: MessageEvent) => void) | null = null;
  onerror: ((event: ErrorEvent) => void) | null = null;
  terminated = false;
  readonly received: FiletreeWorkerRequest[] = [];
  /** Answers asynchronously, as a worker would, unless held. */
  constructor(private readonly hold = false) {}
  postMessage(message: unknown): void {
    const request = structuredClone(message) as FiletreeWorkerRequest;
    this.received.push(request);
    if (!this.hold) this.answer(request);
  }
  answer(request: FiletreeWorkerRequest): void {
    setTimeout(() => {
      if (!this.terminated) this.onmessage?.({ data: structuredClone(runFiletreeRequest(request)) } as MessageEvent);
    }, 0);
  }
  terminate(): void {
    this.terminated = true;
  }
}

afterEach(() => vi.useRealTimers());

describe("filetree bridge", () => {
  it("starts lazily, sends the layers packed and returns the core's report", async () => {
    const workers: FakeWorker[] = [];
    const bridge = createFiletreeBridge({ createWorker: () => (workers.push(new FakeWorker()), workers.at(-1)!) });
    expect(workers).toHaveLength(0);
    const { report, wastedFileCount } = await bridge.efficiency(layers);
    expect(workers).toHaveLength(1);
    expect(report).toEqual(computeEfficiency(layers));
    expect(wastedFileCount).toBe(1);
    const first = workers[0]!.received[0]!;
    if (first.type !== "efficiency") throw new Error("expected an efficiency request");
    expect(first.layers.map((p) => p.n)).toEqual(layers.map((l) => l.length));
    expect(await unpackEntries(first.layers[0]!)).toEqual(layers[0]);
    // The worker is reused for the next request.
    await bridge.efficiency(layers);
    expect(workers).toHaveLength(1);
    bridge.dispose();
    expect(workers[0]!.terminated).toBe(true);
  });

  it("latest wins: a newer request terminates the worker of the older one and rejects it", async () => {
    const workers: FakeWorker[] = [];
    const bridge = createFiletreeBridge({ createWorker: () => (workers.push(new FakeWorker(workers.length === 0)), workers.at(-1)!) });
    const first = bridge.efficiency(layers);
    const second = bridge.efficiency([layers[0]!]);
    await expect(first).rejects.toMatchObject({ name: "AbortError" });
    expect(workers[0]!.terminated).toBe(true);
    expect((await second).report.perLayer).toHaveLength(1);
    bridge.dispose();
  });

  it("an efficiency report waits until no layer is being read; only the latest waiting call runs", async () => {
    const activity = createLayerActivity();
    const workers: FakeWorker[] = [];
    const bridge = createFiletreeBridge({ activity, createWorker: () => (workers.push(new FakeWorker()), workers.at(-1)!) });
    const release = activity.begin();
    const older = bridge.efficiency([layers[0]!, []]);
    const newer = bridge.efficiency(layers);
    await new Promise((r) => setTimeout(r, 10));
    expect(workers).toHaveLength(0); // nothing sent while a layer is read
    await expect(older).rejects.toMatchObject({ name: "AbortError" });
    release();
    const r = await newer;
    expect(workers).toHaveLength(1);
    expect(workers[0]!.received).toHaveLength(1);
    expect(r.report.perLayer).toHaveLength(2);
    bridge.dispose();
  });

  it("with sizeTree, also returns the treemap's size tree from the same merge, its arrays transferable", async () => {
    const bridge = createFiletreeBridge({ createWorker: () => new FakeWorker() });
    const { report, sizeTree } = await bridge.efficiency(layers, { sizeTree: true });
    expect(report).toEqual(computeEfficiency(layers));
    expect(sizeTree).toEqual(buildSizeTree(mergeLayers(layers)));
    expect(sizeTree!.size[0]).toBe(120); // a at its top version (70) + b (50)
    expect(sizeTree!.layer[findPath(sizeTree!, "a")!]).toBe(1);
    expect((await bridge.efficiency(layers)).sizeTree).toBeUndefined(); // only when asked
    bridge.dispose();
    const response = runFiletreeRequest({ type: "efficiency", id: 1, layers: await Promise.all(layers.map((l) => packEntries(l))), sizeTree: true });
    const buffers = transferablesOf(response);
    expect(buffers).toHaveLength(7);
    expect(new Set(buffers).size).toBe(7); // each array owns its buffer: transferring one never detaches another
  });

  it("trims the path lists to listLimit and counts every wasted file", async () => {
    const bridge = createFiletreeBridge({ createWorker: () => new FakeWorker() });
    const many = [Array.from({ length: 5 }, (_, i) => entry(`f${i}`, 10 + i)), Array.from({ length: 5 }, (_, i) => entry(`f${i}`, 1))];
    const { report, wastedFileCount } = await bridge.efficiency(many, { listLimit: 2 });
    expect(wastedFileCount).toBe(5);
    expect(report.wastedFiles).toEqual(computeEfficiency(many).wastedFiles.slice(0, 2));
    expect(report.diveInefficiencies).toHaveLength(2);
    expect(report.dive).toEqual(computeEfficiency(many).dive);
    bridge.dispose();
  });

  it("an abort terminates the worker; an idle worker is terminated after the timeout", async () => {
    vi.useFakeTimers();
    const workers: FakeWorker[] = [];
    const bridge = createFiletreeBridge({ idleTimeoutMs: 1000, createWorker: () => (workers.push(new FakeWorker(workers.length === 0)), workers.at(-1)!) });
    const abort = new AbortController();
    const first = bridge.efficiency(layers, { signal: abort.signal });
    abort.abort();
    await expect(first).rejects.toMatchObject({ name: "AbortError" });
    expect(workers[0]!.terminated).toBe(true);

    const second = bridge.efficiency(layers);
    await vi.advanceTimersByTimeAsync(0);
    await second;
    expect(workers[1]!.terminated).toBe(false);
    await vi.advanceTimersByTimeAsync(1000);
    expect(workers[1]!.terminated).toBe(true);
  });
});

describe("filetree bridge: search", () => {
  const form = { ...EMPTY_FORM, text: "a" };
  it("sends the layers once per worker and dataset, then only the form", async () => {
    const workers: FakeWorker[] = [];
    const bridge = createFiletreeBridge({ createWorker: () => (workers.push(new FakeWorker()), workers.at(-1)!) });
    const first = await bridge.search({ id: 1, layers }, form);
    expect(first.hits.map((h) => h.path)).toEqual(["a"]);
    expect(first.hits[0]?.layer).toBe(1);
    await bridge.search({ id: 1, layers }, { ...form, text: "b" });
    await bridge.search({ id: 2, layers: [layers[0]!] }, form);
    const sent = workers[0]!.received.map((r) => (r.type === "search" ? r.layers !== undefined : "efficiency"));
    expect(sent).toEqual([true, false, true]);
    const r0 = workers[0]!.received[0];
    expect(r0?.type === "search" && r0.layers?.[0]?.n).toBe(layers[0]!.length); // packed
    bridge.dispose();
  });

  it("a watchdog stops a search that does not answer, and the next one starts a fresh worker with the layers", async () => {
    const workers: FakeWorker[] = [];
    let hold = true;
    const bridge = createFiletreeBridge({ createWorker: () => (workers.push(new FakeWorker(hold)), workers.at(-1)!) });
    const stuck = bridge.search({ id: 1, layers }, form, { timeoutMs: 20 });
    await expect(stuck).rejects.toMatchObject({ name: "TimeoutError" });
    expect(workers[0]!.terminated).toBe(true);
    hold = false;
    const next = await bridge.search({ id: 1, layers }, form);
    expect(next.total).toBe(1);
    const r = workers[1]!.received[0];
    expect(r?.type === "search" && r.layers !== undefined).toBe(true);
    bridge.dispose();
  });

  it("reports a bad query from the worker as an error", async () => {
    const bridge = createFiletreeBridge({ createWorker: () => new FakeWorker() });
    await expect(bridge.search({ id: 1, layers }, { ...EMPTY_FORM, text: "(", mode: "regex" })).rejects.toThrow(/Invalid regular expression/);
    bridge.dispose();
  });
});

describe("filetree bridge: the merged view's columns", () => {
  const requests = (w: FakeWorker) => w.received.map((r) => (r.type === "merged" ? { upTo: r.upTo, showDeleted: r.showDeleted, sent: r.layers !== undefined } : r.type));

  it("sends the packed layers once per worker, and answers with the core's columns and the layers' texts", async () => {
    const workers: FakeWorker[] = [];
    const bridge = createFiletreeBridge({ createWorker: () => (workers.push(new FakeWorker()), workers.at(-1)!) });
    const top = await bridge.merged(layers, 1, false);
    const packed = await Promise.all(layers.map((l) => packEntries(l)));
    expect(top.packed.map((p) => p.n)).toEqual([2, 1]);
    expect({ ...top.columns, texts: [] }).toEqual({ ...mergeColumns(packed, 1, false), texts: [] });
    expect(top.columns.texts).toEqual(top.packed.map((p) => p.text));
    // Only what the merge reads crosses: no owners, modes, times, offsets or raw names, and of the names only the kinds.
    const sent = workers[0]!.received[0]!;
    if (sent.type !== "merged" || !sent.layers) throw new Error("expected the layers with the first merge");
    expect(Object.keys(sent.layers[0]!).sort()).toEqual(["flags", "kinds", "linkLen", "n", "pathLen", "size", "targetLen", "text"]);
    const lower = await bridge.merged(layers, 0, true);
    expect(lower.columns.upTo).toBe(0);
    expect(requests(workers[0]!)).toEqual([
      { upTo: 1, showDeleted: false, sent: true },
      { upTo: 0, showDeleted: true, sent: false },
    ]);
    bridge.dispose();
  });

  it("a merge started ahead answers the view's request for the same layers and view, with no second request", async () => {
    const workers: FakeWorker[] = [];
    const bridge = createFiletreeBridge({ createWorker: () => (workers.push(new FakeWorker()), workers.at(-1)!) });
    const packed = await Promise.all(layers.map((l) => packEntries(l)));
    const unpacked = await Promise.all(packed.map((p) => unpackEntries(p))); // as the page gets them: their packed form is known
    bridge.mergeAhead(packed);
    bridge.mergeAhead(packed); // the same layers again: nothing new
    const got = await bridge.merged(unpacked, 1, false);
    expect(got.packed).toEqual(packed);
    expect(requests(workers[0]!)).toEqual([{ upTo: 1, showDeleted: false, sent: true }]);
    // Another view is a request of its own, and the layers are not sent again.
    await bridge.merged(unpacked, 0, false);
    expect(requests(workers[0]!)).toEqual([
      { upTo: 1, showDeleted: false, sent: true },
      { upTo: 0, showDeleted: false, sent: false },
    ]);
    bridge.dispose();
  });

  it("warm() starts the worker once, sending nothing; the merge then uses that worker", async () => {
    const workers: FakeWorker[] = [];
    const bridge = createFiletreeBridge({ createWorker: () => (workers.push(new FakeWorker()), workers.at(-1)!) });
    bridge.warm();
    bridge.warm();
    expect(workers).toHaveLength(1);
    expect(workers[0]!.received).toEqual([]);
    expect((await bridge.merged(layers, 1, false)).columns.upTo).toBe(1);
    expect(workers).toHaveLength(1);
    bridge.dispose();
  });

  it("a merge ahead that was superseded is forgotten: the view's request asks again", async () => {
    const workers: FakeWorker[] = [];
    const bridge = createFiletreeBridge({ createWorker: () => (workers.push(new FakeWorker(workers.length === 0)), workers.at(-1)!) });
    const packed = await Promise.all(layers.map((l) => packEntries(l)));
    const unpacked = await Promise.all(packed.map((p) => unpackEntries(p)));
    bridge.mergeAhead(packed);
    await Promise.resolve();
    const other = bridge.merged(unpacked, 0, false); // supersedes the one ahead (held by the first worker)
    expect((await other).columns.upTo).toBe(0);
    expect(workers[0]!.terminated).toBe(true);
    const top = await bridge.merged(unpacked, 1, false);
    expect(top.columns.upTo).toBe(1);
    expect(requests(workers[1]!)).toEqual([
      { upTo: 0, showDeleted: false, sent: true },
      { upTo: 1, showDeleted: false, sent: false },
    ]);
    bridge.dispose();
  });
});
