import { describe, expect, it } from "vitest";
import { commonPrefixLength, diffFilesystems, filterFileDiff, provenanceRule, type ChangedAttribute, type ContentVerdict, type FileDiffKind, type FileDiffRow } from "./files";
import type { DeletedPath, MergedEntry, MergedFilesystem, PathVersion } from "../filetree/types";

// MergedFilesystem values are built directly here: the merge (filetree/merge.ts) is tested on its own.

/** A version written by `layer`; a regular 0644 root-owned 10-byte file unless told otherwise. */
function v(layer: number, over: Partial<PathVersion> = {}): PathVersion {
  return { layer, type: "file", size: 10, mode: 0o644, uid: 0, gid: 0, mtime: 0, ...over };
}
const dir = (layer: number, over: Partial<PathVersion> = {}): PathVersion => v(layer, { type: "dir", size: 0, mode: 0o755, ...over });
const link = (layer: number, target: string): PathVersion => v(layer, { type: "symlink", size: 0, mode: 0o777, linkname: target });
const hard = (layer: number, target: string): PathVersion => v(layer, { type: "hardlink", size: 0, linkname: target });

type Spec = readonly [path: string, version: PathVersion, implied?: "implied"];

function fs(specs: readonly Spec[], deleted: readonly DeletedPath[] = []): MergedFilesystem {
  const entries = new Map<string, MergedEntry>();
  for (const [path, version, implied] of specs) entries.set(path, { path, version, hides: [], implied: implied === "implied" });
  return { upTo: 0, entries, deleted: new Map(deleted.map((d) => [d.path, d])), warnings: [] };
}

/** diff_ids: A = [D1, D2, D3]; B = [D1, D2, D4, D3]: a shared base of two, then A's top layer again on B's D4. */
const D = (n: number): string => `sha256:${String(n).padStart(64, "0")}`;
const diffIds = { a: [D(1), D(2), D(3)], b: [D(1), D(2), D(4), D(3)] };

describe("diffFilesystems: one path per case", () => {
  const cases: {
    name: string;
    a: Spec[];
    b: Spec[];
    kind: FileDiffKind;
    changes?: ChangedAttribute[];
    content?: ContentVerdict;
  }[] = [
    { name: "added (only in B)", a: [], b: [["etc/new", v(3)]], kind: "added" },
    { name: "removed (only in A)", a: [["etc/old", v(0)]], b: [], kind: "removed" },
    { name: "same layer of the shared base: unchanged", a: [["bin/sh", v(1)]], b: [["bin/sh", v(1)]], kind: "unchanged", content: "same" },
    {
      name: "same diff_id at another position (a rebased layer): content same",
      a: [["app/main", v(2 /* A's D3 */, { size: 5 })]],
      b: [["app/main", v(3 /* B's D3, on another parent */, { size: 5 })]],
      kind: "unchanged",
      content: "same",
    },
    {
      name: "size differs: content differs",
      a: [["etc/os-release", v(0, { size: 10 })]],
      b: [["etc/os-release", v(2, { size: 12 })]],
      kind: "changed",
      changes: ["size", "content"],
      content: "differs",
    },
    {
      name: "same size from different layers: uncertain",
      a: [["etc/hosts", v(2)]],
      b: [["etc/hosts", v(2)]],
      kind: "uncertain",
      content: "unknown",
    },
    { name: "mode change", a: [["bin/x", v(1, { mode: 0o644 })]], b: [["bin/x", v(1, { mode: 0o755 })]], kind: "changed", changes: ["mode"], content: "same" },
    { name: "owner change (uid)", a: [["home/u", dir(0, { uid: 0 })]], b: [["home/u", dir(0, { uid: 1000 })]], kind: "changed", changes: ["owner"] },
    { name: "owner change (gid only)", a: [["home/u", dir(0, { gid: 0 })]], b: [["home/u", dir(0, { gid: 50 })]], kind: "changed", changes: ["owner"] },
    { name: "type change file → dir", a: [["opt/x", v(0)]], b: [["opt/x", dir(2)]], kind: "changed", changes: ["type", "mode"] },
    { name: "type change symlink → file", a: [["lib", link(0, "usr/lib")]], b: [["lib", v(2, { mode: 0o777 })]], kind: "changed", changes: ["type"] },
    { name: "symlink retarget", a: [["bin/python", link(0, "python3.11")]], b: [["bin/python", link(2, "python3.12")]], kind: "changed", changes: ["link"] },
    { name: "same symlink from different layers: unchanged (no bytes to doubt)", a: [["sbin", link(0, "usr/sbin")]], b: [["sbin", link(2, "usr/sbin")]], kind: "unchanged" },
    { name: "hardlink in the shared base: same", a: [["bin/gunzip", hard(1, "bin/gzip")]], b: [["bin/gunzip", hard(1, "bin/gzip")]], kind: "unchanged", content: "same" },
    {
      name: "hardlink from a same-diff_id layer on another base: its target may differ",
      a: [["bin/gunzip", hard(2, "bin/gzip")]],
      b: [["bin/gunzip", hard(3, "bin/gzip")]],
      kind: "uncertain",
      content: "unknown",
    },
    { name: "hardlink retarget", a: [["bin/a", hard(1, "bin/b")]], b: [["bin/a", hard(1, "bin/c")]], kind: "changed", changes: ["link"], content: "same" },
    {
      name: "implied directory vs written directory: only the type is compared",
      a: [["usr", dir(0, { mode: 0o700, uid: 5 }), "implied"]],
      b: [["usr", dir(0)]],
      kind: "unchanged",
    },
    { name: "a path called __proto__", a: [], b: [["__proto__", v(3)]], kind: "added" },
    { name: "a path called constructor", a: [["constructor", v(0)]], b: [["constructor", v(0, { size: 1 })]], kind: "changed", changes: ["size", "content"], content: "differs" },
  ];

  for (const c of cases) {
    it(c.name, () => {
      const got = diffFilesystems(fs(c.a), fs(c.b), { diffIds, includeUnchanged: true });
      expect(got.rows).toHaveLength(1);
      const [row] = got.rows as [FileDiffRow];
      expect(row.kind).toBe(c.kind);
      expect(row.changes).toEqual(c.changes ?? []);
      expect(row.content).toBe(c.content);
      expect(got.counts[c.kind]).toBe(1);
      expect(got.counts.total).toBe(1);
    });
  }
});

