import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { buildTar, type TarEntry } from "../testing/tar";
import { computeEfficiency, EFFICIENCY_CORRECTION_NOTE } from "./efficiency";
import { mergeLayers } from "./merge";
import { dockerArchiveLayers, layerEntries } from "./testdata/layers";

const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(`./testdata/${name}`, import.meta.url)));
const layersOf = (...tars: (readonly TarEntry[])[]) => tars.map((t) => layerEntries(buildTar(t)));

describe("dive's own test image (wagoodman/dive .data/test-docker-image.tar)", () => {
  const { layers: tars } = dockerArchiveLayers(fixture("test-docker-image.tar"), (b) => new Uint8Array(gunzipSync(b)));
  const layers = tars.map(layerEntries);
  const report = computeEfficiency(layers);

  it("reproduces dive's figures exactly", () => {
    expect(layers).toHaveLength(14);
    expect(report.dive.efficiency).toBe(0.9844212134184309);
    expect(report.dive.wastedBytes).toBe(32025);
    expect(report.dive.userWastedPercent).toBe(0.4834911001404049);
    expect(report.dive.sizeBytes).toBe(1220598);
    expect(report.dive.userSizeBytes).toBe(66237);
  });

  it("lists dive's inefficient files", () => {
    const list = report.diveInefficiencies.map((f) => ({ file: `/${f.path}`, count: f.count, sizeBytes: f.cumulativeBytes }));
    expect(new Set(list.map((f) => JSON.stringify(f)))).toEqual(
      new Set(
        [
          { file: "/root/saved.txt", count: 2, sizeBytes: 12810 },
          { file: "/root/example/somefile1.txt", count: 2, sizeBytes: 12810 },
          { file: "/root/example/somefile3.txt", count: 2, sizeBytes: 6405 },
        ].map((f) => JSON.stringify(f)),
      ),
    );
  });
});

