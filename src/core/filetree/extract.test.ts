/**
 * Ground truth for mergeLayers: the same layer tars, unpacked by real tools, must give the same
 * tree (paths, types, sizes, link targets).
 *
 * - GNU tar, applying whiteouts the way a runtime does: before each layer, delete each `.wh.`
 *   target and empty each opaque directory of its lower contents, and remove a lower directory
 *   that a non-directory of this layer replaces (GNU tar itself refuses to); then extract the
 *   layer without its `.wh.*` names.
 * - `umoci unpack` on an OCI layout made from the same tars with `umoci raw add-layer`.
 *
 * This test alone uses node:child_process and node:fs (tests compile with tsconfig.node.json);
 * it skips itself when `tar` or `umoci` is missing.
 */
import { execFileSync } from "node:child_process";
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { buildTar, type TarEntry } from "../testing/tar";
import { hardlinkTargetPath, mergeLayers } from "./merge";
import type { MergedFilesystem } from "./types";
import { dockerArchiveLayers, layerEntries } from "./testdata/layers";

const has = (tool: string): boolean => {
  try {
    execFileSync(tool, ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
};
const HAS_TAR = has("tar") && execFileSync("tar", ["--version"]).toString().includes("GNU tar");
const HAS_UMOCI = has("umoci");

const work = mkdtempSync(join(tmpdir(), "layerscope-merge-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const dir = (path: string): TarEntry => ({ path, type: "dir" });
const file = (path: string, content: string): TarEntry => ({ path, content });
const marker = (path: string): TarEntry => ({ path, content: "" });

/** Three small images, built in code, each exercising a family of rules. */
const IMAGES: Record<string, (readonly TarEntry[])[]> = {
  whiteouts: [
    [dir("./"), dir("etc/"), file("etc/a", "aaaaaaaaaa"), file("etc/b", "bb"), dir("usr/"), dir("usr/lib/"), file("usr/lib/x", "xxxxx"), dir("usr/lib/sub/"), file("usr/lib/sub/y", "yyyyyyy"), file("keep", "kkk"), file(".hidden", "h")],
    [dir("etc/"), marker("etc/.wh.a"), dir("usr/"), marker("usr/.wh.lib"), dir("new/"), file("new/f", "ffff"), marker(".wh..hidden"), marker(".wh.not-there")],
    [dir("etc/"), file("etc/a", "again"), dir("usr/"), dir("usr/lib/"), file("usr/lib/z", "z"), dir("new/"), marker("new/.wh.f")],
  ],
  opaqueAndReplacement: [
    [dir("d/"), file("d/x", "x"), dir("d/sub/"), file("d/sub/y", "yy"), file("f", "file"), dir("g/"), file("g/h", "hhh"), dir("deep/"), dir("deep/a/"), dir("deep/a/b/"), file("deep/a/b/c", "cc"), file("deep/a/keep", "k"), { path: "s", type: "symlink", linkname: "d" }],
    [dir("d/"), marker("d/.wh..wh..opq"), file("d/z", "zz"), dir("f/"), file("f/inner", "in"), file("g", "now a file")],
    [dir("deep/"), dir("deep/a/"), dir("deep/a/b/"), file("deep/a/b/new", "n"), marker("deep/a/b/.wh..wh..opq"), file("s", "no longer a link"), { path: "t", type: "symlink", linkname: "/etc/passwd" }],
  ],
  linksAndDuplicates: [
    [dir("bin/"), file("bin/busybox", "BUSYBOX!"), { path: "bin/sh", type: "hardlink", linkname: "bin/busybox" }, { path: "bin/ls", type: "hardlink", linkname: "bin/busybox" }, dir("tmp/"), file("tmp/t", "1")],
    [dir("bin/"), marker("bin/.wh.ls"), dir("tmp/"), file("tmp/t", "22"), file("tmp/t", "333"), file("tmp/u", "u"), { path: "lib", type: "symlink", linkname: "usr/lib" }],
    [dir("tmp/"), marker("tmp/.wh.u"), file("tmp/u", "recreated")],
  ],
};

/** path → "type size|target" for a directory on disk (hardlinks are files there). */
function diskTree(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string): void => {
    for (const name of readdirSync(join(root, rel)).sort()) {
      const path = rel === "" ? name : `${rel}/${name}`;
      const st = lstatSync(join(root, path));
      if (st.isSymbolicLink()) out.set(path, `symlink ${readlinkSync(join(root, path))}`);
      else if (st.isDirectory()) {
        out.set(path, "dir");
        walk(path);
      } else if (st.isFile()) out.set(path, `file ${st.size}`);
      else out.set(path, "other");
    }
  };
  walk("");
  return out;
}

/** The same picture of a merged filesystem; a hardlink shows as its target's file. */
function mergedTree(fs: MergedFilesystem): Map<string, string> {
  const out = new Map<string, string>();
  for (const [path, e] of fs.entries) {
    const v = e.version;
    if (v.type === "dir") out.set(path, "dir");
    else if (v.type === "symlink") out.set(path, `symlink ${v.linkname ?? ""}`);
    else if (v.type === "hardlink") {
      const target = fs.entries.get(hardlinkTargetPath(v.linkname ?? "") ?? "");
      out.set(path, `file ${target?.version.size ?? "?"}`);
    } else out.set(path, `file ${v.size}`);
  }
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : 1)));
}

