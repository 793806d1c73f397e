import { describe, expect, it } from "vitest";
import { buildFileTree, filterTree, visibleRows, type FileTree, type TreeNode } from "./tree";
import { fakeEntry, fakeFilesystem } from "./testing";

const paths = (rows: readonly TreeNode[]): string[] => rows.map((n) => n.path);
const all = () => true;
const none = () => false;
const node = (tree: FileTree, path: string): TreeNode => {
  const n = tree.nodes.find((x) => x.path === path);
  if (!n) throw new Error(`no node ${path}`);
  return n;
};

describe("buildFileTree", () => {
  it("creates directories implied by deeper paths and sorts children by name", () => {
    const tree = buildFileTree([fakeEntry("usr/bin/sh", { size: 10 }), fakeEntry("etc", { type: "dir" }), fakeEntry("usr/bin/awk", { size: 5 }), fakeEntry("etc/hosts", { size: 1 })]);
    expect(paths(visibleRows(tree, "name", all))).toEqual(["etc", "etc/hosts", "usr", "usr/bin", "usr/bin/awk", "usr/bin/sh"]);
    expect(node(tree, "usr").entry).toBeUndefined();
    expect(node(tree, "usr").isDir).toBe(true);
    expect(node(tree, "etc").entry?.type).toBe("dir");
    expect(node(tree, "usr/bin/sh").depth).toBe(2);
  });

  it("sizes a directory as the sum of its descendants and sorts by size, largest first", () => {
    const tree = buildFileTree([fakeEntry("a/small", { size: 1 }), fakeEntry("b/x", { size: 50 }), fakeEntry("b/y", { size: 60 }), fakeEntry("a/big", { size: 100 })]);
    expect(node(tree, "a").size).toBe(101);
    expect(node(tree, "b").size).toBe(110);
    expect(node(tree, "b").descendants).toBe(2);
    expect(tree.totalSize).toBe(211);
    expect(paths(visibleRows(tree, "size", all))).toEqual(["b", "b/y", "b/x", "a", "a/big", "a/small"]);
    expect(paths(visibleRows(tree, "name", all))).toEqual(["a", "a/big", "a/small", "b", "b/x", "b/y"]);
  });

  it("shows only the children of expanded directories", () => {
    const tree = buildFileTree([fakeEntry("a/b/c"), fakeEntry("a/d"), fakeEntry("e")]);
    expect(paths(visibleRows(tree, "name", none))).toEqual(["a", "e"]);
    const a = node(tree, "a");
    expect(paths(visibleRows(tree, "name", (n) => n === a))).toEqual(["a", "a/b", "a/d", "e"]);
  });

  it("places a whiteout at its target, keyed by its literal name, and marks opaque directories", () => {
    const tree = buildFileTree([
      fakeEntry("var", { type: "dir" }),
      fakeEntry("var/.wh..wh..opq", { whiteout: "opaque", whiteoutTarget: "var" }),
      fakeEntry("etc/.wh.motd", { whiteout: "whiteout", whiteoutTarget: "etc/motd" }),
      fakeEntry("etc/motd", { size: 3 }),
    ]);
    const rows = visibleRows(tree, "name", all);
    expect(paths(rows)).toEqual(["etc", "etc/motd", "etc/motd", "var"]);
    const [wh, file] = [rows[1], rows[2]].sort((x, y) => (x?.entry?.whiteout === "whiteout" ? -1 : 1) - (y?.entry?.whiteout === "whiteout" ? -1 : 1));
    expect(wh?.key).toBe("etc/.wh.motd");
    expect(wh?.name).toBe("motd");
    expect(wh?.size).toBe(0);
    expect(file?.key).toBe("etc/motd");
    expect(node(tree, "var").opaqueEntry?.path).toBe("var/.wh..wh..opq");
    expect(tree.nodeOfEntry(1)).toBeUndefined();
  });

  it("keeps the last of duplicate paths and counts the others (T5)", () => {
    const tree = buildFileTree([fakeEntry("a", { size: 1 }), fakeEntry("a", { size: 2 })]);
    expect(tree.nodes).toHaveLength(1);
    expect(tree.nodes[0]?.entry?.size).toBe(2);
    expect(tree.nodes[0]?.duplicates).toBe(1);
    expect(tree.nodeOfEntry(1)).toBe(tree.nodes[0]);
  });

  it("keeps names that display alike but differ in bytes apart (T12)", () => {
    const tree = buildFileTree([
      fakeEntry("x\uFFFD", { rawPath: new Uint8Array([0x78, 0xff]), flags: ["invalid-utf8"] }),
      fakeEntry("x\uFFFD", { rawPath: new Uint8Array([0x78, 0xfe]), flags: ["invalid-utf8"] }),
    ]);
    expect(tree.nodes).toHaveLength(2);
    expect(tree.nodes.every((n) => n.duplicates === 0)).toBe(true);
  });

  it("treats __proto__ and constructor as plain names (T12)", () => {
    const tree = buildFileTree([fakeEntry("__proto__/constructor"), fakeEntry("constructor"), fakeEntry("toString")]);
    expect(paths(visibleRows(tree, "name", all))).toEqual(["__proto__", "__proto__/constructor", "constructor", "toString"]);
    expect(({} as Record<string, unknown>).constructor).toBe(Object);
  });

  it("builds a 5,000-deep path without recursion (T11)", () => {
    const deep = Array.from({ length: 5000 }, () => "d").join("/");
    const tree = buildFileTree([fakeEntry(`${deep}/leaf`, { size: 7 })]);
    expect(tree.nodes).toHaveLength(5001);
    expect(tree.roots[0]?.size).toBe(7);
    expect(visibleRows(tree, "name", all)).toHaveLength(5001);
  });

  it("skips the root entry", () => {
    expect(buildFileTree([fakeEntry("", { type: "dir" }), fakeEntry("a")]).nodes).toHaveLength(1);
  });
});

