/**
 * Test-only: the overlay merge's table of cases (merge.test.ts) and its generator of random layer
 * stacks, shared by every test that must agree with the merge (merge.test.ts checks the
 * optimistic merge against the exact one; columns.test.ts and features/merged/columns.test.ts
 * check the columnar merge and tree against both).
 */
import { buildTar, type TarEntry } from "../../testing/tar";
import type { MergeInput } from "../merge";
import { layerEntries } from "./layers";

/** Layers from tars built in code and indexed by the real parser. */
export const layersOf = (...tars: (readonly TarEntry[])[]) => tars.map((t) => layerEntries(buildTar(t)));
export const dir = (path: string): TarEntry => ({ path, type: "dir" });
export const file = (path: string, content = "x"): TarEntry => ({ path, content });
export const marker = (path: string): TarEntry => ({ path, content: "" });

export interface MergeCase {
  readonly name: string;
  readonly layers: (readonly TarEntry[])[];
  readonly upTo?: number;
  readonly view: string[];
  readonly deleted?: string[];
  readonly warnings?: string[];
}

export const MERGE_CASES: readonly MergeCase[] = [
  {
    name: "a whiteout hides a lower file",
    layers: [[file("a", "aa"), file("b")], [marker(".wh.a")]],
    view: ["b file 1@0"],
    deleted: ["a by .wh.a@1 whiteout"],
  },
  {
    name: "a whiteout of a directory removes every descendant",
    layers: [[dir("d/"), file("d/x"), dir("d/e/"), file("d/e/y"), file("k")], [marker(".wh.d")]],
    view: ["k file 1@0"],
    deleted: ["d by .wh.d@1 whiteout", "d/e by .wh.d@1 whiteout", "d/e/y by .wh.d@1 whiteout", "d/x by .wh.d@1 whiteout"],
  },
  {
    name: "nested whiteouts keep the ancestors",
    layers: [[file("a/b/c/f"), file("a/b/g")], [marker("a/b/.wh.c")], [marker("a/.wh.nothing-here")]],
    view: ["a (dir) 0@0", "a/b (dir) 0@0", "a/b/g file 1@0"],
    deleted: ["a/b/c/f by a/b/.wh.c@1 whiteout"],
    warnings: ["whiteout-of-missing-path a/.wh.nothing-here@2"],
  },
  {
    name: "a whiteout of a same-layer entry hides only the lower version (whiteout after the entry)",
    layers: [[file("x", "old")], [file("x", "new!"), marker(".wh.x")]],
    view: ["x file 4@1"],
    // The lower x was whited out, then re-written by the same layer: not deleted at the top.
    warnings: ["whiteout-of-same-layer-entry .wh.x@1"],
  },
  {
    name: "a whiteout of a same-layer entry with nothing below (whiteout first)",
    layers: [[file("k")], [marker(".wh.y"), file("y")]],
    view: ["k file 1@0", "y file 1@1"],
    warnings: ["whiteout-of-same-layer-entry .wh.y@1"],
  },
  {
    name: "a whiteout of a missing path is a flagged no-op",
    layers: [[file("k")], [marker(".wh.nothing")]],
    view: ["k file 1@0"],
    warnings: ["whiteout-of-missing-path .wh.nothing@1"],
  },
  {
    name: "'.wh.' and '.wh..' names: '.wh..hidden' whites out '.hidden'; meta and empty names are ignored",
    layers: [[file(".hidden"), file("a/keep")], [marker(".wh..hidden"), marker("a/.wh..wh.plnk"), marker("a/.wh."), marker("a/.wh.."), marker("a/.wh...")]],
    view: ["a (dir) 0@0", "a/keep file 1@0"],
    deleted: [".hidden by .wh..hidden@1 whiteout"],
    warnings: ["bad-whiteout-name a/.wh..wh.plnk@1", "bad-whiteout-name a/.wh.@1", "bad-whiteout-name a/.wh..@1", "bad-whiteout-name a/.wh...@1"],
  },
  {
    name: "an opaque marker hides the lower contents of its directory, not the directory",
    layers: [[dir("d/"), file("d/a"), file("d/sub/b"), file("e")], [dir("d/"), marker("d/.wh..wh..opq"), file("d/c")]],
    view: ["d dir 0@1", "d/c file 1@1", "e file 1@0"],
    // d/sub was only implied (no layer wrote it): its file is listed, not the directory.
    deleted: ["d/a by d/.wh..wh..opq@1 opaque", "d/sub/b by d/.wh..wh..opq@1 opaque"],
  },
  {
    name: "an opaque marker after the layer's new children keeps them (flagged)",
    layers: [[file("d/a")], [file("d/c"), marker("d/.wh..wh..opq")]],
    view: ["d (dir) 0@0", "d/c file 1@1"],
    deleted: ["d/a by d/.wh..wh..opq@1 opaque"],
    warnings: ["opaque-after-children d/.wh..wh..opq@1"],
  },
  {
    name: "an opaque marker in a deeper directory",
    layers: [[file("a/b/c/x"), file("a/y")], [marker("a/b/.wh..wh..opq"), file("a/b/n")]],
    view: ["a (dir) 0@0", "a/b (dir) 0@0", "a/b/n file 1@1", "a/y file 1@0"],
    deleted: ["a/b/c/x by a/b/.wh..wh..opq@1 opaque"],
  },
  {
    name: "an opaque marker at the root",
    layers: [[file("a"), file("b/c")], [marker(".wh..wh..opq"), file("n")]],
    view: ["n file 1@1"],
    deleted: ["a by .wh..wh..opq@1 opaque", "b/c by .wh..wh..opq@1 opaque"],
  },
  {
    name: "the same path twice in one layer: the last wins (T5)",
    layers: [[file("f", "1"), file("f", "22")]],
    view: ["f file 2@0"],
    warnings: ["duplicate-in-layer f@0"],
  },
  {
    name: "a file replaces a directory and hides its lower subtree",
    layers: [[dir("d/"), file("d/x"), file("d/y/z")], [file("d", "file")]],
    view: ["d file 4@1"],
    deleted: ["d/x by d@1 replaced-by-non-directory", "d/y/z by d@1 replaced-by-non-directory"],
  },
  {
    name: "a directory replaces a file",
    layers: [[file("f", "file")], [dir("f/"), file("f/g")]],
    view: ["f dir 0@1", "f/g file 1@1"],
  },
  {
    name: "a deeper path through a lower file turns it into an implied directory",
    layers: [[file("f", "file")], [file("f/g")]],
    view: ["f (dir) 0@1", "f/g file 1@1"],
  },
  {
    name: "a path through a lower symlink is kept literally and flagged (T2)",
    layers: [[{ path: "s", type: "symlink", linkname: "/etc" }], [file("s/x")]],
    view: ["s symlink 0@0 -> /etc", "s/x file 1@1"],
    warnings: ["path-through-symlink s/x@1"],
  },
  {
    name: "hardlinks keep their targets; a missing target is flagged",
    layers: [[file("bin/busybox", "BB"), { path: "bin/sh", type: "hardlink", linkname: "bin/busybox" }, { path: "bin/ls", type: "hardlink", linkname: "./bin/busybox" }], [marker("bin/.wh.busybox")]],
    upTo: 1,
    view: ["bin (dir) 0@0", "bin/ls hardlink 0@0 -> ./bin/busybox", "bin/sh hardlink 0@0 -> bin/busybox"],
    deleted: ["bin/busybox by bin/.wh.busybox@1 whiteout"],
    warnings: ["hardlink-to-missing-target bin/ls@0", "hardlink-to-missing-target bin/sh@0"],
  },
  {
    name: "__proto__ and constructor are plain names (T12)",
    layers: [[file("__proto__/constructor"), file("constructor"), file("toString"), file("hasOwnProperty")], [marker(".wh.__proto__"), file("__proto__", "new")]],
    view: ["__proto__ file 3@1", "constructor file 1@0", "hasOwnProperty file 1@0", "toString file 1@0"],
    deleted: ["__proto__/constructor by .wh.__proto__@1 whiteout"],
    warnings: ["whiteout-of-same-layer-entry .wh.__proto__@1"],
  },
  {
    name: "unsafe paths stay out of the merge (T1)",
    layers: [[file("../etc/passwd"), file("ok"), file("a/../../x")]],
    view: ["ok file 1@0"],
    warnings: ["unsafe-path ../etc/passwd@0", "unsafe-path a/../../x@0"],
  },
  {
    name: "the root entry './' adds nothing",
    layers: [[dir("./"), file("./a")]],
    view: ["a file 1@0"],
  },
  {
    name: "slider: the filesystem as of layer 1",
    layers: [[file("a")], [file("b"), marker(".wh.a")], [file("c")]],
    upTo: 1,
    view: ["b file 1@1"],
    deleted: ["a by .wh.a@1 whiteout"],
  },
  {
    name: "slider: layer 0 only",
    layers: [[file("a")], [file("b"), marker(".wh.a")], [file("c")]],
    upTo: 0,
    view: ["a file 1@0"],
  },
];

