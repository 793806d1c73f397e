import { describe, expect, it } from "vitest";
import { computeEfficiency } from "../../core/filetree";
import { fakeEntry, fakeResult, fakeState } from "../layers/testing";
import { layerEntries } from "../merged/model";
import { LAYER_COLOURS, chartScale, fitLabel, layerBars, layerColour, layerPattern, spansOrders, wastedShare, type LayerBar } from "./model";

describe("layerBars", () => {
  // Layer 0 writes a (1000 B) and b (500 B); layer 1 overwrites a (200 B) and whites out b; layer 2 is empty.
  const l0 = [fakeEntry("a", { size: 1000 }), fakeEntry("b", { size: 500 })];
  const l1 = [fakeEntry("a", { size: 200 }), fakeEntry(".wh.b", { whiteout: "whiteout", whiteoutTarget: "b" })];
  const l2 = [fakeEntry("d", { type: "dir" })];
  const results = [fakeResult(0, l0), fakeResult(1, l1), fakeResult(2, l2)];
  const report = computeEfficiency(results.map((r) => r.entries));

  it("takes the compressed size from the descriptor, the tar's from the result, the wasted bytes from the merge", () => {
    const bars = layerBars(
      results.map((r, i) => fakeState(i, { result: r })),
      report.perLayer,
    );
    expect(bars.map((b) => [b.status, b.compressed, b.uncompressed, b.wasted, b.empty])).toEqual([
      ["indexed", 1_000_000, results[0]!.uncompressedSize, 1500, false],
      ["indexed", 2_000_000, results[1]!.uncompressedSize, 0, false],
      ["indexed", 3_000_000, results[2]!.uncompressedSize, 0, true],
    ]);
    expect(bars[0]).toMatchObject({ overwritten: 1000, deleted: 500, fileBytes: 1500 });
    expect(wastedShare(bars[0]!)).toBe(1);
    expect(wastedShare(bars[1]!)).toBe(0);
    expect(wastedShare(bars[2]!)).toBe(0); // no file bytes: no share, not NaN
  });

  it("shows pending layers with their download progress, failed ones as failed, partial ones as partial", () => {
    const bars = layerBars(
      [
        fakeState(0, { progress: { stage: "downloading", compressedBytes: 250_000, compressedTotal: 1_000_000, uncompressedBytes: 0, entries: 0, bytesPerSecond: 0 } }),
        fakeState(1, { progress: { stage: "failed", compressedBytes: 0, compressedTotal: 2_000_000, uncompressedBytes: 0, entries: 0, bytesPerSecond: 0 } }),
        fakeState(2, { result: fakeResult(2, l2, { partial: true }) }),
        fakeState(3, { progress: { stage: "cancelled", compressedBytes: 10, compressedTotal: 4_000_000, uncompressedBytes: 0, entries: 0, bytesPerSecond: 0 } }),
      ],
      [],
    );
    expect(bars.map((b) => b.status)).toEqual(["pending", "failed", "partial", "cancelled"]);
    expect(bars[0]!.progress).toBe(0.25);
    expect(bars[0]!.uncompressed).toBeUndefined();
    expect(bars[1]!.compressed).toBe(2_000_000);
    expect(bars[2]!.wasted).toBeUndefined(); // no report for it yet
  });
});

const bar = (compressed: number, uncompressed?: number): LayerBar => ({ layer: 0, status: "indexed", compressed, ...(uncompressed !== undefined ? { uncompressed } : {}), empty: false });

describe("chart scales", () => {
  it("offers log only when sizes span two orders of magnitude", () => {
    expect(spansOrders([bar(1000, 5000), bar(2000, 9000)])).toBe(false);
    expect(spansOrders([bar(30, 1024), bar(400_000, 800_000)])).toBe(true);
    expect(spansOrders([bar(0, 0), bar(10, 20)])).toBe(false); // zero is not an order of magnitude
    expect(spansOrders([])).toBe(false);
  });

  it("linear: 0 to a round maximum, proportional", () => {
    const s = chartScale([bar(300, 7_300)], "linear");
    expect(s.max).toBe(10_000);
    expect(s.at(5_000)).toBe(0.5);
    expect(s.ticks.map((t) => t.bytes)).toEqual([0, 2_500, 5_000, 7_500, 10_000]);
  });

  it("log: 1 byte to a power of ten, a gridline per power of 1000, 0 bytes at the start", () => {
    const s = chartScale([bar(29, 1024), bar(408_000, 765_000)], "log");
    expect(s.max).toBe(1_000_000);
    expect(s.at(0)).toBe(0);
    expect(s.at(1000)).toBeCloseTo(0.5, 10);
    expect(s.at(1_000_000)).toBe(1);
    expect(s.ticks.map((t) => t.bytes)).toEqual([1, 1000, 1_000_000]);
  });
});

describe("layer colours", () => {
  it("are distinct for the first eight layers, then repeat with a pattern", () => {
    expect(new Set(Array.from({ length: 8 }, (_, i) => layerColour(i))).size).toBe(8);
    expect(layerColour(8)).toBe(LAYER_COLOURS[0]);
    expect([layerPattern(0), layerPattern(8), layerPattern(16), layerPattern(24)]).toEqual(["none", "stripes", "dots", "none"]);
  });
});

describe("fitLabel", () => {
  it.each([
    ["libbig.so", 200, "libbig.so"],
    ["a-very-long-file-name.tar.gz", 60, "a-very-…"],
    ["abc", 20, undefined],
  ])("%s in %d px", (text, width, want) => {
    expect(fitLabel(text, width)).toBe(want);
  });
});

describe("layerEntries", () => {
  it("gives every caller the same array for the same results, so merges and the analysis are shared", () => {
    const results = [fakeResult(0, [fakeEntry("x")]), undefined];
    const a = layerEntries(results);
    expect(layerEntries([...results])).toBe(a);
    expect(layerEntries([results[0], fakeResult(1, [])])).not.toBe(a);
  });
});
