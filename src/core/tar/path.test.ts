import { describe, expect, it } from "vitest";
import { classifyWhiteout, decodeName, linkUnsafe, normalisePath, type UnsafeReason, type WhiteoutClass } from "./path";

describe("normalisePath (SECURITY T1)", () => {
  const cases: Array<[input: string, path: string, unsafe: UnsafeReason | undefined]> = [
    ["a/b", "a/b", undefined],
    ["./x", "x", undefined],
    ["././x", "x", undefined],
    ["a//b", "a/b", undefined],
    ["a/./b/", "a/b", undefined],
    ["dir/", "dir", undefined],
    ["./", "", undefined],
    [".", "", undefined],
    ["/abs/file", "abs/file", "absolute"],
    ["//abs", "abs", "absolute"],
    ["../etc/passwd", "../etc/passwd", "escapes-root"],
    ["a/../../x", "a/../../x", "escapes-root"],
    ["/../x", "../x", "escapes-root"],
    // Harmless ".." is resolved where runtimes put the entry (found by the hostile corpus: the
    // merged view used to show a directory literally named "..").
    ["a/../b", "b", "dotdot"],
    ["./a/b/../../c/", "c", "dotdot"],
    ["a/..", "", "dotdot"],
    ["..foo/..bar", "..foo/..bar", undefined],
    ["...", "...", undefined],
  ];
  it.each(cases)("%j → %j (%s)", (input, path, unsafe) => {
    expect(normalisePath(input)).toEqual({ path, unsafe });
  });

  it("normalises 5 000-deep paths (T11)", () => {
    const deep = "d/".repeat(5000) + "f";
    expect(normalisePath(deep).path).toBe(deep);
  });
});

describe("classifyWhiteout (image-spec layer.md)", () => {
  const cases: Array<[path: string, want: WhiteoutClass]> = [
    ["etc/passwd", { kind: "none" }],
    [".wh.foo", { kind: "whiteout", target: "foo" }],
    ["a/b/.wh.c", { kind: "whiteout", target: "a/b/c" }],
    ["a/.wh..hidden", { kind: "whiteout", target: "a/.hidden" }],
    ["a/.wh..wh..opq", { kind: "opaque", target: "a" }],
    [".wh..wh..opq", { kind: "opaque", target: "" }],
    [".wh.", { kind: "bad" }],
    ["a/.wh.", { kind: "bad" }],
    [".wh..wh.plnk", { kind: "bad" }],
    [".wh..wh.aufs", { kind: "bad" }],
    [".wh..", { kind: "bad" }],
    [".wh...", { kind: "bad" }],
    ["a.wh.b", { kind: "none" }],
    [".wh.x/child", { kind: "none" }],
  ];
  it.each(cases)("%j", (path, want) => {
    expect(classifyWhiteout(path)).toEqual(want);
  });
});

describe("linkUnsafe (SECURITY T2, read lexically)", () => {
  const cases: Array<[type: "symlink" | "hardlink", entry: string, target: string, want: UnsafeReason | undefined]> = [
    ["symlink", "x", "../victim", "escapes-root"],
    ["symlink", "a/x", "../victim", undefined],
    ["symlink", "a/x", "../../victim", "escapes-root"],
    ["symlink", "usr/bin/python", "/usr/bin/python3", undefined],
    ["symlink", "lib/x", "./../lib/y", undefined],
    ["symlink", "a/b/x", "c/../../../y", undefined],
    ["symlink", "a/b/x", "c/../../../../y", "escapes-root"],
    ["hardlink", "x", "etc/passwd", undefined],
    ["hardlink", "x", "../etc/passwd", "escapes-root"],
    ["hardlink", "x", "/etc/passwd", "absolute"],
  ];
  it.each(cases)("%s %j → %j", (type, entry, target, want) => {
    expect(linkUnsafe(type, entry, target)).toBe(want);
  });
});

describe("decodeName", () => {
  it("keeps NFC and NFD spellings distinct (T12)", () => {
    const nfc = decodeName(new TextEncoder().encode("caf\u00e9"));
    const nfd = decodeName(new TextEncoder().encode("cafe\u0301"));
    expect(nfc.text).not.toBe(nfd.text);
    expect(nfc.invalidUtf8 || nfd.invalidUtf8).toBe(false);
  });

  it("escapes invalid UTF-8 losslessly (one lone surrogate per byte) and says so", () => {
    // Lone surrogates U+DC80+byte (surrogateescape), so different bytes stay different strings.
    expect(decodeName(new Uint8Array([0x61, 0xff, 0x62]))).toEqual({ text: "a\udcffb", invalidUtf8: true });
    expect(decodeName(new Uint8Array([0xc3, 0x28]))).toEqual({ text: "\udcc3(", invalidUtf8: true });
    expect(decodeName(new Uint8Array([0x61, 0xfe])).text).not.toBe(decodeName(new Uint8Array([0x61, 0xff])).text);
  });

  it("decodes long ASCII names", () => {
    const long = "a".repeat(100_000);
    expect(decodeName(new TextEncoder().encode(long)).text).toBe(long);
  });
});
