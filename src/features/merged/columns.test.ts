/**
 * The columnar merge and tree (core/filetree/columns.ts) against what the merged view builds
 * today: `buildMergedTree(mergeLayers(…), showDeleted)` and `filterTree`. For every input, every
 * `upTo` and both values of `showDeleted`: the same nodes in the same order, with the same
 * parent, depth, size, descendants, isDir and row (present / implied / deleted, and the version
 * and hidden versions behind it), the same counts, and the same filter results. Lives under
 * features because core may not import the merged view's model.
 */
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { filterColumns, mergeColumns, nodeOf } from "../../core/filetree";
import { mergeLayers } from "../../core/filetree";
import { packEntries, type PackedEntries } from "../../core/pipeline/pack";
import { runLayer, type LayerEntry } from "../../core/pipeline";
import type { TarEntry } from "../../core/testing/tar";
import { buildTar } from "../../core/testing/tar";
import { HOSTILE_LAYERS, layerOf, type HostileLayer } from "../../core/testing/hostile";
import { xorshift32 } from "../../core/testing/noise";
import { asLayerEntry, plainColumns, type PlainNode } from "../../core/filetree/testdata/columns-view";
import { dockerArchiveLayers, layerEntries } from "../../core/filetree/testdata/layers";
import { MERGE_CASES, layersOf, randomStack } from "../../core/filetree/testdata/merge-cases";
import { filterTree } from "../layers/tree";
import { buildMergedTree } from "./model";

/** Queries every tree is filtered with: empty, cases, separators, non-ASCII, nothing. */
const QUERIES = ["", "a", "A", "/", "b/", "/c", ".wh", "z/q", "é", "É", "σ", "ς", "i\u0307", "_proto", "x", "-", ".", "no such name"];

/** The merged view's tree as plain nodes, with the row behind each. */
function viewNodes(layers: readonly (readonly LayerEntry[])[], upTo: number, showDeleted: boolean) {
  const fs = mergeLayers(layers, upTo);
  const merged = buildMergedTree(fs, showDeleted);
  const nodes = merged.tree.nodes;
  const plain: PlainNode[] = nodes.map((n) => {
    const row = merged.rows.get(n.key);
    const kind = row === undefined ? "under-deleted" : row.kind === "deleted" ? "deleted" : row.entry.implied ? "implied" : "present";
    return { key: n.key, name: n.name, parent: n.parent ? n.parent.index : -1, depth: n.depth, size: n.size, descendants: n.descendants, isDir: n.isDir, kind };
  });
  return { fs, merged, plain };
}

function difference(layers: readonly (readonly LayerEntry[])[], packed: readonly PackedEntries[], upTo: number, showDeleted: boolean): string | undefined {
  const at = `upTo ${upTo}, showDeleted ${showDeleted}`;
  const cols = mergeColumns(packed, upTo, showDeleted);
  const { fs, merged, plain } = viewNodes(layers, upTo, showDeleted);
  const got = plainColumns(cols, packed);
  if (got.nodes.length !== plain.length) return `${at}: ${got.nodes.length} nodes ≠ ${plain.length}\n${JSON.stringify(got.nodes.slice(0, 50).map((n) => n.key.slice(0, 100)))}\n${JSON.stringify(plain.slice(0, 50).map((n) => n.key.slice(0, 100)))}`;
  for (let i = 0; i < plain.length; i++) {
    const g = JSON.stringify(got.nodes[i]);
    const w = JSON.stringify(plain[i]);
    if (g !== w) return `${at}: node ${i}: ${g} ≠ ${w}`;
    const row = merged.rows.get(plain[i]!.key);
    const mine = row?.kind === "deleted" ? got.deleted.get(plain[i]!.key) : row?.kind === "present" ? got.entries.get(plain[i]!.key) : undefined;
    const theirs = row?.kind === "deleted" ? row.deleted : row?.kind === "present" ? row.entry : undefined;
    if (JSON.stringify(mine) !== JSON.stringify(theirs)) return `${at}: row ${i}: ${JSON.stringify(mine)} ≠ ${JSON.stringify(theirs)}`;
  }
  if (cols.presentCount !== merged.presentCount || cols.deletedCount !== merged.deletedCount) return `${at}: counts ${cols.presentCount}/${cols.deletedCount} ≠ ${merged.presentCount}/${merged.deletedCount}`;
  if (cols.totalSize !== merged.tree.totalSize) return `${at}: total size ${cols.totalSize} ≠ ${merged.tree.totalSize}`;
  if (JSON.stringify(cols.warnings) !== JSON.stringify(fs.warnings)) return `${at}: warnings`;
  for (let i = 0; i < plain.length; i++) if (nodeOf(cols, plain[i]!.key) !== i) return `${at}: nodeOf ${plain[i]!.key}`;
  for (const q of QUERIES) {
    const want = filterTree(merged.tree, q);
    const mine = filterColumns(cols, q);
    const w = want === undefined ? undefined : [...want].map((n) => n.index).sort((a, b) => a - b);
    const g = mine === undefined ? undefined : [...mine];
    if (JSON.stringify(g) !== JSON.stringify(w)) return `${at}: filter ${JSON.stringify(q)}: ${JSON.stringify(g)} ≠ ${JSON.stringify(w)}`;
  }
  return undefined;
}

async function checkStack(layers: readonly (readonly LayerEntry[])[]): Promise<void> {
  const packed = await Promise.all(layers.map((l) => packEntries(l)));
  for (let upTo = -1; upTo < layers.length; upTo++) {
    for (const showDeleted of [false, true]) {
      const diff = difference(layers, packed, upTo, showDeleted);
      if (diff !== undefined) throw new Error(diff);
    }
  }
}