describe("filterTree", () => {
  const tree = buildFileTree([fakeEntry("usr/lib/libc.so"), fakeEntry("usr/bin/sh"), fakeEntry("etc/ld.so.conf"), fakeEntry("etc/hosts")]);
  it.each([
    ["", undefined],
    ["libc", ["usr", "usr/lib", "usr/lib/libc.so"]],
    [".SO", ["etc", "etc/ld.so.conf", "usr", "usr/lib", "usr/lib/libc.so"]],
    ["usr/lib", ["usr", "usr/lib", "usr/lib/libc.so"]],
    ["nothing", []],
  ] as const)("%j keeps matches and their ancestors", (q, want) => {
    const keep = filterTree(tree, q);
    if (want === undefined) {
      expect(keep).toBeUndefined();
      return;
    }
    expect(paths(visibleRows(tree, "name", all, keep))).toEqual(want);
  });

  it("gives the same rows by pre-order index as by walking the tree, folded directories included", () => {
    // The walk is what visibleRows does for "size" order; with every size equal, size order is name order.
    const big = buildFileTree(fakeFilesystem(3000).map((e) => ({ ...e, size: 0 })));
    big.nodes.forEach((n, i) => expect(n.index).toBe(i));
    for (const q of ["file1", "dir", ".so", "2/", "zzz"]) {
      const keep = filterTree(big, q);
      const folded = new Set(big.nodes.filter((n, i) => n.children.length > 0 && i % 7 === 3));
      const open = (n: TreeNode) => !folded.has(n);
      expect(paths(visibleRows(big, "name", open, keep))).toEqual(paths(visibleRows(big, "size", open, keep)));
      expect(paths(visibleRows(big, "name", all, keep))).toEqual(paths(visibleRows(big, "size", all, keep)));
    }
  });
});

describe("scale", () => {
  it("builds 200 000 entries, filters and flattens quickly", () => {
    const entries = fakeFilesystem(200_000);
    const t0 = performance.now();
    const tree = buildFileTree(entries);
    const built = performance.now();
    const collapsed = visibleRows(tree, "size", () => false);
    const expanded = visibleRows(tree, "name", () => true);
    const keep = filterTree(tree, "file1");
    const end = performance.now();
    expect(collapsed.length).toBeLessThan(10);
    expect(expanded).toHaveLength(tree.nodes.length);
    expect(keep?.size).toBeGreaterThan(0);
    // Figures only (no wall-clock assertion: speed is measured by benchmarks, not tests).
    console.log(`file tree, 200 000 entries: built in ${(built - t0).toFixed(0)} ms, rows and filter in ${(end - built).toFixed(0)} ms`);
  });
});
