import { describe, expect, it } from "vitest";
import { buildTar, type TarEntry } from "../testing/tar";
import { layerEntries } from "../filetree/testdata/layers";
import { mergeLayers } from "../filetree/merge";
import type { MergedFilesystem } from "../filetree/types";
import { pathHistory, relevantEntries, type HistoryEvent } from "./pathHistory";

const layersOf = (...tars: (readonly TarEntry[])[]) => tars.map((t) => layerEntries(buildTar(t)));
const dir = (path: string, extra: Partial<TarEntry> = {}): TarEntry => ({ path, type: "dir", ...extra });
const file = (path: string, content = "x", extra: Partial<TarEntry> = {}): TarEntry => ({ path, content, ...extra });
const marker = (path: string): TarEntry => ({ path, content: "" });

/** "kind@layer type size [changes] [by marker] [visible]": one readable line per event. */
function line(e: HistoryEvent): string {
  const parts = [`${e.kind}@${e.layer}`, e.implied ? "(implied dir)" : e.version.type, String(e.version.size)];
  if (e.changes) parts.push(`[${e.changes.join(",")}]`);
  if (e.marker !== undefined) parts.push(`by ${e.marker}`);
  if (e.entriesInLayer !== undefined) parts.push(`x${e.entriesInLayer}`);
  if (e.visible) parts.push("visible");
  return parts.join(" ");
}

interface Case {
  readonly name: string;
  readonly layers: (readonly TarEntry[])[];
  readonly path: string;
  readonly events: string[];
  readonly final: string;
}