describe("diffFilesystems: the whole picture", () => {
  const a = fs(
    [
      ["bin", dir(0)],
      ["bin/sh", v(0, { size: 100 })],
      ["etc", dir(0)],
      ["etc/passwd", v(1, { size: 50 })],
      ["etc/motd", v(2)],
      ["tmp/cache", v(2)],
    ],
    [{ path: "etc/shadow", last: v(0), removedBy: 2, marker: "etc/.wh.shadow", how: "whiteout" }],
  );
  const b = fs(
    [
      ["bin", dir(0)],
      ["bin/sh", v(0, { size: 100 })],
      ["etc", dir(0)],
      ["etc/passwd", v(2, { size: 60 })],
      ["etc/motd", v(2, { mode: 0o600 })],
      ["etc/shadow", v(2)],
      ["__proto__", v(2)],
    ],
    [{ path: "tmp/cache", last: v(2), removedBy: 3, marker: "tmp/.wh.cache", how: "whiteout" }],
  );

  it("counts every category and lists changes sorted by path, unchanged left out", () => {
    const got = diffFilesystems(a, b, { diffIds });
    expect(got.rows.map((r) => [r.path, r.kind])).toEqual([
      ["__proto__", "added"],
      ["etc/motd", "changed"],
      ["etc/passwd", "changed"],
      ["etc/shadow", "added"],
      ["tmp/cache", "removed"],
    ]);
    expect(got.counts).toEqual({
      added: 2,
      removed: 1,
      changed: 2,
      uncertain: 0,
      unchanged: 3,
      total: 8,
      byAttribute: { type: 0, size: 1, mode: 1, owner: 0, link: 0, content: 1 },
    });
  });

  it("names the whiteout that removed a path, and A's when B brings a path back", () => {
    const got = diffFilesystems(a, b, { diffIds });
    expect(got.rows.find((r) => r.path === "tmp/cache")?.deletion?.marker).toBe("tmp/.wh.cache");
    expect(got.rows.find((r) => r.path === "etc/shadow")?.deletion?.removedBy).toBe(2);
  });

  it("lists unchanged paths when asked", () => {
    const got = diffFilesystems(a, b, { diffIds, includeUnchanged: true });
    expect(got.rows.filter((r) => r.kind === "unchanged").map((r) => r.path)).toEqual(["bin", "bin/sh", "etc"]);
  });

  it("without diff_ids, content is never 'same'", () => {
    const got = diffFilesystems(a, b, { includeUnchanged: true });
    expect(got.rows.find((r) => r.path === "bin/sh")).toMatchObject({ kind: "uncertain", content: "unknown" });
  });

  it("a sameContent hook (e.g. hashed files) overrides the provenance rule", () => {
    const got = diffFilesystems(a, b, { sameContent: () => true, includeUnchanged: true });
    expect(got.rows.find((r) => r.path === "bin/sh")).toMatchObject({ kind: "unchanged", content: "same" });
  });

  describe("filterFileDiff", () => {
    const rows = diffFilesystems(a, b, { diffIds }).rows;
    const cases: { name: string; filter: Parameters<typeof filterFileDiff>[1]; want: string[] }[] = [
      { name: "empty filter keeps all", filter: {}, want: ["__proto__", "etc/motd", "etc/passwd", "etc/shadow", "tmp/cache"] },
      { name: "by kind", filter: { kinds: ["added", "removed"] }, want: ["__proto__", "etc/shadow", "tmp/cache"] },
      { name: "by path substring, smart case (lowercase folds)", filter: { path: "ETC/" }, want: [] },
      { name: "by path substring", filter: { path: "etc/" }, want: ["etc/motd", "etc/passwd", "etc/shadow"] },
      { name: "by changed attribute", filter: { attributes: ["mode"] }, want: ["etc/motd"] },
      { name: "all criteria together", filter: { kinds: ["changed"], path: "pass", attributes: ["content", "owner"] }, want: ["etc/passwd"] },
    ];
    for (const c of cases) it(c.name, () => expect(filterFileDiff(rows, c.filter).map((r) => r.path)).toEqual(c.want));

    it("smart case: a lowercase query matches any case", () => {
      const upper = diffFilesystems(fs([]), fs([["README.md", v(0)]])).rows;
      expect(filterFileDiff(upper, { path: "readme" })).toHaveLength(1);
      expect(filterFileDiff(upper, { path: "README" })).toHaveLength(1);
      expect(filterFileDiff(upper, { path: "Readme" })).toHaveLength(0);
    });
  });
});

