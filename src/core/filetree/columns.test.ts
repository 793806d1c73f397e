/**
 * The columnar merge against the object merge: for every input, every `upTo` and both values of
 * `showDeleted`, the columns turned back into objects must equal `mergeLayersExactly`'s entries,
 * deleted paths and warnings (same content; the warnings in the same order). The tree's order,
 * sizes and the filter are compared with the merged view's own tree in
 * src/features/merged/columns.test.ts (core tests may not import features).
 */
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { packEntries, type PackedEntries } from "../pipeline/pack";
import type { LayerEntry } from "../pipeline/types";
import { xorshift32 } from "../testing/noise";
import { filterColumns, mergeColumns, mergeColumnsSteps, nameOf, nodeOf, pathOf, NODE_IMPLIED, NODE_UNDER_DELETED, type MergedColumns } from "./columns";
import { mergeLayersExactly, type MergeInput } from "./merge";
import { asLayerEntry, comparableFs, mapDifference, plainColumns } from "./testdata/columns-view";
import { dockerArchiveLayers, layerEntries } from "./testdata/layers";
import { MERGE_CASES, layersOf, randomStack } from "./testdata/merge-cases";

const packAll = (layers: readonly (readonly LayerEntry[])[]): Promise<PackedEntries[]> => Promise.all(layers.map((l) => packEntries(l)));

/** Why the columns differ from the object merge, or undefined when they agree. */
function difference(layers: readonly (readonly LayerEntry[])[], packed: readonly PackedEntries[], upTo: number, showDeleted: boolean): string | undefined {
  const cols = mergeColumns(packed, upTo, showDeleted);
  const fs = mergeLayersExactly(layers, upTo);
  const want = comparableFs(fs, showDeleted);
  const got = plainColumns(cols, packed);
  const at = `upTo ${upTo}, showDeleted ${showDeleted}`;
  if (cols.upTo !== fs.upTo) return `${at}: upTo ${cols.upTo} ≠ ${fs.upTo}`;
  const entries = mapDifference(got.entries, want.entries);
  if (entries !== undefined) return `${at}: entries: ${entries}`;
  const deleted = mapDifference(got.deleted, want.deleted);
  if (deleted !== undefined) return `${at}: deleted: ${deleted}`;
  if (JSON.stringify(cols.warnings) !== JSON.stringify(fs.warnings)) return `${at}: warnings\n${JSON.stringify(cols.warnings)}\n≠\n${JSON.stringify(fs.warnings)}`;
  if (cols.presentCount !== want.entries.size || cols.deletedCount !== want.deleted.size) return `${at}: counts ${cols.presentCount}/${cols.deletedCount}`;
  let bytes = 0;
  for (const e of fs.entries.values()) if (e.version.type !== "dir") bytes += e.version.size;
  if (cols.mergedPaths !== fs.entries.size || cols.deletedPaths !== fs.deleted.size || cols.presentBytes !== bytes)
    return `${at}: the filesystem's figures ${cols.mergedPaths}/${cols.deletedPaths}/${cols.presentBytes} ≠ ${fs.entries.size}/${fs.deleted.size}/${bytes}`;
  // Every node is found by its path, and nothing else is a node.
  for (let i = 0; i < cols.count; i++) if (nodeOf(cols, pathOf(cols, i)) !== i) return `${at}: nodeOf(${JSON.stringify(pathOf(cols, i))}) ≠ ${i}`;
  for (const p of fs.deleted.keys()) if (!showDeleted && !fs.entries.has(p) && nodeOf(cols, p) >= 0 && cols.kind[nodeOf(cols, p)] !== NODE_UNDER_DELETED) return `${at}: deleted ${p} is a node`;
  return undefined;
}

/** Checks every `upTo` (and one below the base) with both values of showDeleted. */
async function checkStack(layers: readonly (readonly LayerEntry[])[]): Promise<void> {
  const packed = await packAll(layers);
  for (let upTo = -1; upTo < layers.length; upTo++) {
    for (const showDeleted of [false, true]) {
      const diff = difference(layers, packed, upTo, showDeleted);
      if (diff !== undefined) throw new Error(`${diff}\nlayers: ${JSON.stringify(layers.map((l) => l.map((e) => ({ ...e, rawPath: undefined }))))}`);
    }
  }
}

const entry = (path: string, over: Partial<MergeInput> = {}): LayerEntry => asLayerEntry({ path, type: "file", size: 3, mode: 0o644, uid: 0, gid: 0, mtime: 0, whiteout: "none", ...over });

