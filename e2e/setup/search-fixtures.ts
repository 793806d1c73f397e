/**
 * The search and export specs' image (e2e/search.spec.ts, e2e/export.spec.ts): `e2e/search:v1`,
 * two layers built with the core's own tar builder (src/core/testing/tar.ts: it writes
 * hardlinks, owners and setuid bits, which fixtures.ts's builder does not), gzip from node:zlib.
 *
 * What each filter must find is in SEARCH_EXPECTED; the layout:
 * - layer 1: setuid bin/su, setgid bin/wall, bin/sh → busybox, hardlinks bin/ash (→ busybox)
 *   and bin/gone-hl (→ bin/removed-later, which layer 2 whites out), world-writable tmp (1777)
 *   and var/drop (0777), links/: dangling, a two-link loop, a self loop and three good links
 *   (absolute, relative, through another link), home/user owned by 1000, a 1.2 MB data/big.bin
 *   and a top-level file named like a spreadsheet formula (CSV injection).
 * - layer 2: a whiteout of bin/removed-later, an opaque var/ (hiding var/drop), a changed
 *   etc/app.conf and a deep new/deep/dir/file.txt.
 */
import { gzipSync } from "node:zlib";
import { buildTar, type TarEntry } from "../../src/core/testing/tar";
import { sha256, type BuiltImage, type Layer } from "./fixtures";
import { OCI_LAYER_GZIP, imageOf } from "./layer-fixtures";

export const FORMULA_NAME = "=SUM(1+1)";

const base: TarEntry[] = [
  { path: "bin/", type: "dir" },
  { path: "bin/busybox", content: "b".repeat(3000), mode: 0o755 },
  { path: "bin/su", content: "su", mode: 0o4755 },
  { path: "bin/wall", content: "wall", mode: 0o2755, gid: 5, gname: "tty" },
  { path: "bin/sh", type: "symlink", linkname: "busybox" },
  { path: "bin/ash", type: "hardlink", linkname: "bin/busybox" },
  { path: "bin/removed-later", content: "soon gone" },
  { path: "bin/gone-hl", type: "hardlink", linkname: "bin/removed-later" },
  { path: "tmp/", type: "dir", mode: 0o1777 },
  { path: "var/", type: "dir" },
  { path: "var/drop/", type: "dir", mode: 0o777 },
  { path: "etc/", type: "dir" },
  { path: "etc/passwd", content: "root:x:0:0:root:/root:/bin/sh\n" },
  { path: "etc/app.conf", content: "x".repeat(1500) },
  { path: "links/", type: "dir" },
  { path: "links/dangling", type: "symlink", linkname: "/nowhere/at/all" },
  { path: "links/loop-a", type: "symlink", linkname: "loop-b" },
  { path: "links/loop-b", type: "symlink", linkname: "loop-a" },
  { path: "links/self", type: "symlink", linkname: "self" },
  { path: "links/ok-abs", type: "symlink", linkname: "/etc/passwd" },
  { path: "links/ok-rel", type: "symlink", linkname: "../etc/passwd" },
  { path: "links/via-link", type: "symlink", linkname: "../bin/sh" },
  { path: "home/", type: "dir" },
  { path: "home/user/", type: "dir", uid: 1000, gid: 1000, uname: "user", gname: "user" },
  { path: "home/user/notes.txt", content: "notes", uid: 1000, gid: 1000, uname: "user", gname: "user" },
  { path: "data/", type: "dir" },
  { path: "data/big.bin", content: new Uint8Array(1_200_000) },
  { path: FORMULA_NAME, content: "formula" },
];

const top: TarEntry[] = [
  { path: "bin/.wh.removed-later", content: "" },
  { path: "var/", type: "dir" },
  { path: "var/.wh..wh..opq", content: "" },
  { path: "var/new.txt", content: "new" },
  { path: "etc/app.conf", content: "changed\n" },
  { path: "new/deep/dir/file.txt", content: "deep" },
];

/** Paths each search must find exactly (merged view unless a scope is named; "path@N" = layer N, 0-based). */
export const SEARCH_EXPECTED = {
  setuid: ["bin/su"],
  setgid: ["bin/wall"],
  worldWritableMerged: ["tmp"],
  worldWritableLayers: ["tmp@0", "var/drop@0"],
  brokenSymlinks: ["links/dangling", "links/loop-a", "links/loop-b", "links/self"],
  hardlinks: ["bin/ash", "bin/gone-hl"],
  hardlinksMissingTarget: ["bin/gone-hl"],
  uid1000: ["home/user", "home/user/notes.txt"],
  atLeast1M: ["data/big.bin"],
  whiteoutsLayers: ["bin/.wh.removed-later@1"],
  opaqueLayers: ["var/.wh..wh..opq@1"],
  globConf: ["etc/app.conf"],
  regexLoops: ["links/loop-a", "links/loop-b"],
  substringNotes: ["home/user/notes.txt"],
} as const;

function gzipLayer(entries: readonly TarEntry[]): Layer {
  const tar = buildTar(entries);
  const bytes = new Uint8Array(gzipSync(tar));
  return { mediaType: OCI_LAYER_GZIP, digest: sha256(bytes), size: bytes.byteLength, bytes, diffId: sha256(tar) };
}

export function searchImage(): BuiltImage {
  return imageOf([gzipLayer(base), gzipLayer(top)], ["ADD rootfs.tar / # search fixtures", "RUN rm bin/removed-later && rm -rf var/* # layer 2"]);
}