const cases: Case[] = [
  {
    name: "added once and visible",
    layers: [[file("etc/app.conf", "a\n")]],
    path: "etc/app.conf",
    events: ["added@0 file 2 visible"],
    final: "present file@0 hides 0",
  },
  {
    name: "changed: content (size) and mtime",
    layers: [[file("a", "one\n")], [file("a", "two two\n", { mtime: 1700000000 })]],
    path: "a",
    events: ["added@0 file 4", "changed@1 file 8 [size,mtime] visible"],
    final: "present file@1 hides 1",
  },
  {
    name: "changed: mode only",
    layers: [[file("bin/x", "x", { mode: 0o644 })], [file("bin/x", "x", { mode: 0o755 })]],
    path: "bin/x",
    events: ["added@0 file 1", "changed@1 file 1 [mode] visible"],
    final: "present file@1 hides 1",
  },
  {
    name: "changed: owner only (uid/gid and names)",
    layers: [[file("srv/f", "x", { uid: 0, gid: 0, uname: "root", gname: "root" })], [file("srv/f", "x", { uid: 1000, gid: 1000, uname: "app", gname: "app" })]],
    path: "srv/f",
    events: ["added@0 file 1", "changed@1 file 1 [owner] visible"],
    final: "present file@1 hides 1",
  },
  {
    name: "changed: same metadata (contents may still differ)",
    layers: [[file("a", "1")], [file("a", "2")]],
    path: "a",
    events: ["added@0 file 1", "changed@1 file 1 [] visible"],
    final: "present file@1 hides 1",
  },
  {
    name: "changed: symlink target (type kept, link changed)",
    layers: [[{ path: "l", type: "symlink", linkname: "a" }], [{ path: "l", type: "symlink", linkname: "b" }]],
    path: "l",
    events: ["added@0 symlink 0", "changed@1 symlink 0 [link] visible"],
    final: "present symlink@1 hides 1",
  },
  {
    name: "changed: type among non-directories (file → symlink) is a change, not a replacement",
    layers: [[file("bin/sh", "elf")], [{ path: "bin/sh", type: "symlink", linkname: "busybox" }]],
    path: "bin/sh",
    events: ["added@0 file 3", "changed@1 symlink 0 [type,size,mode,link] visible"],
    final: "present symlink@1 hides 1",
  },
  {
    name: "whited out, then re-added",
    layers: [[file("a", "v1")], [file("a", "v22")], [marker(".wh.a")], [file("a", "v333")]],
    path: "a",
    events: ["added@0 file 2", "changed@1 file 3 [size]", "whited-out@2 file 3 by .wh.a", "re-added@3 file 4 visible"],
    final: "present file@3 hides 2",
  },
  {
    name: "whited out and still gone at the top",
    layers: [[file("d/a")], [marker("d/.wh.a")], [file("d/other")]],
    path: "d/a",
    events: ["added@0 file 1", "whited-out@1 file 1 by d/.wh.a"],
    final: "deleted by d/.wh.a@1 whiteout",
  },
  {
    name: "a parent whited out",
    layers: [[file("opt/app/bin/run")], [marker("opt/.wh.app")]],
    path: "opt/app/bin/run",
    events: ["added@0 file 1", "parent-whited-out@1 file 1 by opt/.wh.app"],
    final: "deleted by opt/.wh.app@1 whiteout",
  },
  {
    name: "removed by the opaque marker of a parent, while a sibling is added",
    layers: [[dir("d/"), file("d/a")], [dir("d/"), marker("d/.wh..wh..opq"), file("d/b")]],
    path: "d/a",
    events: ["added@0 file 1", "opaque@1 file 1 by d/.wh..wh..opq"],
    final: "deleted by d/.wh..wh..opq@1 opaque",
  },
  {
    name: "opaque parent and a new copy in the same layer: removed, then re-added",
    layers: [[dir("d/"), file("d/a", "old")], [dir("d/"), marker("d/.wh..wh..opq"), file("d/a", "newer")]],
    path: "d/a",
    events: ["added@0 file 3", "opaque@1 file 3 by d/.wh..wh..opq", "re-added@1 file 5 visible"],
    final: "present file@1 hides 1",
  },
  {
    name: "the opaque marker of the path itself does not remove it (only its lower contents)",
    layers: [[dir("d/"), file("d/a")], [dir("d/", { mode: 0o700 }), marker("d/.wh..wh..opq")]],
    path: "d",
    events: ["added@0 dir 0", "changed@1 dir 0 [mode] visible"],
    final: "present dir@1 hides 1",
  },
  {
    name: "replaced file → dir → file",
    layers: [[file("x", "file")], [dir("x/"), file("x/inner")], [file("x", "file again")]],
    path: "x",
    events: ["added@0 file 4", "replaced@1 dir 0 [type,size,mode]", "replaced@2 file 10 [type,size,mode] visible"],
    final: "present file@2 hides 2",
  },
  {
    name: "inner file of a directory replaced by a file: removed with its parent",
    layers: [[file("x/inner")], [file("x", "file")]],
    path: "x/inner",
    events: ["added@0 file 1", "parent-replaced@1 file 1 by x"],
    final: "deleted by x@1 replaced-by-non-directory",
  },
  {
    name: "a file turned into an implied directory by a deeper path",
    layers: [[file("x", "file")], [file("x/deeper")]],
    path: "x",
    events: ["added@0 file 4", "replaced@1 (implied dir) 0 [type,size,mode,owner,mtime] visible"],
    final: "present implied@1 hides 1",
  },
  {
    name: "an implied directory then written",
    layers: [[file("p/q")], [dir("p/", { mode: 0o700 })]],
    path: "p",
    events: ["implied@0 (implied dir) 0", "changed@1 dir 0 [mode,owner,mtime] visible"],
    final: "present dir@1 hides 0",
  },
  {
    name: "hardlink: kept as written, with its target",
    layers: [[file("bin/a", "body")], [{ path: "bin/b", type: "hardlink", linkname: "bin/a" }]],
    path: "bin/b",
    events: ["added@1 hardlink 0 visible"],
    final: "present hardlink@1 hides 0",
  },
  {
    name: "same path twice in a layer: the last wins, counted",
    layers: [[file("a", "first"), file("a", "second!")]],
    path: "a",
    events: ["added@0 file 7 x2 visible"],
    final: "present file@0 hides 0",
  },
  {
    name: "whiteout of a same-layer entry: the lower version removed, the layer's own kept",
    layers: [[file("x", "old")], [file("x", "new!"), marker(".wh.x")]],
    path: "x",
    events: ["added@0 file 3", "whited-out@1 file 3 by .wh.x", "re-added@1 file 4 visible"],
    final: "present file@1 hides 1",
  },
  {
    name: "a path never present",
    layers: [[file("a")], [marker(".wh.nothing")]],
    path: "nothing",
    events: [],
    final: "absent",
  },
  {
    name: "the path given with a leading slash and a trailing slash",
    layers: [[dir("etc/"), file("etc/hosts")]],
    path: "/etc/",
    events: ["added@0 dir 0 visible"],
    final: "present dir@0 hides 0",
  },
];

function finalLine(h: ReturnType<typeof pathHistory>): string {
  const f = h.final;
  if (f.kind === "present") return `present ${f.implied ? "implied" : f.version.type}@${f.version.layer} hides ${f.hides.length}`;
  if (f.kind === "deleted") return `deleted by ${f.deleted.marker}@${f.deleted.removedBy} ${f.deleted.how}`;
  return "absent";
}

describe("pathHistory", () => {
  it.each(cases)("$name", (c) => {
    const h = pathHistory(layersOf(...c.layers), c.path);
    expect(h.events.map(line)).toEqual(c.events);
    expect(finalLine(h)).toBe(c.final);
    // The merged view's "hides N versions" counts exactly the earlier written versions listed here.
    if (h.final.kind === "present" && !h.final.implied) {
      const written = h.events.filter((e) => !e.implied && !e.marker && e.kind !== "implied");
      expect(written.length - 1).toBe(h.final.hides.length);
    }
    expect(h.events.filter((e) => e.visible).length).toBe(h.final.kind === "present" ? 1 : 0);
  });

  it("names the removal marker and its target, and the layer's created versions", () => {
    const h = pathHistory(layersOf([file("opt/app/x")], [marker("opt/.wh.app")]), "opt/app/x");
    expect(h.events[1]).toMatchObject({ kind: "parent-whited-out", marker: "opt/.wh.app", markerTarget: "opt/app", layer: 1 });
  });

  it("keeps the merge's warnings about the path", () => {
    const h = pathHistory(layersOf([file("a", "first"), file("a", "second!")]), "a");
    expect(h.warnings.map((w) => w.kind)).toEqual(["duplicate-in-layer"]);
  });

  it("root and empty images have no history", () => {
    expect(pathHistory(layersOf([file("a")]), "/").events).toEqual([]);
    expect(pathHistory([], "a").final).toEqual({ kind: "absent" });
  });

  it("a path named __proto__ is a plain path", () => {
    const h = pathHistory(layersOf([file("__proto__", "x")], [marker(".wh.__proto__")]), "__proto__");
    expect(h.events.map(line)).toEqual(["added@0 file 1", "whited-out@1 file 1 by .wh.__proto__"]);
  });
});