describe("mergeColumns gives mergeLayersExactly's answer", () => {
  it.each(MERGE_CASES)("merge.test.ts: $name", async (c) => {
    await checkStack(layersOf(...c.layers));
  });

  // Inputs the tar stage never makes (it normalises paths), which the merge still defines.
  const odd: { name: string; layers: LayerEntry[][] }[] = [
    { name: "'.' and './x' (the '.' is not a row; './x' hangs under an implied '.')", layers: [[entry("."), entry("./x"), entry("y")]] },
    { name: "'/x' beside 'x' (the root is its merge parent, '' its tree parent)", layers: [[entry("/x"), entry("x"), entry("/d/e")], [entry(".wh..wh..opq", { whiteout: "opaque" }), entry("k")]] },
    { name: "'a//b' and 'a/' (empty names)", layers: [[entry("a//b"), entry("a/"), entry("a/c")], [entry("a/.wh.", { whiteout: "whiteout" })]] },
    { name: "derived whiteout targets (no whiteoutTarget field)", layers: [[entry("d/x"), entry("d/y/z"), entry("e")], [entry("d/.wh.y", { whiteout: "whiteout" }), entry(".wh.e", { whiteout: "whiteout" }), entry("d/.wh..wh..opq", { whiteout: "opaque" })]] },
    { name: "a whiteout target that no entry names", layers: [[entry("a")], [entry(".wh.b", { whiteout: "whiteout", whiteoutTarget: "never/seen" })]] },
    {
      name: "names that sort by code unit, not by locale",
      layers: [[entry("a-b"), entry("a/b"), entry("a.b"), entry("A"), entry("é"), entry("e\u0301"), entry("Σ/ς"), entry("\ud800x"), entry("a b"), entry("__proto__/constructor")]],
    },
    {
      name: "a symlink in the way, then a file over it, then a path through the file",
      layers: [[entry("s", { type: "symlink", linkname: "/etc", size: 0 })], [entry("s/x"), entry("s/y/z")], [entry("s", { size: 9 })], [entry("s/w")]],
    },
    { name: "a hardlink to a path re-created after a whiteout", layers: [[entry("t"), entry("h", { type: "hardlink", linkname: "/t", size: 0 })], [entry(".wh.t", { whiteout: "whiteout" })], [entry("t", { size: 7 })]] },
    { name: "sizes over 4 GiB", layers: [[entry("big", { size: 2 ** 40 }), entry("d/big", { size: 2 ** 33 + 1 })]] },
  ];
  it.each(odd)("$name", async (c) => {
    await checkStack(c.layers);
  });

  it("a 32 000-deep path (T11), without overflowing the stack", async () => {
    // Compared by shape, not with checkStack: 32 000 paths of up to 64 KiB are gigabytes of JSON.
    const deep = "a/".repeat(32_000) + "leaf";
    const layers = [[entry(deep, { size: 1 })], [entry("a/a/.wh.a", { whiteout: "whiteout" })]];
    const packed = await packAll(layers);
    for (const [upTo, present, deleted] of [[0, 32_001, 0], [1, 2, 1]] as const) {
      const cols = mergeColumns(packed, upTo, true);
      const fs = mergeLayersExactly(layers, upTo);
      // Shown, the deleted leaf keeps its 31 998 removed ancestors as directories above it.
      expect([cols.count, cols.presentCount, cols.deletedCount]).toEqual([32_001, fs.entries.size, fs.deleted.size]);
      expect([cols.presentCount, cols.deletedCount]).toEqual([present, deleted]);
      expect(cols.kind[0]).toBe(NODE_IMPLIED);
      expect(cols.kind[2]).toBe(upTo === 0 ? NODE_IMPLIED : NODE_UNDER_DELETED);
      expect(cols.depth[cols.count - 1]).toBe(32_000);
      expect(nodeOf(cols, deep)).toBe(32_000);
      expect(nodeOf(cols, "a/a/a")).toBe(2);
      expect(cols.size[0]).toBe(upTo === 0 ? 1 : 0);
      expect(cols.warnings).toEqual(fs.warnings);
      expect(mergeColumns(packed, upTo, false).count).toBe(present);
    }
  });

  describe("the fixtures of dive and go-containerregistry (real images)", () => {
    const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(`./testdata/${name}`, import.meta.url)));
    it.each(["test-docker-image.tar", "whiteout_image.tar", "whiteout_dir.tar", "overwritten_file.tar"])("%s", async (name) => {
      const layers = dockerArchiveLayers(fixture(name), (b) => new Uint8Array(gunzipSync(b))).layers.map(layerEntries);
      await checkStack(layers);
    });
  });

  // The generator of merge.test.ts's optimistic-merge check (with its paths, and with paths
  // that sort and lower-case oddly), seeded xorshift32 so a failure reproduces; whiteout targets
  // left out of every other marker, so both ways of naming a target are compared.
  const seeds = [
    { seed: 11, dupes: false, names: undefined },
    { seed: 12, dupes: true, names: undefined },
    { seed: 13, dupes: false, names: ["a", "a/b", "a-b", "a.b", "A", "a/B/c", "É", "é/x", "ΑΣ", "İ/x", "z", "z/q"] },
    { seed: 14, dupes: true, names: ["a", "a/b", "a/b/c", "b", "b/a", "__proto__", "__proto__/x", "d", "d/e/f"] },
  ];
  it.each(seeds)("over 5 000 random stacks (seed $seed, repeats $dupes)", async ({ seed, dupes, names }) => {
    const next = xorshift32(seed);
    const rnd = (n: number): number => next() % n;
    for (let trial = 0; trial < 5000; trial++) {
      const layers = randomStack(rnd, dupes, names).map((layer) =>
        layer.map((m, i) => {
          const e = asLayerEntry({ ...m, size: m.type === "file" ? next() % 5000 : m.size, ...(i % 3 === 0 ? { uname: "root", gname: "wheel" } : {}) });
          if (i % 2 === 1 && e.whiteoutTarget !== undefined) {
            const { whiteoutTarget: _, ...derived } = e;
            return derived;
          }
          return e;
        }),
      );
      try {
        await checkStack(layers);
      } catch (err) {
        throw new Error(`seed ${seed}, trial ${trial}: ${(err as Error).message}`, { cause: err });
      }
    }
  });
});