describe("provenance", () => {
  it("commonPrefixLength is the shared base by diff_id", () => {
    expect(commonPrefixLength(diffIds.a, diffIds.b)).toBe(2);
    expect(commonPrefixLength([], diffIds.b)).toBe(0);
    expect(commonPrefixLength(diffIds.a, diffIds.a)).toBe(3);
  });

  it("a layer index past the diff_id list is never 'same'", () => {
    const same = provenanceRule(diffIds.a, diffIds.b);
    expect(same(v(9), v(9))).toBe(false);
  });
});

describe("diffFilesystems at scale", () => {
  it("200 000 paths: one Map pass per side", () => {
    const n = 200_000;
    const a = new Map<string, MergedEntry>();
    const b = new Map<string, MergedEntry>();
    for (let i = 0; i < n; i++) {
      const path = `usr/share/d${i % 500}/f${i}`;
      a.set(path, { path, version: v(i % 2), hides: [], implied: false });
      // Every 10th path changes size, every 100th is gone from B.
      if (i % 100 !== 0) b.set(path, { path, version: v(i % 2, { size: i % 10 === 0 ? 11 : 10 }), hides: [], implied: false });
    }
    const mk = (entries: Map<string, MergedEntry>): MergedFilesystem => ({ upTo: 1, entries, deleted: new Map(), warnings: [] });
    const started = performance.now();
    const got = diffFilesystems(mk(a), mk(b), { diffIds: { a: [D(1), D(2)], b: [D(1), D(2)] } });
    const ms = performance.now() - started;
    expect(got.counts).toMatchObject({ removed: 2000, changed: 18_000, unchanged: 180_000, total: n });
    expect(got.rows).toHaveLength(20_000);
    console.log(`diffFilesystems, 200 000 paths: ${ms.toFixed(0)} ms`); // a figure, not a bound
  });
});