/** The paths random stacks are made of: ancestors of each other, so every rule meets every other. */
export const STACK_NAMES: readonly string[] = ["a", "a/b", "a/b/c", "a/b/c/d", "a/x", "a/b/y", "z", "z/q"];

/**
 * One random stack of 1–4 layers of 1–10 entries each over `names`: files, directories,
 * symlinks, hardlinks, whiteouts, opaque markers, unsafe paths and root entries; with `dupes`,
 * the same path often twice in a layer. `rnd(n)` is an integer in [0, n).
 */
export function randomStack(rnd: (n: number) => number, dupes: boolean, names: readonly string[] = STACK_NAMES): MergeInput[][] {
  const entry = (path: string, over: Partial<MergeInput> = {}): MergeInput => ({ path, type: "file", size: path.length, mode: 0o644, uid: 0, gid: 0, mtime: 0, whiteout: "none", ...over });
  const layers: MergeInput[][] = [];
  for (let l = 0, nLayers = 1 + rnd(4); l < nLayers; l++) {
    const layer: MergeInput[] = [];
    const used = new Set<string>();
    for (let i = 0, n = 1 + rnd(10); i < n; i++) {
      const p = names[rnd(names.length)] as string;
      const r = rnd(12);
      const slash = p.lastIndexOf("/");
      let e: MergeInput;
      if (r < 3) e = entry(p);
      else if (r < 6) e = entry(p, { type: "dir", size: 0 });
      else if (r < 7) e = entry(p, { type: "symlink", size: 0, linkname: "elsewhere" });
      else if (r < 8) e = entry(p, { type: "hardlink", size: 0, linkname: names[rnd(names.length)] as string });
      else if (r < 10) {
        const m = slash < 0 ? `.wh.${p}` : `${p.slice(0, slash)}/.wh.${p.slice(slash + 1)}`;
        e = entry(m, { whiteout: "whiteout", whiteoutTarget: p, size: 0 });
      } else if (r < 11) e = entry(`${p}/.wh..wh..opq`, { whiteout: "opaque", whiteoutTarget: p, size: 0 });
      else e = rnd(2) === 0 ? entry(`../${p}`, { flags: ["unsafe-path"] }) : entry("", { type: "dir", size: 0 });
      if (!dupes && used.has(e.path)) continue;
      used.add(e.path);
      layer.push(e);
    }
    layers.push(layer);
  }
  return layers;
}
