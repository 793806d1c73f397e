/** The viewer's pure pieces: lines, hex rows, symlink targets and who provides them. */
import { describe, expect, it } from "vitest";
import type { LayerEntry } from "../../core/pipeline/types";
import { HEX_PAGE_ROWS, hexRows, pageCount, providerOf, splitLines, symlinkTargetPath } from "./model";

it.each([
  ["a\nb\n", ["a", "b"]],
  ["a\r\nb", ["a", "b"]],
  ["a\rb\r", ["a", "b"]],
  ["", [""]],
  ["\n\n", ["", ""]],
])("splitLines(%j)", (text, lines) => expect(splitLines(text)).toEqual(lines));

it("pageCount", () => {
  expect(pageCount(0, 10)).toBe(1);
  expect(pageCount(10, 10)).toBe(1);
  expect(pageCount(11, 10)).toBe(2);
});

describe("hexRows", () => {
  it("offset, two groups of eight, printable ASCII", () => {
    const b = Uint8Array.from([...Array(16).keys()].map((i) => 0x41 + i)).map((x, i) => (i === 3 ? 0 : x));
    expect(hexRows(b, 0)).toEqual([{ offset: 0, hex: "41 42 43 00 45 46 47 48  49 4a 4b 4c 4d 4e 4f 50", ascii: "ABC.EFGHIJKLMNOP" }]);
  });
  it("a short last row and the second page", () => {
    const b = new Uint8Array(HEX_PAGE_ROWS * 16 + 3).fill(0x7f);
    const rows = hexRows(b, 1);
    expect(rows).toEqual([{ offset: HEX_PAGE_ROWS * 16, hex: "7f 7f 7f", ascii: "..." }]);
  });
});

it.each([
  ["etc/alt/sh", "../../bin/sh", "bin/sh"],
  ["usr/bin/python", "python3", "usr/bin/python3"],
  ["a/link", "/etc/hosts", "etc/hosts"],
  ["link", "../../../x", "x"],
  ["a/b/link", "./c/./d", "a/b/c/d"],
])("symlinkTargetPath(%s → %s) = %s", (link, target, path) => expect(symlinkTargetPath(link, target)).toBe(path));

describe("providerOf", () => {
  const e = (path: string, extra: Partial<LayerEntry> = {}): LayerEntry => ({
    path,
    rawPath: new TextEncoder().encode(path),
    type: "file",
    typeflag: "0",
    size: 1,
    mode: 0o644,
    uid: 0,
    gid: 0,
    uname: "",
    gname: "",
    mtime: 0,
    whiteout: "none",
    headerOffset: 0,
    dataOffset: 512,
    ...extra,
  });
  const layers = [[e("etc/hosts"), e("etc/motd")], [e("etc/hosts")], [e("etc/.wh.motd", { whiteout: "whiteout", whiteoutTarget: "etc/motd" })]];
  it("the highest layer at or below `upTo` that provides the path; a whiteout removes it", () => {
    expect(providerOf(layers, 2, "etc/hosts")).toBe(1);
    expect(providerOf(layers, 0, "etc/hosts")).toBe(0);
    expect(providerOf(layers, 1, "etc/motd")).toBe(0);
    expect(providerOf(layers, 2, "etc/motd")).toBeUndefined();
    expect(providerOf(layers, 2, "etc")).toBeUndefined(); // implied by deeper paths, no layer wrote it
  });
});
