import { describe, expect, it } from "vitest";
import { diffFilesystems, filterFileDiff } from "../compare";
import { mergeLayers } from "../filetree";
import { layerEntries } from "../filetree/testdata/layers";
import { buildTar, type TarEntry } from "../testing/tar";
import { csvCell, csvRow, parseCsv } from "./csv";
import { COMPARE_CSV_HEADER, LAYER_CSV_HEADER, MERGED_CSV_HEADER, compareCsv, compareJson, layerCsv, layerJson, mergedCsv, mergedJson } from "./formats";
import { escapeRawPath, safeFileName } from "./names";

const text = (chunks: Iterable<string>): string => [...chunks].join("");

describe("csvCell", () => {
  const table: [value: string | number | boolean | undefined, cell: string][] = [
    ["plain", "plain"],
    ["", ""],
    [undefined, ""],
    [42, "42"],
    [true, "true"],
    ["a,b", '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ["two\nlines", '"two\nlines"'],
    ["cr\rlf", '"cr\rlf"'],
    // Spreadsheet formulas are neutralised with a leading apostrophe (OWASP CSV injection).
    ["=HYPERLINK(\"http://x\")", "\"'=HYPERLINK(\"\"http://x\"\")\""],
    ["+1", "'+1"],
    ["-1", "'-1"],
    ["@SUM(A1)", "'@SUM(A1)"],
    ["\tindent", "'\tindent"],
    ["\rcr", "\"'\rcr\""],
    ["a=b", "a=b"],
    ["usr/bin/=x", "usr/bin/=x"],
  ];
  it.each(table)("%j → %s", (value, cell) => expect(csvCell(value)).toBe(cell));
  it("rows end in CRLF and parse back (with the apostrophe)", () => {
    const row = csvRow(["a,b", 'q"', "x\r\ny", "=1"]);
    expect(row.endsWith("\r\n")).toBe(true);
    expect(parseCsv(row + csvRow(["z"]))).toEqual([["a,b", 'q"', "x\r\ny", "'=1"], ["z"]]);
  });
});

describe("names", () => {
  it.each([
    [[0x61, 0x62], "ab"],
    [[0x61, 0xff, 0x62], "a\\xffb"],
    [[0x5c, 0x78, 0x66, 0x66], "\\\\xff"], // a literal backslash is doubled, so it cannot pass for an escape
    [[0xc3, 0xa9, 0xc3], "é\\xc3"],
  ])("escapeRawPath(%j) = %s", (bytes, out) => expect(escapeRawPath(new Uint8Array(bytes))).toBe(out));
  it.each([
    [["127.0.0.1:5000/e2e/app:v1", "layer 2"], "json", "127.0.0.1_5000_e2e_app_v1-layer_2.json"],
    [["../../etc/passwd", "merged"], "csv", "etc_passwd-merged.csv"],
    [["<script>", "a\u202Eb"], "csv", "script-a_b.csv"],
    [["", ""], "json", "layerscope.json"],
  ])("safeFileName(%j, %s) = %s", (parts, ext, out) => expect(safeFileName(parts, ext)).toBe(out));
  it("keeps names short", () => expect(safeFileName(["x".repeat(1000)], "json").length).toBeLessThanOrEqual(160));
});

const image = { reference: "registry.test/app:v1", manifestDigest: "sha256:m", configDigest: "sha256:c" };
const tar = (entries: TarEntry[]) => layerEntries(buildTar(entries));
const base = tar([
  { path: "etc/", type: "dir" },
  { path: "etc/passwd", content: "root" },
  { path: "bin/su", content: "x", mode: 0o4755, uname: "root" },
  { path: "=cmd|' -C calc'!A0", content: "" },
  { path: "old", content: "o" },
]);
const top = tar([{ path: ".wh.old", content: "" }, { path: "etc/passwd", content: "root2" }, { path: "bin/sh", type: "symlink", linkname: "su" }]);
const fs = mergeLayers([base, top]);

describe("merged export", () => {
  const input = { image, fs, layerCount: 2, complete: true, includeDeleted: true };
  it("JSON has the documented shape", () => {
    const doc = JSON.parse(text(mergedJson(input))) as Record<string, unknown> & { entries: Record<string, unknown>[]; deleted: Record<string, unknown>[] };
    expect(doc.schema).toBe("layerscope/merged-filesystem");
    expect(doc.version).toBe(1);
    expect(doc.image).toEqual(image);
    expect(doc.asOfLayerIndex).toBe(1);
    expect(doc.entries.map((e) => e.path)).toEqual(["=cmd|' -C calc'!A0", "bin", "bin/sh", "bin/su", "etc", "etc/passwd"]);
    expect(doc.entries.find((e) => e.path === "etc/passwd")).toMatchObject({ type: "file", size: 5, mode: "0644", layerIndex: 1, hiddenLayerIndexes: [0], implied: false });
    expect(doc.entries.find((e) => e.path === "bin/su")).toMatchObject({ mode: "4755", uname: "root" });
    expect(doc.entries.find((e) => e.path === "bin")).toMatchObject({ implied: true });
    expect(doc.deleted).toEqual([{ path: "old", pathEncoding: "utf-8", type: "file", lastLayerIndex: 0, removedByLayerIndex: 1, how: "whiteout", marker: ".wh.old" }]);
  });
  it("CSV has a header, one row per path and neutralised formulas", () => {
    const rows = parseCsv(text(mergedCsv(input)));
    expect(rows[0]).toEqual([...MERGED_CSV_HEADER]);
    expect(rows.slice(1).map((r) => `${r[0]} ${r[2]}`)).toEqual(["'=cmd|' -C calc'!A0 present", "bin present", "bin/sh present", "bin/su present", "etc present", "etc/passwd present", "old deleted"]);
    expect(rows.every((r) => r.length === MERGED_CSV_HEADER.length)).toBe(true);
  });
  it("without deleted paths, the deleted array is empty", () => {
    const doc = JSON.parse(text(mergedJson({ ...input, includeDeleted: false }))) as { deleted: unknown[] };
    expect(doc.deleted).toEqual([]);
  });
  it("escapes paths that are not UTF-8, from their raw bytes", () => {
    const raw = new Uint8Array([0x62, 0x61, 0x64, 0xff]);
    const odd = tar([{ path: "bad\uFFFD", content: "" }]);
    const withRaw = mergeLayers([odd]);
    const doc = JSON.parse(text(mergedJson({ ...input, fs: withRaw, rawPaths: new Map([["bad\uFFFD", raw]]) }))) as { entries: Record<string, unknown>[] };
    expect(doc.entries[0]).toMatchObject({ path: "bad\\xff", pathEncoding: "escaped" });
  });
});

describe("layer export", () => {
  const input = { image, layer: { layerIndex: 1, digest: "sha256:l", diffId: "sha256:d", mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", trusted: true, partial: false }, entries: top };
  it("JSON lists entries in tar order with whiteouts as written", () => {
    const doc = JSON.parse(text(layerJson(input))) as { schema: string; layer: Record<string, unknown>; entries: Record<string, unknown>[] };
    expect(doc.schema).toBe("layerscope/layer-listing");
    expect(doc.layer).toMatchObject({ layerIndex: 1, digest: "sha256:l", entries: 3, trusted: true });
    expect(doc.entries.map((e) => [e.path, e.whiteout, e.whiteoutTarget])).toEqual([
      [".wh.old", "whiteout", "old"],
      ["etc/passwd", "none", null],
      ["bin/sh", "none", null],
    ]);
    expect(doc.entries[2]).toMatchObject({ type: "symlink", linkTarget: "su", mode: "0777" });
  });
  it("CSV rows match the JSON entries", () => {
    const rows = parseCsv(text(layerCsv(input)));
    expect(rows[0]).toEqual([...LAYER_CSV_HEADER]);
    expect(rows.slice(1).map((r) => r[0])).toEqual([".wh.old", "etc/passwd", "bin/sh"]);
  });
  it("an invalid UTF-8 name is escaped from rawPath", () => {
    const e = { ...top[1]!, path: "x\uFFFD", rawPath: new Uint8Array([0x78, 0xfe]), flags: ["invalid-utf8"] };
    const rows = parseCsv(text(layerCsv({ ...input, entries: [e] })));
    expect(rows[1]?.slice(0, 2)).toEqual(["x\\xfe", "escaped"]);
  });
});

describe("compare export", () => {
  it("JSON and CSV carry the rows shown, with both sides", () => {
    const diff = diffFilesystems(mergeLayers([base]), fs, { includeUnchanged: true });
    const shown = filterFileDiff(diff.rows, { kinds: ["added", "removed", "changed"], path: "" });
    const input = { a: { reference: "a:1" }, b: { reference: "b:2" }, filter: { kinds: ["added", "removed", "changed"] as const, path: "" }, counts: diff.counts, rows: shown };
    const doc = JSON.parse(text(compareJson(input))) as { schema: string; counts: unknown; rows: Record<string, unknown>[] };
    expect(doc.schema).toBe("layerscope/file-comparison");
    expect(doc.counts).toEqual(diff.counts);
    expect(doc.rows.map((r) => `${r.path} ${r.kind}`)).toEqual(shown.map((r) => `${r.path} ${r.kind}`));
    expect(doc.rows.find((r) => r.path === "old")).toMatchObject({ kind: "removed", b: null, a: { layerIndex: 0, type: "file" } });
    const rows = parseCsv(text(compareCsv(input)));
    expect(rows[0]).toEqual(COMPARE_CSV_HEADER);
    expect(rows.length - 1).toBe(shown.length);
  });
});
