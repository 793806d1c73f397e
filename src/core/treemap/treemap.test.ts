import { describe, expect, it } from "vitest";
import { mergeLayers, type MergeInput } from "../filetree";
import type { MergedEntry, MergedFilesystem, PathVersion } from "../filetree/types";
import { buildTar, type TarEntry } from "../testing/tar";
import { layerEntries } from "../filetree/testdata/layers";
import { squarify, type Rect } from "./squarify";
import { ancestorsOf, buildSizeTree, childrenOf, findPath, layerBytesUnder, NodeKind, pathOf } from "./sizetree";
import { layoutTreemap, type TreemapTile } from "./layout";

const EPS = 1e-6;
const area = (r: Rect): number => r.w * r.h;

function inside(r: Rect, b: Rect): boolean {
  return r.x >= b.x - EPS && r.y >= b.y - EPS && r.x + r.w <= b.x + b.w + EPS && r.y + r.h <= b.y + b.h + EPS;
}

function overlap(a: Rect, b: Rect): number {
  const w = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

function expectTiling(sizes: readonly number[], rects: readonly Rect[], bounds: Rect): void {
  expect(rects).toHaveLength(sizes.length);
  const total = sizes.reduce((s, n) => s + (n > 0 ? n : 0), 0);
  for (let i = 0; i < rects.length; i++) {
    const r = rects[i]!;
    for (const v of [r.x, r.y, r.w, r.h]) expect(Number.isFinite(v)).toBe(true);
    expect(r.w).toBeGreaterThanOrEqual(0);
    expect(r.h).toBeGreaterThanOrEqual(0);
    expect(inside(r, bounds)).toBe(true);
    // Areas proportional to sizes, within floating-point rounding.
    const want = total === 0 ? 0 : (Math.max(0, sizes[i]!) / total) * area(bounds);
    expect(Math.abs(area(r) - want)).toBeLessThan(1e-6 * area(bounds) + EPS);
  }
  for (let i = 0; i < rects.length; i++) for (let j = i + 1; j < rects.length; j++) expect(overlap(rects[i]!, rects[j]!)).toBeLessThan(1e-6);
}

describe("squarify", () => {
  const bounds: Rect = { x: 10, y: 20, w: 600, h: 400 };
  const cases: { name: string; sizes: number[]; bounds?: Rect }[] = [
    // The paper's example: 6 6 4 3 2 2 1 in a 6 × 4 box.
    { name: "Bruls et al.'s example", sizes: [6, 6, 4, 3, 2, 2, 1], bounds: { x: 0, y: 0, w: 6, h: 4 } },
    { name: "a single item fills the bounds", sizes: [42] },
    { name: "two equal items", sizes: [5, 5] },
    { name: "zero-size items", sizes: [10, 0, 5, 0, 0] },
    { name: "only zeros", sizes: [0, 0, 0] },
    { name: "nothing", sizes: [] },
    { name: "a tall box", sizes: [9, 7, 3, 1, 1], bounds: { x: 0, y: 0, w: 50, h: 900 } },
    { name: "huge spread", sizes: [1e12, 1e9, 1e6, 1e3, 1, 1] },
    { name: "unsorted input still tiles", sizes: [1, 8, 2, 30, 4] },
    { name: "many equal items", sizes: Array.from({ length: 500 }, () => 3) },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const b = c.bounds ?? bounds;
      expectTiling(c.sizes, squarify(c.sizes, b), b);
    });
  }

  it("lays out the paper's example in its rows (6 6 | 4 3 | 2 2 1), every aspect ratio ≤ 3", () => {
    const rects = squarify([6, 6, 4, 3, 2, 2, 1], { x: 0, y: 0, w: 6, h: 4 });
    expect(rects[0]).toEqual({ x: 0, y: 0, w: 3, h: 2 });
    expect(rects[1]).toEqual({ x: 0, y: 2, w: 3, h: 2 });
    for (const r of rects) expect(Math.max(r.w / r.h, r.h / r.w)).toBeLessThanOrEqual(3 + EPS);
  });

  it("a single item is exactly the bounds", () => {
    expect(squarify([7], bounds)).toEqual([bounds]);
  });

  it("is deterministic", () => {
    const sizes = Array.from({ length: 300 }, (_, i) => ((i * 7919) % 1000) + 1).sort((a, b) => b - a);
    expect(squarify(sizes, bounds)).toEqual(squarify(sizes, bounds));
  });

  it("gives zero-area rectangles (never NaN) for bounds without area", () => {
    for (const r of squarify([1, 2], { x: 1, y: 1, w: 0, h: 10 })) expect(r).toEqual({ x: 1, y: 1, w: 0, h: 0 });
  });
});