describe("the corrected figure (dive issue #684) on dive's test image", () => {
  const { layers: tars } = dockerArchiveLayers(fixture("test-docker-image.tar"), (b) => new Uint8Array(gunzipSync(b)));
  const report = computeEfficiency(tars.map(layerEntries));

  /*
   * Hand-checked (Dockerfile.test-image; README.md is 6405 bytes):
   *   /root/saved.txt             copies: layer 7 (mv, 6405), layer 13 (chmod, 6405)  cumulative 12810, min 6405
   *   /root/example/somefile1.txt copies: layer 3 (cp, 6405), layer 4 (chmod, 6405)  cumulative 12810, min 6405
   *   /root/example/somefile3.txt copies: layer 6 (cp, 6405), layer 7 (.wh., a file: 0) cumulative 6405, min 0
   * dive:      wasted = 12810 + 12810 + 6405 = 32025 (every copy)
   * corrected: wasted = (12810-6405) + (12810-6405) + (6405-0) = 19215; 19215 / 66237 user bytes.
   * The efficiency does not change: Σmin/Σcumulative already keeps one copy per path, and
   * Σcumulative = 1220598 layer bytes + 12810 (the `rm -rf /root/example` whiteout, sized as the
   * directory's subtree: somefile1 + somefile2) = 1233408, so 1 − 19215/1233408 is the same score.
   */
  it("counts only the copies that could go", () => {
    expect(report.corrected.wastedBytes).toBe(19215);
    expect(report.corrected.userWastedPercent).toBe(19215 / 66237);
    expect(report.corrected.efficiency).toBe(report.dive.efficiency);
    expect(1 - 19215 / 1233408).toBeCloseTo(report.dive.efficiency, 15);
    expect(report.diveInefficiencies.map((f) => [f.path, f.reclaimableBytes, f.layers])).toEqual([
      ["root/example/somefile1.txt", 6405, [3, 4]],
      ["root/saved.txt", 6405, [7, 13]],
      ["root/example/somefile3.txt", 6405, [6, 7]],
    ]);
    expect(EFFICIENCY_CORRECTION_NOTE).toMatch(/#684/);
  });

  /*
   * From the overlay merge: bytes written but invisible at the top. somefile1 twice (layers 3, 4;
   * then rm -rf), somefile2 (layer 5; rm -rf), somefile3 (layer 6; mv), saved.txt's layer-7 copy
   * (replaced by chmod in layer 13): 6405 × 5 = 32025 — here dive's number is right by accident,
   * since its double count of saved.txt / somefile1 offsets the deleted somefile2 it misses.
   */
  it("accounts per layer from the merge", () => {
    expect(report.overlay.wastedBytes).toBe(32025);
    expect(report.overlay.sizeBytes).toBe(1220598);
    expect(report.perLayer.map((l) => l.wastedBytes)).toEqual([0, 0, 0, 6405, 6405, 6405, 6405, 6405, 0, 0, 0, 0, 0, 0]);
    expect(report.perLayer.map((l) => l.deletedBytes)).toEqual([0, 0, 0, 0, 6405, 6405, 6405, 0, 0, 0, 0, 0, 0, 0]);
    expect(report.perLayer[3]).toMatchObject({ addedBytes: 6405, liveBytes: 0, overwrittenBytes: 6405 });
    expect(report.wastedFiles.map((f) => [f.path, f.wastedBytes, f.layers, f.deleted])).toEqual([
      ["root/example/somefile1.txt", 12810, [3, 4, 9], true],
      ["root/example/somefile2.txt", 6405, [5, 9], true],
      ["root/example/somefile3.txt", 6405, [6, 7], true],
      ["root/saved.txt", 6405, [7, 13], false],
    ]);
  });
});

describe("computeEfficiency on layers built in code", () => {
  const kb = "x".repeat(1000);
  it("sizes a directory whiteout as its subtree and a file whiteout as nothing, like dive", () => {
    const layers = layersOf(
      [{ path: "base", content: "b".repeat(100) }],
      [{ path: "d/", type: "dir" }, { path: "d/a", content: kb }, { path: "d/b", content: kb }, { path: "f", content: kb }],
      [{ path: ".wh.d" }, { path: ".wh.f" }],
    );
    const r = computeEfficiency(layers);
    // paths: base 100 (once), d/a 1000, d/b 1000, f: 1000 + 0 (count 2), d: whiteout leaf 2000 (once; d has children in layer 1).
    expect(r.dive.sizeBytes).toBe(3100);
    expect(r.dive.userSizeBytes).toBe(3000);
    expect(r.diveInefficiencies).toEqual([{ path: "f", count: 2, cumulativeBytes: 1000, reclaimableBytes: 1000, layers: [1, 2] }]);
    expect(r.dive.wastedBytes).toBe(1000);
    expect(r.dive.efficiency).toBe((100 + 1000 + 1000 + 0 + 2000) / (100 + 1000 + 1000 + 1000 + 2000));
    // The overlay sees all 3000 bytes of layer 1 deleted.
    expect(r.overlay.wastedBytes).toBe(3000);
    expect(r.perLayer[1]).toEqual({ layer: 1, addedBytes: 3000, liveBytes: 0, wastedBytes: 3000, overwrittenBytes: 0, deletedBytes: 3000 });
  });

  it("double counts a file written three times, and the correction keeps one copy", () => {
    const layers = layersOf([{ path: "f", content: "a".repeat(10) }], [{ path: "f", content: "b".repeat(30) }], [{ path: "f", content: "c".repeat(20) }]);
    const r = computeEfficiency(layers);
    expect(r.dive.wastedBytes).toBe(60);
    expect(r.corrected.wastedBytes).toBe(50);
    expect(r.dive.efficiency).toBe(10 / 60);
    expect(r.overlay.wastedBytes).toBe(40);
    expect(r.wastedFiles).toEqual([{ path: "f", count: 3, wastedBytes: 40, layers: [0, 1, 2], deleted: false }]);
  });

  it("gives 1 and 0 for an empty image", () => {
    const r = computeEfficiency([]);
    expect(r.dive).toEqual({ efficiency: 1, wastedBytes: 0, userWastedPercent: 0, sizeBytes: 0, userSizeBytes: 0 });
    expect(r.perLayer).toEqual([]);
  });

  it("agrees with a merge passed in", () => {
    const layers = layersOf([{ path: "a", content: kb }], [{ path: "a", content: "y" }]);
    expect(computeEfficiency(layers, mergeLayers(layers))).toEqual(computeEfficiency(layers));
  });
});