describe("mergeColumns' tree is the merged view's tree", () => {
  it.each(MERGE_CASES)("merge.test.ts: $name", async (c) => {
    await checkStack(layersOf(...c.layers));
  });

  const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(`../../core/filetree/testdata/${name}`, import.meta.url)));
  it.each(["test-docker-image.tar", "whiteout_image.tar", "whiteout_dir.tar", "overwritten_file.tar"])("fixture %s", async (name) => {
    await checkStack(dockerArchiveLayers(fixture(name), (b) => new Uint8Array(gunzipSync(b))).layers.map(layerEntries));
  });

  const entry = (path: string, over: Partial<LayerEntry> = {}): LayerEntry => ({ ...asLayerEntry({ path, type: "file", size: 3, mode: 0o644, uid: 0, gid: 0, mtime: 0, whiteout: "none" }), ...over });
  it.each([
    { name: "'.', './x', '/x' and 'a//b' (non-normalised paths)", layers: [[entry("."), entry("./x"), entry("/x"), entry("x"), entry("a//b"), entry("a/")], [entry(".wh.x", { whiteout: "whiteout" })]] },
    { name: "deleted paths under a present file", layers: [[entry("s", { type: "symlink", linkname: "t", size: 0 }), entry("s/x", { size: 5 }), entry("s/y/z", { size: 7 })], [entry("s", { size: 11 })], [entry("s/.wh.x", { whiteout: "whiteout" })]] },
    { name: "names that sort by code unit", layers: [[entry("a-b"), entry("a/b"), entry("a.b"), entry("A"), entry("é"), entry("e\u0301"), entry("ΑΣ/ς"), entry("\ud800x"), entry("İ"), entry("a b")]] },
  ])("$name", async ({ layers }) => {
    await checkStack(layers);
  });

  // The hostile corpus's layer cases with their lower layers, through the real pipeline once
  // (whole blob, pako): the entries as the page gets them, odd names and all.
  const hostile = HOSTILE_LAYERS.filter((c) => !c.large);
  it("the hostile corpus (every small layer case over its lower layers)", async () => {
    const whole = (layer: HostileLayer) => async () =>
      (async function* () {
        const blob = layer.blob;
        if (blob instanceof Uint8Array) yield blob.slice();
        else yield* blob();
      })();
    let checked = 0;
    for (const c of hostile) {
      const layer = await c.build();
      const lower: LayerEntry[][] = [];
      for (const tar of layer.lower ?? ([] as readonly (readonly TarEntry[])[])) {
        const l = await layerOf(buildTar(tar), { compress: "none" });
        lower.push([...(await runLayer({ layerIndex: lower.length, ...l.job }, whole(l), { nativeAvailable: false })).entries]);
      }
      const r = await runLayer({ layerIndex: lower.length, ...layer.job }, whole(layer), { nativeAvailable: false });
      try {
        await checkStack([...lower, [...r.entries]]);
      } catch (err) {
        throw new Error(`${c.name}: ${(err as Error).message}`, { cause: err });
      }
      checked++;
    }
    expect(checked).toBe(hostile.length);
  }, 120_000);

  const seeds = [
    { seed: 21, dupes: false, names: undefined },
    { seed: 22, dupes: true, names: undefined },
    { seed: 23, dupes: false, names: ["a", "a/b", "a-b", "a.b", "A", "a/B/c", "É", "é/x", "ΑΣ", "İ/x", "z", "z/q"] },
    { seed: 24, dupes: true, names: ["a", "a/b", "a/b/c", "b", "b/a", "__proto__", "__proto__/x", "d", "d/e/f", "d/e/f/g/h"] },
  ];
  it.each(seeds)("over 1 500 random stacks (seed $seed, repeats $dupes)", async ({ seed, dupes, names }) => {
    const next = xorshift32(seed);
    const rnd = (n: number): number => next() % n;
    for (let trial = 0; trial < 1500; trial++) {
      const layers = randomStack(rnd, dupes, names).map((layer) => layer.map((m) => asLayerEntry({ ...m, size: m.type === "file" ? next() % 5000 : m.size })));
      try {
        await checkStack(layers);
      } catch (err) {
        throw new Error(`seed ${seed}, trial ${trial}: ${(err as Error).message}`, { cause: err });
      }
    }
  }, 60_000);

  /** Paths compared as a tar written by walking sorted directories orders them: component by component, by code unit. */
  const walkOrder = (a: LayerEntry, b: LayerEntry): number => {
    const x = a.path.split("/");
    const y = b.path.split("/");
    for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! < y[i]! ? -1 : 1;
    return x.length - y.length;
  };
  // The same stacks with every layer in walk order, the order mergeColumns numbers in pre-order
  // without grouping and sorting (columns.ts orderOfIds), with every kind of removal in between.
  it.each(seeds)("over 1 500 random stacks in walk order (seed $seed, repeats $dupes)", async ({ seed, dupes, names }) => {
    const next = xorshift32(seed + 100);
    const rnd = (n: number): number => next() % n;
    for (let trial = 0; trial < 1500; trial++) {
      const layers = randomStack(rnd, dupes, names).map((layer) => layer.map((m) => asLayerEntry({ ...m, size: m.type === "file" ? next() % 5000 : m.size })).sort(walkOrder));
      try {
        await checkStack(layers);
      } catch (err) {
        throw new Error(`seed ${seed}, trial ${trial}: ${(err as Error).message}`, { cause: err });
      }
    }
  }, 60_000);
});