const v = (layer: number, type: PathVersion["type"], size = 0): PathVersion => ({ layer, type, size, mode: 0o644, uid: 0, gid: 0, mtime: 0 });

/** A merged filesystem given as path → [layer, type, size]. */
function fsOf(entries: Record<string, [number, PathVersion["type"], number?]>): Pick<MergedFilesystem, "entries"> {
  const map = new Map<string, MergedEntry>();
  for (const [path, [layer, type, size]] of Object.entries(entries)) map.set(path, { path, version: v(layer, type, size), hides: [], implied: false });
  return { entries: map };
}

describe("buildSizeTree", () => {
  it("sums directories, sorts children biggest first then by name, and names each node's layer", () => {
    const tree = buildSizeTree(
      fsOf({
        usr: [0, "dir"],
        "usr/bin": [0, "dir"],
        "usr/bin/big": [1, "file", 300],
        "usr/bin/b": [0, "file", 10],
        "usr/bin/a": [2, "file", 10],
        "usr/lib": [0, "dir"],
        "usr/lib/link": [0, "symlink"],
        etc: [0, "dir"],
        "etc/conf": [3, "file", 5],
      }),
    );
    const id = (p: string): number => findPath(tree, p)!;
    expect(tree.size[0]).toBe(325);
    expect(tree.size[id("usr")]).toBe(320);
    expect(tree.files[id("usr")]).toBe(3);
    expect([...childrenOf(tree, id("usr/bin"))].map((n) => pathOf(tree, n))).toEqual(["usr/bin/big", "usr/bin/a", "usr/bin/b"]);
    expect([...childrenOf(tree, 0)].map((n) => tree.names[n])).toEqual(["usr", "etc"]);
    expect(tree.layer[id("usr/bin/big")]).toBe(1);
    expect(tree.kind[id("usr/lib/link")]).toBe(NodeKind.Other);
    expect(tree.size[id("usr/lib")]).toBe(0);
    expect(ancestorsOf(tree, id("usr/bin/a")).map((n) => pathOf(tree, n))).toEqual(["", "usr", "usr/bin", "usr/bin/a"]);
  });

  it("creates missing ancestors as directories, and keeps __proto__ a plain name (T12)", () => {
    const tree = buildSizeTree(fsOf(Object.fromEntries<[number, PathVersion["type"], number?]>([["a/b/__proto__", [1, "file", 7]], ["constructor", [0, "file", 1]]])));
    expect(tree.kind[findPath(tree, "a/b")!]).toBe(NodeKind.Dir);
    expect(tree.size[findPath(tree, "a")!]).toBe(7);
    expect(pathOf(tree, findPath(tree, "a/b/__proto__")!)).toBe("a/b/__proto__");
    expect(tree.count).toBe(5);
  });

  it("follows the merge: an overwritten file counts once, at its top version; deleted files not at all", () => {
    const tar = (entries: TarEntry[]): MergeInput[] => layerEntries(buildTar(entries));
    const fs = mergeLayers([
      tar([{ path: "app/", type: "dir" }, { path: "app/data", content: "x".repeat(100) }, { path: "app/tmp", content: "y".repeat(50) }]),
      tar([{ path: "app/data", content: "z".repeat(30) }, { path: "app/.wh.tmp", content: "" }]),
    ]);
    const tree = buildSizeTree(fs);
    expect(tree.size[0]).toBe(30);
    expect(tree.layer[findPath(tree, "app/data")!]).toBe(1);
    expect(findPath(tree, "app/tmp")).toBeUndefined();
  });
});

/** A flat directory of `n` files; sizes from `sizeOf`. */
function flat(n: number, sizeOf: (i: number) => number): ReturnType<typeof buildSizeTree> {
  const entries: Record<string, [number, PathVersion["type"], number?]> = { d: [0, "dir"] };
  for (let i = 0; i < n; i++) entries[`d/f${i}`] = [i % 3, "file", sizeOf(i)];
  return buildSizeTree(fsOf(entries));
}