/** The path's state in a merged filesystem, as a comparable string. */
function stateLine(fs: MergedFilesystem, path: string): string {
  const e = fs.entries.get(path);
  if (e) return `present ${e.implied ? "implied" : e.version.type}@${e.version.layer} ${e.version.size} hides ${e.hides.map((v) => `${v.type}@${v.layer}`).join(",")}`;
  const d = fs.deleted.get(path);
  if (d) return `deleted ${d.last.type}@${d.last.layer} by ${d.marker}@${d.removedBy} ${d.how} earlier ${(d.earlier ?? []).map((v) => v.layer).join(",")}`;
  return "absent";
}

describe("relevantEntries", () => {
  // The filter must not change the merge's answer for the path: checked against the full merge
  // over many generated layer stacks (a small deterministic PRNG, so failures reproduce).
  it("gives the same state for the path as the full merge, after every layer", () => {
    let seed = 12345;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const names = ["a", "a/b", "a/b/c", "a/b/c/d", "a/x", "a/b/y", "z"];
    const targets = ["a/b/c", "a/b", "a", "a/b/c/d"];
    for (let trial = 0; trial < 3000; trial++) {
      const tars: TarEntry[][] = [];
      const nLayers = 2 + rnd(4);
      for (let l = 0; l < nLayers; l++) {
        const t: TarEntry[] = [];
        const n = 1 + rnd(6);
        for (let i = 0; i < n; i++) {
          const p = names[rnd(names.length)] as string;
          const r = rnd(10);
          if (r < 3) t.push(file(p, "x".repeat(rnd(4))));
          else if (r < 6) t.push(dir(`${p}/`));
          else if (r < 7) t.push({ path: p, type: "symlink", linkname: "elsewhere" });
          else if (r < 9) {
            const slash = p.lastIndexOf("/");
            t.push(marker(slash < 0 ? `.wh.${p}` : `${p.slice(0, slash)}/.wh.${p.slice(slash + 1)}`));
          } else t.push(marker(`${p}/.wh..wh..opq`));
        }
        tars.push(t);
      }
      const layers = layersOf(...tars);
      for (const path of targets) {
        const relevant = relevantEntries(layers, path);
        for (let k = 0; k < layers.length; k++) {
          const full = stateLine(mergeLayers(layers, k), path);
          const small = stateLine(mergeLayers(relevant, k), path);
          if (full !== small) throw new Error(`trial ${trial}, path ${path}, layer ${k}: ${full} ≠ ${small}\n${JSON.stringify(tars)}`);
        }
        // And the history is consistent with the full merge's final answer.
        const h = pathHistory(layers, path);
        const fin = stateLine(mergeLayers(layers), path);
        expect(fin.startsWith(h.final.kind)).toBe(true);
        const lastEvent = h.events[h.events.length - 1];
        if (h.final.kind === "present") expect(lastEvent?.visible).toBe(true);
        if (h.final.kind === "deleted" && lastEvent?.marker !== h.final.deleted.marker) throw new Error(`trial ${trial} ${path}: ${h.events.map(line).join("; ")} / ${fin}\n${JSON.stringify(tars)}`);
      }
    }
  });

  it("filters 200 000 entries × 10 layers quickly and keeps only a handful", () => {
    const layers = Array.from({ length: 10 }, (_, l) =>
      Array.from({ length: 20_000 }, (_, i) => ({
        path: `usr/share/pkg${i % 500}/file${i}-${l}`,
        type: "file" as const,
        size: 1,
        mode: 0o644,
        uid: 0,
        gid: 0,
        mtime: 0,
        whiteout: "none" as const,
      })),
    );
    layers[3]?.push({ path: "usr/share/pkg7/target", type: "file", size: 3, mode: 0o644, uid: 0, gid: 0, mtime: 0, whiteout: "none" });
    const start = performance.now();
    const h = pathHistory(layers, "usr/share/pkg7/target");
    const ms = performance.now() - start;
    expect(h.events.map(line)).toEqual(["added@3 file 3 visible"]);
    expect(relevantEntries(layers, "usr/share/pkg7/target").flat().length).toBe(1);
    console.log(`pathHistory over 200 000 entries: ${ms.toFixed(0)} ms`); // a figure, not a bound
  });
});