describe("mergeColumnsSteps", () => {
  it("pauses on a large layer and gives mergeColumns' answer", async () => {
    const layer: LayerEntry[] = [];
    for (let d = 0; d < 30; d++) for (let f = 0; f < 500; f++) layer.push(entry(`d${d}/f${f}`));
    const packed = await packAll([layer, [entry(".wh.d7", { whiteout: "whiteout" })]]);
    const steps = mergeColumnsSteps(packed, 1, true);
    let pauses = 0;
    let r = steps.next();
    for (; r.done !== true; r = steps.next()) pauses++;
    expect(pauses).toBeGreaterThan(3);
    const whole = mergeColumns(packed, 1, true);
    expect([...r.value.kind]).toEqual([...whole.kind]);
    expect([...r.value.size]).toEqual([...whole.size]);
    expect(r.value.deletedCount).toBe(500); // d7 was implied: its files are deleted, not it
  });
});

describe("nodeOf, pathOf, nameOf and filterColumns", () => {
  let cols: MergedColumns;
  const paths = (ids: Int32Array | undefined): string[] | undefined => (ids === undefined ? undefined : [...ids].map((i) => pathOf(cols, i)));

  it("finds nodes by path, names them, and filters case-insensitively with ancestors", async () => {
    const packed = await packAll([[entry("usr/lib/libc.so"), entry("usr/lib/LIBM.SO"), entry("usr/bin/sh"), entry("etc/ΑΣ"), entry("etc/İx")], [entry("usr/.wh.bin", { whiteout: "whiteout" })]]);
    cols = mergeColumns(packed, 1, true);
    expect([...Array(cols.count).keys()].map((i) => `${pathOf(cols, i)}|${nameOf(cols, i)}`)).toEqual([
      "etc|etc",
      "etc/İx|İx", // U+0130 before U+0391: code units, not a locale
      "etc/ΑΣ|ΑΣ",
      "usr|usr",
      "usr/bin|bin",
      "usr/bin/sh|sh",
      "usr/lib|lib",
      "usr/lib/LIBM.SO|LIBM.SO",
      "usr/lib/libc.so|libc.so",
    ]);
    expect(nodeOf(cols, "usr/bin/sh")).toBe(5);
    expect(nodeOf(cols, "usr/bin/s")).toBe(-1);
    expect(nodeOf(cols, "")).toBe(-1);
    const table: [string, string[] | undefined][] = [
      ["", undefined],
      [".so", ["usr", "usr/lib", "usr/lib/LIBM.SO", "usr/lib/libc.so"]],
      ["LIBC", ["usr", "usr/lib", "usr/lib/libc.so"]],
      ["sh", ["usr", "usr/bin", "usr/bin/sh"]],
      ["\u03b1\u03c2", ["etc", "etc/ΑΣ"]],
      ["I\u0307X", ["etc", "etc/İx"]],
      ["/", ["etc", "etc/ΑΣ", "etc/İx", "usr", "usr/bin", "usr/bin/sh", "usr/lib", "usr/lib/LIBM.SO", "usr/lib/libc.so"]],
      ["so\nusr", []],
      ["nothing", []],
    ];
    for (const [q, want] of table) {
      const got = paths(filterColumns(cols, q));
      if (want === undefined) expect(got, q).toBeUndefined();
      else expect(got, JSON.stringify(q)).toEqual([...want].sort((a, b) => nodeOf(cols, a) - nodeOf(cols, b)));
    }
  });
});