function expectSane(tiles: readonly TreemapTile[], bounds: Rect): void {
  for (const t of tiles) {
    expect(inside(t, bounds)).toBe(true);
    for (const n of [t.x, t.y, t.w, t.h]) expect(Number.isFinite(n)).toBe(true);
  }
  // Siblings (same depth, same parent frame) never overlap: check leaves pairwise on small inputs.
  const leaves = tiles.filter((t) => t.kind !== "dir" || t.open !== true);
  if (leaves.length <= 400) for (let i = 0; i < leaves.length; i++) for (let j = i + 1; j < leaves.length; j++) expect(overlap(leaves[i]!, leaves[j]!)).toBeLessThan(1e-6);
}

describe("layoutTreemap", () => {
  const bounds: Rect = { x: 0, y: 0, w: 800, h: 500 };

  it("nests directories inside their frames, below the label strip, and sizes leaves in proportion", () => {
    const tree = buildSizeTree(fsOf({ a: [0, "dir"], "a/x": [0, "file", 600], "a/y": [1, "file", 200], b: [2, "file", 200] }));
    const { tiles } = layoutTreemap(tree, 0, bounds, { header: 16, padding: 2 });
    expectSane(tiles, bounds);
    const by = (p: string): TreemapTile => tiles.find((t) => t.node === findPath(tree, p))!;
    expect(by("a").kind).toBe("dir");
    expect(by("a").open).toBe(true);
    expect(area(by("a")) / area(bounds)).toBeCloseTo(0.8, 6);
    expect(area(by("b")) / area(bounds)).toBeCloseTo(0.2, 6);
    const a = by("a");
    const inner: Rect = { x: a.x + 2, y: a.y + 16, w: a.w - 4, h: a.h - 18 };
    expect(inside(by("a/x"), inner)).toBe(true);
    expect(area(by("a/x")) / area(by("a/y"))).toBeCloseTo(3, 6);
    expect(tiles.indexOf(by("a"))).toBeLessThan(tiles.indexOf(by("a/x"))); // parents first
  });

  it("a single file fills the bounds", () => {
    const tree = buildSizeTree(fsOf({ only: [0, "file", 9] }));
    expect(layoutTreemap(tree, 0, bounds).tiles).toEqual([{ ...bounds, node: findPath(tree, "only"), depth: 0, kind: "file" }]);
  });

  it("draws nothing for an empty or zero-byte filesystem, and no tile for zero-byte items", () => {
    expect(layoutTreemap(buildSizeTree(fsOf({})), 0, bounds).tiles).toEqual([]);
    expect(layoutTreemap(buildSizeTree(fsOf({ e: [0, "file", 0], l: [0, "symlink"] })), 0, bounds).tiles).toEqual([]);
    const tree = buildSizeTree(fsOf({ big: [0, "file", 100], empty: [0, "file", 0], link: [1, "symlink"] }));
    const { tiles } = layoutTreemap(tree, 0, bounds);
    expect(tiles.map((t) => tree.names[t.node])).toEqual(["big"]);
  });

  it("gathers many tiny files into one 'small items' tile, keeping their bytes and count", () => {
    const tree = flat(10_000, (i) => (i === 0 ? 1_000_000 : 1));
    const { tiles } = layoutTreemap(tree, 0, bounds, { minArea: 100 });
    expectSane(tiles, bounds);
    const rest = tiles.filter((t) => t.kind === "rest");
    expect(rest).toHaveLength(1);
    expect(rest[0]!.restCount).toBe(9_999);
    expect(rest[0]!.restBytes).toBe(9_999);
    expect(rest[0]!.restFiles).toBe(9_999);
    expect(rest[0]!.restFrom).toBe(1);
    const gathered = childrenOf(tree, rest[0]!.node).subarray(rest[0]!.restFrom, rest[0]!.restFrom! + rest[0]!.restCount!);
    expect(layerBytesUnder(tree, gathered).reduce((s, l) => s + l.bytes, 0)).toBe(9_999);
    expect(tiles.length).toBeLessThan(10);
  });

  it("a directory whose children would all be gathered is drawn closed, not as a frame around one grey tile", () => {
    const entries: Record<string, [number, PathVersion["type"], number?]> = { big: [0, "file", 1_000_000], d: [1, "dir"] };
    for (let i = 0; i < 50; i++) entries[`d/f${i}`] = [i % 2 === 0 ? 1 : 2, "file", 400];
    const tree = buildSizeTree(fsOf(entries));
    const { tiles } = layoutTreemap(tree, 0, bounds, { minArea: 144 });
    const d = tiles.find((t) => t.node === findPath(tree, "d"))!;
    expect(d.kind).toBe("dir");
    expect(d.open).toBe(false);
    expect(tiles.some((t) => t.kind === "rest")).toBe(false);
    // What it is made of, by layer, biggest first.
    expect(layerBytesUnder(tree, [d.node])).toEqual([
      { layer: 1, bytes: 25 * 400 },
      { layer: 2, bytes: 25 * 400 },
    ]);
  });

  it("one small item is drawn as itself, not gathered", () => {
    const tree = flat(2, (i) => (i === 0 ? 1_000_000 : 1));
    const { tiles } = layoutTreemap(tree, 0, bounds, { minArea: 100 });
    expect(tiles.some((t) => t.kind === "rest")).toBe(false);
    expect(tiles.filter((t) => t.kind === "file")).toHaveLength(2);
  });

  it("zooms: laid out from a directory, only its subtree is drawn", () => {
    const tree = buildSizeTree(fsOf({ a: [0, "dir"], "a/x": [0, "file", 10], "a/y": [1, "file", 30], b: [2, "file", 1000] }));
    const { tiles } = layoutTreemap(tree, findPath(tree, "a")!, bounds);
    expect(tiles.map((t) => pathOf(tree, t.node)).sort()).toEqual(["a/x", "a/y"]);
    expect(tiles.reduce((s, t) => s + area(t), 0)).toBeCloseTo(area(bounds), 6);
  });

  it("keeps 200 000 paths to a few thousand tiles, and measures build + layout", () => {
    // 200 000 paths: 400 directories of 20 subdirectories of 24 files, sizes spread over 6 orders of magnitude.
    const entries = new Map<string, MergedEntry>();
    let seed = 1;
    const rand = (): number => ((seed = (seed * 48271) % 2147483647) / 2147483647);
    for (let d = 0; d < 400; d++) {
      const dir = `usr/d${d}`;
      entries.set(dir, { path: dir, version: v(d % 7, "dir"), hides: [], implied: false });
      for (let s = 0; s < 20; s++) {
        const sub = `${dir}/s${s}`;
        entries.set(sub, { path: sub, version: v(d % 7, "dir"), hides: [], implied: false });
        for (let f = 0; f < 24; f++) {
          const p = `${sub}/f${f}`;
          entries.set(p, { path: p, version: v((d + f) % 7, "file", Math.floor(10 ** (rand() * 6))), hides: [], implied: false });
        }
      }
    }
    expect(entries.size).toBeGreaterThanOrEqual(200_000);
    const t0 = performance.now();
    const tree = buildSizeTree({ entries });
    const t1 = performance.now();
    const big: Rect = { x: 0, y: 0, w: 1200, h: 640 };
    const { tiles } = layoutTreemap(tree, 0, big);
    const t2 = performance.now();
    // What the page adds per layout: the layer make-up of every closed directory and small-items tile.
    for (const t of tiles) {
      if (t.kind === "rest") layerBytesUnder(tree, childrenOf(tree, t.node).subarray(t.restFrom, t.restFrom! + t.restCount!));
      else if (t.kind === "dir" && t.open !== true) layerBytesUnder(tree, [t.node]);
    }
    const t3 = performance.now();
    console.log(`treemap, ${entries.size} paths: size tree ${(t1 - t0).toFixed(0)} ms, layout ${(t2 - t1).toFixed(1)} ms, make-up ${(t3 - t2).toFixed(1)} ms, ${tiles.length} tiles`);
    expect(tiles.length).toBeLessThanOrEqual(5000);
    expect(tiles.length).toBeGreaterThan(100);
    for (const t of tiles) expect(inside(t, big)).toBe(true);
    // Every byte is somewhere: the top-level tiles cover the whole box.
    expect(tiles.filter((t) => t.depth === 0).reduce((s, t) => s + area(t), 0)).toBeCloseTo(area(big), 3);
  });
});
