/**
 * `layerscope diff` on images built in code (src/core/testing) and written as OCI layout
 * tarballs: two tags over the same base blob (the e2e compare spec's images, e2e/setup/compare-fixtures.ts,
 * so the expected file diff is the compare view's), the same base shipped recompressed, an image
 * against itself (dive's test image: every layer shared, no file changes), an untrusted side, the
 * JSON valid against cli/schema/diff.schema.json, and exit codes through `run` and the real bin.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildImage, buildTar, type BuiltImage, type TarEntry } from "../src/core/testing";
import { PATHS_SHOWN, type DiffResult } from "./diff";
import { run } from "./main";
import { ROOT, runBin, runCli, validatorFor, writeOciArchive } from "./testing";

const checkSchema = validatorFor("diff.schema.json");
const DIVE_IMAGE = `docker-archive:${join(ROOT, "src/core/filetree/testdata/test-docker-image.tar")}`;

// The compare spec's images (e2e/setup/compare-fixtures.ts): v1 = base + X, v2 = the same base blob + Y.
const base: TarEntry[] = [
  { type: "dir", path: "etc" },
  { path: "etc/os-release", content: 'NAME="compare base"\n' },
  { path: "etc/keep.conf", content: "setting=one\n" },
  { path: "etc/remove-me.txt", content: "removed by v2's whiteout\n" },
  { type: "dir", path: "usr" },
  { type: "dir", path: "usr/bin" },
  { path: "usr/bin/tool", content: "#!/bin/sh\necho tool\n", mode: 0o755 },
  { type: "dir", path: "app" },
  { path: "app/data.txt", content: "shared data\n" },
  { type: "symlink", path: "app/link", linkname: "data.txt" },
];
const layerX: TarEntry[] = [
  { path: "app/config.json", content: '{"v":1}\n' },
  { path: "app/only-v1.txt", content: "only in v1\n" },
];
const layerY: TarEntry[] = [
  { path: "app/config.json", content: '{"v":2,"feature":true}\n' },
  { path: "app/new.txt", content: "new in v2\n" },
  { path: "etc/.wh.remove-me.txt", content: "" },
  { type: "symlink", path: "app/link", linkname: "new.txt" },
  { path: "etc/keep.conf", content: "setting=two\n" },
  { path: "usr/bin/tool", content: "#!/bin/sh\necho tool\n", mode: 0o700 },
];

const tmp = mkdtempSync(join(tmpdir(), "layerscope-diff-test-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const archive = (name: string, image: BuiltImage, ref: string): string => {
  const path = join(tmp, name);
  writeOciArchive(path, image, ref);
  return `oci-archive:${path}`;
};

let v1: BuiltImage;
let v2: BuiltImage;
const paths: Record<string, string> = {};
beforeAll(async () => {
  v1 = await buildImage({ layers: [{ entries: base }, { entries: layerX }], config: { Env: ["PATH=/usr/bin", "APP_VERSION=1"], Cmd: ["/usr/bin/tool"] } });
  v2 = await buildImage({ layers: [{ entries: base }, { entries: layerY }], config: { Env: ["PATH=/usr/bin", "APP_VERSION=2"], Cmd: ["/usr/bin/tool"] } });
  // The same base tar shipped uncompressed: same diff_id, another blob.
  const v2raw = await buildImage({ layers: [{ entries: base, compression: "none" }, { entries: layerY }], config: { Env: ["PATH=/usr/bin", "APP_VERSION=2"], Cmd: ["/usr/bin/tool"] } });
  const many = await buildImage({ layers: [{ entries: base }, { entries: Array.from({ length: 70 }, (_, i) => ({ path: `app/gen/${String(i).padStart(3, "0")}.txt`, content: `${i}\n` })) }] });
  paths["v1"] = archive("v1.tar", v1, "compare:v1");
  paths["v2"] = archive("v2.tar", v2, "compare:v2");
  paths["v2raw"] = archive("v2raw.tar", v2raw, "compare:v2-uncompressed");
  paths["many"] = archive("many.tar", many, "compare:many");
  const tamperedLayer = v2.layers[1];
  if (tamperedLayer === undefined) throw new Error("two layers");
  writeOciArchive(join(tmp, "v2bad.tar"), v2, "compare:v2-bad", { digest: tamperedLayer.digest, bytes: buildTar([{ path: "x", content: "y" }]) });
  paths["v2bad"] = `oci-archive:${join(tmp, "v2bad.tar")}`;
});

async function diffJson(a: string, b: string): Promise<DiffResult> {
  const r = await runCli(["diff", a, b, "--json"]);
  expect(r.err).toBe("");
  expect(r.code).toBe(0);
  const result = JSON.parse(r.out) as DiffResult;
  expect(checkSchema(result)).toEqual([]);
  return result;
}

const byKind = (r: DiffResult, kind: string): string[] => r.files.rows.filter((f) => f.kind === kind).map((f) => f.path);

describe("layerscope diff", () => {
  it("two tags over a shared base: the compare view's layer rows, config change and file diff", async () => {
    const r = await diffJson(paths["v1"] as string, paths["v2"] as string);
    expect(r.a.image.names).toEqual(["compare:v1"]);
    expect(r.b.image.names).toEqual(["compare:v2"]);
    expect([r.a.trusted, r.b.trusted, r.a.complete, r.b.complete]).toEqual([true, true, true, true]);
    // Layers: the base shared (same chain ID, same blob), then each image's own top layer.
    expect(r.layers.sharedBase).toMatchObject({ layers: 1, bytesA: v1.layers[0]?.size, bytesB: v2.layers[0]?.size });
    expect(r.layers.rows.map((x) => [x.kind, x.a?.index ?? null, x.b?.index ?? null])).toEqual([
      ["shared", 0, 0],
      ["only-a", 1, null],
      ["only-b", null, 1],
    ]);
    expect(r.layers.rows[0]?.a?.diffId).toBe(v1.layers[0]?.diffId);
    expect(r.layers.bytesToPull).toBe(v2.layers[1]?.size);
    expect(r.layers.bytesB).toBe((v2.layers[0]?.size ?? 0) + (v2.layers[1]?.size ?? 0));
    expect(r.config).toEqual([{ field: "env", key: "APP_VERSION", change: "changed", a: "1", b: "2" }]);
    // Files: as the compare spec expects them (e2e/setup/compare-fixtures.ts COMPARE_EXPECTED).
    expect(r.files.counts).toMatchObject({ added: 1, removed: 2, changed: 3, uncertain: 1, unchanged: 6, total: 13 });
    expect(byKind(r, "added")).toEqual(["app/new.txt"]);
    expect(byKind(r, "removed")).toEqual(["app/only-v1.txt", "etc/remove-me.txt"]);
    expect(Object.fromEntries(r.files.rows.filter((f) => f.kind === "changed").map((f) => [f.path, f.changes.join(" ")]))).toEqual({
      "app/config.json": "size content",
      "app/link": "link",
      "usr/bin/tool": "mode",
    });
    expect(byKind(r, "uncertain")).toEqual(["etc/keep.conf"]);
    expect(r.files.rows.find((f) => f.path === "etc/remove-me.txt")?.deletion).toEqual({ layer: 1, marker: "etc/.wh.remove-me.txt", how: "whiteout" });
    expect(r.files.rows.find((f) => f.path === "usr/bin/tool")).toMatchObject({ a: { layer: 0, mode: 0o755 }, b: { layer: 1, mode: 0o700 } });
    expect(r.warnings).toEqual([]);
  });

  it("the same base shipped uncompressed is 'recompressed': the snapshot is shared, the blob is not", async () => {
    const r = await diffJson(paths["v2"] as string, paths["v2raw"] as string);
    expect(r.layers.sharedBase.layers).toBe(2);
    expect(r.layers.rows.map((x) => [x.kind, x.recompressed])).toEqual([
      ["recompressed", { digest: true, mediaType: true }],
      ["shared", null],
    ]);
    expect(r.layers.bytesToPull).toBe(0); // by chain ID, nothing to fetch
    expect(r.layers.bytesIfBlobsOnly).toBeGreaterThan(0); // but the uncompressed blob is new
    expect(r.files.counts).toMatchObject({ added: 0, removed: 0, changed: 0, uncertain: 0 });
    expect(r.files.rows).toEqual([]);
  });

  it("an image against itself: every layer shared, no file changes (dive's test image, 14 layers)", async () => {
    const r = await diffJson(DIVE_IMAGE, DIVE_IMAGE);
    expect(r.layers.sharedBase.layers).toBe(14);
    expect(r.layers.rows).toHaveLength(14);
    expect(r.layers.rows.every((x) => x.kind === "shared")).toBe(true);
    expect(r.layers.bytesToPull).toBe(0);
    expect(r.config).toEqual([]);
    const c = r.files.counts;
    expect([c.added, c.removed, c.changed, c.uncertain]).toEqual([0, 0, 0, 0]);
    expect(c.unchanged).toBe(c.total);
    expect(c.total).toBeGreaterThan(400);
    expect(r.files.rows).toEqual([]);
  });

  it("a side whose layer does not verify is still compared, and said to be untrusted (exit 0)", async () => {
    const r = await diffJson(paths["v1"] as string, paths["v2bad"] as string);
    expect(r.a.trusted).toBe(true);
    expect(r.b.trusted).toBe(false);
    expect(r.b.untrusted[0]).toContain(`layer 1 (${v2.layers[1]?.digest}): the blob`);
    expect(r.warnings.some((w) => w.startsWith("B is untrusted: layer 1"))).toBe(true);
  });

  it("prints a short human form: images, shared base, layer rows, counts and the changed paths", async () => {
    const r = await runCli(["diff", paths["v1"] as string, paths["v2"] as string]);
    expect(r.code).toBe(0);
    expect(r.err).toBe("");
    const lines = r.out.split("\n");
    expect(lines[0]).toMatch(/^A {2}compare:v1 {2}\[oci-archive:.*v1\.tar\] {2}linux\/amd64 {2}2 layers {2}manifest sha256:/);
    expect(lines).toContain(`shared base  1 layer (chain ${r.out.match(/chain (sha256:[0-9a-f]{12})/)?.[1]}), ${v1.layers[0]?.size} B in A, ${v2.layers[0]?.size} B in B`);
    expect(lines.filter((l) => /^ {2}(shared|only A|only B) /.test(l))).toHaveLength(3);
    expect(lines).toContain("  changed  env APP_VERSION  A: 1  B: 2");
    expect(lines).toContain("files     1 added, 2 removed, 3 changed, 1 uncertain, 6 unchanged (13 paths)");
    // Added, removed, changed, then uncertain.
    expect(lines.filter((l) => /^ {2}[+\-~?] \//.test(l))).toEqual([
      "  + /app/new.txt",
      "  - /app/only-v1.txt",
      "  - /etc/remove-me.txt",
      "  ~ /app/config.json  (size content)",
      "  ~ /app/link  (link)",
      "  ~ /usr/bin/tool  (mode)",
      "  ? /etc/keep.conf  (same attributes; content not compared)",
    ]);
  });

  it(`lists at most ${PATHS_SHOWN} paths and says how many more`, async () => {
    const r = await runCli(["diff", paths["v1"] as string, paths["many"] as string]);
    const listed = r.out.split("\n").filter((l) => /^ {2}[+\-~?] \//.test(l));
    expect(listed).toHaveLength(PATHS_SHOWN);
    const json = await diffJson(paths["v1"] as string, paths["many"] as string);
    expect(r.out).toContain(`  … and ${json.files.rows.length - PATHS_SHOWN} more (--json lists them all)`);
  });

  it("draws progress for A's layers, then B's, when stderr is a terminal, and clears it", async () => {
    const drawn: string[] = [];
    let out = "";
    const code = await run(["diff", paths["v1"] as string, paths["v2"] as string], { out: (t) => (out += t), err: () => {}, progress: (line) => drawn.push(line) });
    expect(code).toBe(0);
    expect(out).toContain("files     1 added");
    // A layer may redraw on a slow machine: the order of first draws is what counts.
    const labels = [...new Set(drawn.filter((l) => l !== "").map((l) => l.slice(0, 12)))];
    expect(labels).toEqual(["A: layer 1/2", "A: layer 2/2", "B: layer 1/2", "B: layer 2/2"]);
    expect(drawn.at(-1)).toBe("");
  });

  it.each([
    [["diff"], "usage: layerscope diff SOURCE_A SOURCE_B"],
    [["diff", "docker-archive:a.tar"], "usage: layerscope diff SOURCE_A SOURCE_B"],
    [["diff", "a", "b", "c"], "usage: layerscope diff SOURCE_A SOURCE_B"],
    [["diff", "docker-archive:/no/such/a.tar", DIVE_IMAGE], "layerscope: A: Cannot open this archive: Cannot read /no/such/a.tar (ENOENT"],
    [["diff", DIVE_IMAGE, "docker-archive:/no/such/b.tar"], "layerscope: B: Cannot open this archive"],
    [["diff", DIVE_IMAGE, "127.0.0.1:9/nope:1"], "--allow-private"], // a registry on loopback: refused before any socket opens
    [["diff", DIVE_IMAGE, DIVE_IMAGE, "--platform", "x"], "--platform wants os/arch"],
    [["diff", DIVE_IMAGE, DIVE_IMAGE, "--lowest-efficiency", "1"], "unknown option --lowest-efficiency"],
  ])("exits 2 with the reason on stderr: %j", async (argv, reason) => {
    const r = await runCli(argv);
    expect(r.code).toBe(2);
    expect(r.out).toBe("");
    expect(r.err).toContain(reason);
  });

  it("the bin: exit 0 with the JSON on stdout, exit 2 with one line on stderr", async () => {
    const good = await runBin(["diff", paths["v1"] as string, paths["v2"] as string, "--json"]);
    expect(good.code).toBe(0);
    expect(good.err).toBe("");
    expect(checkSchema(JSON.parse(good.out))).toEqual([]);
    const bad = await runBin(["diff", paths["v1"] as string, "docker-archive:/no/such/b.tar"]);
    expect(bad.code).toBe(2);
    expect(bad.out).toBe("");
    expect(bad.err.trim().split("\n")).toHaveLength(1);
  });
});