const sorted = (m: Map<string, string>): [string, string][] => [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/** GNU tar with whiteouts applied by hand, as described at the top. */
function extractWithGnuTar(tars: readonly Uint8Array[], into: string): void {
  mkdirSync(into, { recursive: true });
  tars.forEach((tar, i) => {
    const tarPath = join(into, `../layer-${i}.tar`);
    writeFileSync(tarPath, tar);
    const names = execFileSync("tar", ["-tf", tarPath]).toString().split("\n").filter((n) => n !== "");
    for (const raw of names) {
      const name = raw.replace(/^(\.\/)+/, "").replace(/\/$/, "");
      const slash = name.lastIndexOf("/");
      const parent = slash < 0 ? "" : name.slice(0, slash);
      const base = name.slice(slash + 1);
      if (base === ".wh..wh..opq") {
        const d = join(into, parent);
        try {
          for (const child of readdirSync(d)) rmSync(join(d, child), { recursive: true, force: true });
        } catch {
          /* no such directory below: nothing to hide */
        }
      } else if (base.startsWith(".wh.") && !base.startsWith(".wh..wh.")) {
        rmSync(join(into, parent, base.slice(4)), { recursive: true, force: true });
      }
    }
    // A non-directory replacing a lower directory: what a runtime removes and GNU tar will not.
    const listing = execFileSync("tar", ["-tvf", tarPath]).toString().split("\n").filter((l) => l !== "");
    listing.forEach((line, k) => {
      const name = (names[k] ?? "").replace(/^(\.\/)+/, "").replace(/\/$/, "");
      if (line.startsWith("d") || name === "") return;
      try {
        if (lstatSync(join(into, name)).isDirectory()) rmSync(join(into, name), { recursive: true, force: true });
      } catch {
        /* absent */
      }
    });
    execFileSync("tar", ["-xf", tarPath, "-C", into, "--exclude=.wh.*", "--no-same-owner"]);
  });
}

function unpackWithUmoci(tars: readonly Uint8Array[], base: string): string {
  const layout = join(base, "oci");
  execFileSync("umoci", ["init", "--layout", layout]);
  execFileSync("umoci", ["new", "--image", `${layout}:t`]);
  tars.forEach((tar, i) => {
    const tarPath = join(base, `umoci-layer-${i}.tar`);
    writeFileSync(tarPath, tar);
    execFileSync("umoci", ["raw", "add-layer", "--image", `${layout}:t`, tarPath]);
  });
  const bundle = join(base, "bundle");
  const rootless = process.getuid?.() === 0 ? [] : ["--rootless"];
  execFileSync("umoci", ["unpack", ...rootless, "--image", `${layout}:t`, bundle]);
  return join(bundle, "rootfs");
}

describe("mergeLayers equals real extraction", () => {
  for (const [name, layers] of Object.entries(IMAGES)) {
    const tars = layers.map((l) => buildTar(l));
    const merged = mergedTree(mergeLayers(tars.map(layerEntries)));
    it(`${name}: is not trivially empty`, () => expect(merged.size).toBeGreaterThan(5));

    it.skipIf(!HAS_TAR)(`${name}: GNU tar with whiteouts applied`, () => {
      const root = join(work, name, "gnu", "root");
      extractWithGnuTar(tars, root);
      expect(sorted(merged)).toEqual(sorted(diskTree(root)));
    });

    it.skipIf(!HAS_UMOCI)(`${name}: umoci unpack`, () => {
      const rootfs = unpackWithUmoci(tars, join(work, name, "umoci"));
      expect(sorted(merged)).toEqual(sorted(diskTree(rootfs)));
    });
  }
});

describe("go-containerregistry's whiteout fixtures (pkg/v1/mutate/testdata)", () => {
  const load = (f: string) => {
    const bytes = new Uint8Array(readFileSync(new URL(`./testdata/${f}`, import.meta.url)));
    return dockerArchiveLayers(bytes, (b) => new Uint8Array(gunzipSync(b))).layers;
  };

  it("whiteout_image.tar: no foo after flattening", () => {
    const fs = mergeLayers(load("whiteout_image.tar").map(layerEntries));
    expect([...fs.entries.keys()].sort()).toEqual(["bar.txt"]);
    expect(fs.deleted.get("foo.txt")).toMatchObject({ removedBy: 1, marker: ".wh.foo.txt", how: "whiteout", last: { layer: 0, size: 4 } });
    expect(fs.warnings).toEqual([]);
  });

  it("whiteout_dir.tar: the whited-out directory's old file is gone, the re-created one stays", () => {
    const fs = mergeLayers(load("whiteout_dir.tar").map(layerEntries));
    expect([...fs.entries.keys()].sort()).toEqual(["a", "a/baz", "b", "b/bar"]);
    expect(fs.entries.get("a")?.version.layer).toBe(3);
    expect(fs.entries.get("a")?.hides.map((v) => v.layer)).toEqual([0]);
    expect(fs.deleted.get("a/foo")).toMatchObject({ removedBy: 2, marker: ".wh.a", how: "whiteout" });
  });

  it("overwritten_file.tar: foo.txt is now a symlink, no file foo", () => {
    const fs = mergeLayers(load("overwritten_file.tar").map(layerEntries));
    expect(fs.entries.get("foo.txt")?.version).toMatchObject({ type: "symlink", linkname: "bar.txt", layer: 1 });
    expect(fs.entries.get("foo.txt")?.hides).toMatchObject([{ type: "file", size: 4, layer: 0 }]);
    expect(fs.entries.get("bar.txt")?.version).toMatchObject({ type: "file", size: 4 });
  });

  it.skipIf(!HAS_TAR)("each fixture also equals GNU tar extraction", () => {
    for (const f of ["whiteout_image.tar", "whiteout_dir.tar", "overwritten_file.tar", "test-docker-image.tar"]) {
      const tars = load(f);
      const root = join(work, "ggcr", f, "root");
      extractWithGnuTar(tars, root);
      expect(sorted(mergedTree(mergeLayers(tars.map(layerEntries)))), f).toEqual(sorted(diskTree(root)));
    }
  });
});
