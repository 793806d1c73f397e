/**
 * Two tags that share a base, for the comparison spec (e2e/compare.spec.ts, issue 4):
 * `e2e/compare:v1` = base + X and `e2e/compare:v2` = the same base blob + Y, built in code with
 * the fixtures' builders. Y against v1's filesystem (expected file diff in COMPARE_EXPECTED):
 * - added:     app/new.txt
 * - removed:   app/only-v1.txt (X's, and Y does not have it), etc/remove-me.txt (Y's whiteout of a base file)
 * - changed:   app/config.json (size), app/link (symlink target), usr/bin/tool (mode 0755 → 0700)
 * - uncertain: etc/keep.conf (same size, rewritten by another layer: bodies are not hashed)
 * - unchanged: etc, etc/os-release, usr, usr/bin, app, app/data.txt
 */
import { buildImage, type BuiltImage, type TarEntry } from "./fixtures";

const base: TarEntry[] = [
  { type: "dir", path: "etc" },
  { type: "file", path: "etc/os-release", content: 'NAME="compare base"\n' },
  { type: "file", path: "etc/keep.conf", content: "setting=one\n" },
  { type: "file", path: "etc/remove-me.txt", content: "removed by v2's whiteout\n" },
  { type: "dir", path: "usr" },
  { type: "dir", path: "usr/bin" },
  { type: "file", path: "usr/bin/tool", content: "#!/bin/sh\necho tool\n", mode: 0o755 },
  { type: "dir", path: "app" },
  { type: "file", path: "app/data.txt", content: "shared data\n" },
  { type: "symlink", path: "app/link", target: "data.txt" },
];

const layerX: TarEntry[] = [
  { type: "file", path: "app/config.json", content: '{"v":1}\n' },
  { type: "file", path: "app/only-v1.txt", content: "only in v1\n" },
];

const layerY: TarEntry[] = [
  { type: "file", path: "app/config.json", content: '{"v":2,"feature":true}\n' },
  { type: "file", path: "app/new.txt", content: "new in v2\n" },
  { type: "file", path: "etc/.wh.remove-me.txt", content: "" },
  { type: "symlink", path: "app/link", target: "new.txt" },
  { type: "file", path: "etc/keep.conf", content: "setting=two\n" },
  { type: "file", path: "usr/bin/tool", content: "#!/bin/sh\necho tool\n", mode: 0o700 },
];

export const COMPARE_EXPECTED = {
  counts: { added: 1, removed: 2, changed: 3, uncertain: 1, unchanged: 6 },
  added: "app/new.txt",
  removed: ["app/only-v1.txt", "etc/remove-me.txt"],
  changed: { "app/config.json": "size content", "app/link": "link", "usr/bin/tool": "mode" },
  uncertain: "etc/keep.conf",
} as const;

export function compareImages(): { v1: BuiltImage; v2: BuiltImage } {
  const v1 = buildImage({
    flavour: "oci",
    architecture: "amd64",
    layers: [base, layerX],
    history: [{ created_by: "ADD base.tar /" }, { created_by: "COPY app-v1 /app # X" }],
    env: ["PATH=/usr/bin", "APP_VERSION=1"],
    cmd: ["/usr/bin/tool"],
  });
  const v2 = buildImage({
    flavour: "oci",
    architecture: "amd64",
    layers: [base, layerY],
    history: [{ created_by: "ADD base.tar /" }, { created_by: "COPY app-v2 /app # Y" }],
    env: ["PATH=/usr/bin", "APP_VERSION=2"],
    cmd: ["/usr/bin/tool"],
  });
  if (v1.layers[0]?.digest !== v2.layers[0]?.digest) throw new Error("compare fixtures: the base layer must be the same blob in v1 and v2");
  return { v1, v2 };
}
