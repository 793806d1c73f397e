/**
 * The merged tree over columns against the object tree, through what the view calls: the rows
 * shown (every directory open, and none; by name and by size), the filter, and each row's data.
 */
import { describe, expect, it } from "vitest";
import { mergeColumns } from "../../core/filetree";
import { asLayerEntry } from "../../core/filetree/testdata/columns-view";
import { MERGE_CASES, layersOf, randomStack } from "../../core/filetree/testdata/merge-cases";
import { packEntries, type PackedEntries } from "../../core/pipeline/pack";
import type { LayerEntry } from "../../core/pipeline/types";
import { xorshift32 } from "../../core/testing/noise";
import { filterTree, visibleRows, type SortOrder, type TreeNode } from "../layers/tree";
import { mergedTreeOfColumns } from "./columnsTree";
import { buildMergedTree, columnsView, mergedAt, presentBytes, type MergedTree } from "./model";

/** What a row shows, as plain data. */
const shape = (n: TreeNode) => ({
  key: n.key,
  name: n.name,
  path: n.path,
  depth: n.depth,
  isDir: n.isDir,
  size: n.size,
  descendants: n.descendants,
  children: n.children.length,
  parent: n.parent?.key,
  entry: n.entry && { type: n.entry.type, size: n.entry.size, mode: n.entry.mode, uid: n.entry.uid, gid: n.entry.gid, linkname: n.entry.linkname },
});

const QUERIES = ["", "a", "b/", "x", ".", "A", "é", "σ", "proto", "no-such"];

function compare(objects: MergedTree, columns: MergedTree): void {
  expect(columns.presentCount).toBe(objects.presentCount);
  expect(columns.deletedCount).toBe(objects.deletedCount);
  expect(columns.tree.totalSize).toBe(objects.tree.totalSize);
  for (const order of ["name", "size"] as SortOrder[]) {
    for (const open of [true, false]) {
      const got = visibleRows(columns.tree, order, () => open).map(shape);
      const want = visibleRows(objects.tree, order, () => open).map(shape);
      expect(got).toEqual(want);
    }
  }
  for (const q of QUERIES) {
    const got = filterTree(columns.tree, q);
    const want = filterTree(objects.tree, q);
    expect(got && [...got].map((n) => n.key).sort()).toEqual(want && [...want].map((n) => n.key).sort());
    if (got && want) {
      expect(got.size).toBe(want.size);
      // Rows by name read the filter's pre-order; by size, and folded, they ask has().
      for (const order of ["name", "size"] as SortOrder[]) {
        for (const open of [true, false]) {
          expect(visibleRows(columns.tree, order, () => open, got).map(shape)).toEqual(visibleRows(objects.tree, order, () => open, want).map(shape));
        }
      }
      const wanted = new Set([...want].map((n) => n.key));
      for (const n of columns.tree.nodes) expect(got.has(n)).toBe(wanted.has(n.key));
      const each: string[] = [];
      got.forEach((n, same) => {
        expect(same).toBe(n);
        each.push(n.key);
      });
      expect(each).toEqual([...got].map((n) => n.key));
      expect([...got.keys()]).toEqual([...got.values()]);
      expect([...got.entries()].map(([a, b]) => a === b && a.key)).toEqual(each);
    }
  }
  expect([...columns.rows.keys()].sort()).toEqual([...objects.rows.keys()].sort());
  for (const key of objects.rows.keys()) {
    expect(columns.rows.has(key)).toBe(true);
    expect(columns.rows.get(key)).toEqual(objects.rows.get(key));
  }
  expect(columns.rows.has("no/such/path")).toBe(false);
  expect(columns.rows.get("")).toBeUndefined();
}

async function check(layers: readonly (readonly LayerEntry[])[]): Promise<void> {
  const packed: PackedEntries[] = await Promise.all(layers.map((l) => packEntries(l)));
  for (let upTo = 0; upTo < layers.length; upTo++) {
    const fs = mergedAt(layers, upTo);
    for (const showDeleted of [false, true]) {
      const cols = mergeColumns(packed, upTo, showDeleted);
      compare(buildMergedTree(fs, showDeleted), mergedTreeOfColumns(cols, packed));
      const view = columnsView(cols, packed, layers);
      expect(view.summary).toEqual({ paths: fs.entries.size, bytes: presentBytes(fs), deleted: fs.deleted.size, warnings: fs.warnings });
      expect(view.fs()).toBe(fs); // the export's filesystem: the cached object merge
    }
  }
}

describe("the merged tree over columns shows what the object tree shows", () => {
  it.each(MERGE_CASES)("$name", async (c) => {
    await check(layersOf(...c.layers));
  });

  it.each([
    { seed: 21, dupes: false, names: undefined },
    { seed: 22, dupes: true, names: ["a", "a/b", "a-b", "a.b", "A", "a/B/c", "É", "é/x", "ΑΣ", "İ/x", "z", "z/q", "__proto__", "__proto__/x"] },
  ])("over 300 random stacks (seed $seed)", async ({ seed, dupes, names }) => {
    const next = xorshift32(seed);
    const rnd = (n: number): number => next() % n;
    for (let trial = 0; trial < 300; trial++) {
      const layers = randomStack(rnd, dupes, names).map((layer) => layer.map((m) => asLayerEntry({ ...m, size: m.type === "file" ? next() % 5000 : m.size })));
      try {
        await check(layers);
      } catch (err) {
        throw new Error(`seed ${seed}, trial ${trial}: ${(err as Error).message}`, { cause: err });
      }
    }
  });

  it("makes no node before one is asked for, and only the top level for the first rows", async () => {
    const layer: LayerEntry[] = [];
    for (let d = 0; d < 50; d++) {
      layer.push(asLayerEntry({ path: `d${d}`, type: "dir", size: 0, mode: 0o755, uid: 0, gid: 0, mtime: 0, whiteout: "none" }));
      for (let f = 0; f < 50; f++) layer.push(asLayerEntry({ path: `d${d}/f${f}`, type: "file", size: 1, mode: 0o644, uid: 0, gid: 0, mtime: 0, whiteout: "none" }));
    }
    const packed = [await packEntries(layer)];
    const { tree } = mergedTreeOfColumns(mergeColumns(packed, 0, false), packed);
    const made = (): number => (tree as unknown as { made: unknown[] }).made.filter((n) => n !== undefined).length;
    expect(made()).toBe(0);
    expect(visibleRows(tree, "name", () => false)).toHaveLength(50);
    expect(made()).toBe(50);
  });
});
